import Foundation
import Testing
@testable import LeaverSweepKit
import TestSupport

/// What a real SCIM server will not do on request: throttling, broken JSON, broken paging, echoed tokens.
@Suite struct SCIMClientFaultTests {
    static let base = "https://apps.contoso.example/scim/v2"
    static let token = "scim-secret-4b1f9e"

    static func client(_ transport: ScriptedTransport, sleeps: SleepRecorder = SleepRecorder(), pageSize: Int = 100) -> SCIMClient {
        SCIMClient(transport: transport, baseURL: base + "/", token: token, pageSize: pageSize, sleep: sleeps.sleep)
    }

    static func list(total: Int, startIndex: Int = 1, _ users: [(id: String, userName: String)]) -> ScriptedTransport.Responder {
        let resources = users.map { #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"\#($0.id)","userName":"\#($0.userName)","active":true}"# }
        return ScriptedTransport.json(200, #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":\#(total),"startIndex":\#(startIndex),"itemsPerPage":\#(users.count),"Resources":[\#(resources.joined(separator: ","))]}"#)
    }

    static func scimError(_ status: Int, scimType: String? = nil, detail: String, headers: [(String, String)] = []) -> ScriptedTransport.Responder {
        let type = scimType.map { #","scimType":"\#($0)""# } ?? ""
        return ScriptedTransport.json(status, #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"\#(status)"\#(type),"detail":"\#(detail)"}"#, headers: headers)
    }

    @Test func sendsTheBearerTokenSCIMMediaTypeAndAnEscapedEncodedFilter() throws {
        let transport = ScriptedTransport(fallback: Self.list(total: 0, []))
        _ = try Self.client(transport).findUsers(matching: .userName, value: #"o"b\r"#)

        let request = try #require(transport.sentRequests.first)
        #expect(request.method == "GET")
        #expect(request.url == Self.base + "/Users?filter=userName%20eq%20%22o%5C%22b%5C%5Cr%22&startIndex=1&count=100")
        #expect(request.body == nil)
        #expect(request.headers.map { "\($0.name): \($0.value)" } == ["Authorization: Bearer \(Self.token)", "Accept: application/scim+json"])
    }

    @Test func deactivateSendsTheReplacePatchOpWithTheSCIMContentType() throws {
        let transport = ScriptedTransport(fallback: ScriptedTransport.json(204, ""))
        try Self.client(transport).deactivate(userId: "2819c223/7f76")

        let request = try #require(transport.sentRequests.first)
        #expect(request.method == "PATCH")
        #expect(request.url == Self.base + "/Users/2819c223%2F7f76")
        #expect(request.headers.contains { $0.name == "Content-Type" && $0.value == "application/scim+json" })
        #expect(request.body.map { String(decoding: $0, as: UTF8.self) }
            == #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}"#)
    }

    @Test func acceptsAPatchAnsweredWithTheInactiveResource() throws {
        let transport = ScriptedTransport(fallback: ScriptedTransport.json(200, #"{"id":"u1","userName":"alice","active":false}"#))
        try Self.client(transport).deactivate(userId: "u1")
        #expect(transport.sentRequests.count == 1)
    }

    @Test func aPatchAnsweredWithTheAccountStillActiveIsNotDone() throws {
        let transport = ScriptedTransport(fallback: ScriptedTransport.json(200, #"{"id":"u1","userName":"alice","active":true}"#))
        let error = try #require(throws: SCIMError.self) { try Self.client(transport).deactivate(userId: "u1") }
        guard case .unexpectedResponse(let reason) = error.failure else {
            Issue.record("expected unexpectedResponse, got \(error)")
            return
        }
        #expect(reason.contains("still active"))
    }

    @Test func honoursRetryAfterSecondsThenSucceeds() throws {
        let transport = ScriptedTransport([
            Self.scimError(429, detail: "Too many requests", headers: [("Retry-After", "7")]),
            Self.scimError(503, detail: "Maintenance", headers: [("Retry-After", "2")]),
        ], fallback: Self.list(total: 1, [("u1", "alice")]))
        let sleeps = SleepRecorder()

        let found = try Self.client(transport, sleeps: sleeps).findUsers(matching: .userName, value: "alice")

        #expect(found.map(\.id) == ["u1"])
        #expect(transport.sentRequests.count == 3)
        #expect(sleeps.sleeps.count == 2)
        #expect((7...7.25).contains(sleeps.sleeps[0]))
        #expect((2...2.25).contains(sleeps.sleeps[1]))
        #expect(transport.sentRequests.map(\.freshConnection) == [false, false, true])
    }

    @Test func honoursRetryAfterGivenAsAnHTTPDate() throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let inTwoMinutes = formatter.string(from: Date().addingTimeInterval(120))
        let transport = ScriptedTransport([Self.scimError(429, detail: "slow down", headers: [("Retry-After", inTwoMinutes)])],
                                          fallback: Self.list(total: 0, []))
        let sleeps = SleepRecorder()

        _ = try Self.client(transport, sleeps: sleeps).findUsers(matching: .externalId, value: "e1")

        #expect(sleeps.sleeps.count == 1)
        #expect((60...120.25).contains(sleeps.sleeps[0]))
    }

    @Test func givesUpAsThrottledAfterABoundedNumberOfAttempts() throws {
        let transport = ScriptedTransport(fallback: Self.scimError(429, scimType: "tooMany", detail: "Rate limit exceeded", headers: [("Retry-After", "1")]))
        let sleeps = SleepRecorder()

        let error = try #require(throws: SCIMError.self) { try Self.client(transport, sleeps: sleeps).deactivate(userId: "u1") }

        #expect(error.failure == .throttled(attempts: SCIMClient.maximumAttempts))
        #expect(error.status == 429)
        #expect(transport.sentRequests.count == SCIMClient.maximumAttempts)
        #expect(sleeps.sleeps.count == SCIMClient.maximumAttempts - 1)
        #expect(error.description == "SCIM app \(Self.base): PATCH /Users/u1 failed: still throttled after 5 attempts (HTTP 429); the app is busy, try again later; SCIM error: scimType tooMany, detail \"Rate limit exceeded\"")
    }

    @Test func transientNetworkFailuresAreRetriedThenSucceed() throws {
        let transport = ScriptedTransport([
            { throw TransportError.network(code: 7, message: "Failed to connect", url: $0.url) },
        ], fallback: ScriptedTransport.json(204, ""))
        let sleeps = SleepRecorder()
        try Self.client(transport, sleeps: sleeps).deactivate(userId: "u1")
        #expect(transport.sentRequests.count == 2)
        #expect(sleeps.sleeps.count == 1)
    }

    @Test func aRefusedURLIsUnreachableWithoutRetrying() throws {
        let transport = ScriptedTransport(fallback: { throw TransportError.refusedURL(url: $0.url, reason: "plain http is only allowed to loopback") })
        let error = try #require(throws: SCIMError.self) { try Self.client(transport).findUsers(matching: .email, value: "a@b.c") }
        #expect(error.failure == .unreachable(.refusedURL(url: Self.base + "/Users?filter=emails.value%20eq%20%22a%40b.c%22&startIndex=1&count=100",
                                                          reason: "plain http is only allowed to loopback")))
        #expect(transport.sentRequests.count == 1)
    }

    @Test(arguments: [
        ("<html><body>502 Bad Gateway</body></html>", "not SCIM JSON"),
        (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"Resources":[]}"#, "totalResults"),
        (#"{"totalResults":1,"Resources":[{"userName":"alice"}]}"#, "missing id"),
        (#"{"totalResults":1,"Resources":[{"id":"u1","userName":"alice","active":"maybe"}]}"#, "active"),
        (#"{"totalResults":1,"Resources":[{"id":"u1","userName":"alice""#, "not SCIM JSON"),
    ])
    func malformedJSONIsReportedWithTheStatus(body: String, mentions: String) throws {
        let transport = ScriptedTransport(fallback: ScriptedTransport.json(200, body))
        let error = try #require(throws: SCIMError.self) { try Self.client(transport).findUsers(matching: .userName, value: "alice") }
        guard case .malformedResponse = error.failure else {
            Issue.record("expected malformedResponse, got \(error)")
            return
        }
        #expect(error.status == 200)
        #expect(error.description.contains(mentions))
        #expect(!error.description.contains("\n"))
    }

    @Test func theSCIMErrorBodyIsSurfacedOnOneLine() throws {
        let transport = ScriptedTransport(fallback: Self.scimError(400, scimType: "invalidFilter", detail: #"The filter is invalid:\nunsupported attribute"#))
        let error = try #require(throws: SCIMError.self) { try Self.client(transport).findUsers(matching: .email, value: "alice@contoso.com") }

        #expect(error.failure == .rejected)
        #expect(error.scimError == SCIMErrorDetail(status: "400", scimType: "invalidFilter", detail: "The filter is invalid: unsupported attribute"))
        #expect(error.description == #"SCIM app \#(Self.base): GET /Users?filter=emails.value eq "alice@contoso.com" failed: the app answered with an error (HTTP 400); SCIM error: scimType invalidFilter, detail "The filter is invalid: unsupported attribute""#)
    }

    @Test func aNonSCIMErrorBodyIsQuotedShortened() throws {
        let page = "<html><title>Service Unavailable</title>" + String(repeating: "x", count: 2_000) + "</html>"
        let transport = ScriptedTransport(fallback: ScriptedTransport.json(500, page))
        let error = try #require(throws: SCIMError.self) { try Self.client(transport).deactivate(userId: "u1") }
        #expect(error.scimError == nil)
        #expect(error.responseExcerpt?.hasPrefix("<html><title>Service Unavailable</title>") == true)
        #expect(error.description.count < 500)
    }

    @Test func aTokenEchoedByTheAppNeverReachesTheError() throws {
        let transport = ScriptedTransport(fallback: Self.scimError(403, detail: "Token Bearer \(Self.token) lacks scope scim.write"))
        let error = try #require(throws: SCIMError.self) { try Self.client(transport).deactivate(userId: "u1") }
        #expect(error.failure == .unauthorized)
        #expect(error.status == 403)
        #expect(!error.description.contains(Self.token))
        #expect(error.description.contains("lacks scope scim.write"))
    }

    @Test func credentialsInTheBaseURLNeverReachTheError() throws {
        let transport = ScriptedTransport(fallback: Self.scimError(404, detail: "no such endpoint"))
        let client = SCIMClient(transport: transport, baseURL: "https://admin:hunter2@apps.contoso.example/scim", token: Self.token, sleep: { _ in })
        let error = try #require(throws: SCIMError.self) { try client.findUsers(matching: .userName, value: "alice") }
        #expect(error.failure == .notFound)
        #expect(!error.description.contains("hunter2"))
    }

    @Test func aServerThatIgnoresStartIndexIsStoppedNotFollowed() throws {
        let transport = ScriptedTransport(fallback: Self.list(total: 10, [("u1", "alice"), ("u2", "Alice")]))
        let error = try #require(throws: SCIMError.self) { try Self.client(transport, pageSize: 2).findUsers(matching: .userName, value: "alice") }
        guard case .unexpectedResponse(let reason) = error.failure else {
            Issue.record("expected unexpectedResponse, got \(error)")
            return
        }
        #expect(reason.contains("startIndex 3"))
        #expect(transport.sentRequests.count == 2)
    }

    @Test func aServerThatRepeatsAccountsIsStoppedNotFollowed() throws {
        let transport = ScriptedTransport([Self.list(total: 10, [("u1", "alice"), ("u2", "alice")])],
                                          fallback: Self.list(total: 10, startIndex: 3, [("u2", "alice"), ("u3", "alice")]))
        let error = try #require(throws: SCIMError.self) { try Self.client(transport, pageSize: 2).findUsers(matching: .userName, value: "alice") }
        guard case .unexpectedResponse(let reason) = error.failure else {
            Issue.record("expected unexpectedResponse, got \(error)")
            return
        }
        #expect(reason.contains("u2 again"))
    }

    @Test func pagingIsCappedForAServerThatNeverEnds() throws {
        let counter = PageCounter()
        let transport = ScriptedTransport(fallback: { _ in
            let page = counter.next()
            return try Self.list(total: 1_000_000, startIndex: 1 + (page - 1) * 2, [("p\(page)-a", "alice"), ("p\(page)-b", "alice")])(HTTPRequest(method: "GET", url: ""))
        })
        let error = try #require(throws: SCIMError.self) { try Self.client(transport, pageSize: 2).findUsers(matching: .userName, value: "alice") }
        guard case .unexpectedResponse(let reason) = error.failure else {
            Issue.record("expected unexpectedResponse, got \(error)")
            return
        }
        #expect(reason.contains("past \(SCIMClient.maximumPages) pages"))
        #expect(transport.sentRequests.count == SCIMClient.maximumPages)
    }

    @Test func aServerThatIgnoresTheFilterIsReportedInsteadOfTrusted() throws {
        let transport = ScriptedTransport(fallback: Self.list(total: 3, [("u1", "alice"), ("u2", "bob"), ("u3", "carol")]))
        let error = try #require(throws: SCIMError.self) { try Self.client(transport).findUsers(matching: .userName, value: "alice") }
        guard case .unexpectedResponse(let reason) = error.failure else {
            Issue.record("expected unexpectedResponse, got \(error)")
            return
        }
        #expect(reason.contains("u2"))
        #expect(reason.contains("filter"))
    }

    @Test func anExternalIdDifferingOnlyInCaseIsNotThePerson() throws {
        let transport = ScriptedTransport(fallback: ScriptedTransport.json(200, #"{"totalResults":2,"Resources":[{"id":"u1","userName":"a","externalId":"ABC"},{"id":"u2","userName":"b","externalId":"abc"}]}"#))
        let found = try Self.client(transport).findUsers(matching: .externalId, value: "abc")
        #expect(found.map(\.id) == ["u2"])
    }

    @Test func anEmptyValueIsRefusedBeforeAnythingIsSent() throws {
        let transport = ScriptedTransport(fallback: Self.list(total: 0, []))
        #expect(throws: SCIMError.self) { try Self.client(transport).findUsers(matching: .email, value: "") }
        #expect(throws: SCIMError.self) { try Self.client(transport).deactivate(userId: "") }
        #expect(transport.sentRequests.isEmpty)
    }
}

/// Counts pages served by a scripted endless server.
private final class PageCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var served = 0
    func next() -> Int { lock.withLock { served += 1; return served } }
}
