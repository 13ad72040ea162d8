import Foundation
import Testing
@testable import LeaverSweepKit
import TestSupport

/// The SCIM client against a real SCIM 2.0 server (scim2-server) through the real libcurl transport.
@Suite struct SCIMClientTests {
    /// Records what the client sent while libcurl carries it to the real server.
    static func recordingCurl() throws -> ScriptedTransport {
        let curl = try CurlHTTPTransport()
        return ScriptedTransport(fallback: { try curl.perform($0) })
    }

    static func client(_ server: LoopbackSCIMServer, transport: HTTPTransport? = nil, token: String? = nil,
                       pageSize: Int = 100, sleeps: SleepRecorder = SleepRecorder()) throws -> SCIMClient {
        SCIMClient(transport: try transport ?? CurlHTTPTransport(), baseURL: server.baseURL, token: token ?? server.token,
                   pageSize: pageSize, sleep: sleeps.sleep)
    }

    /// Alice, and decoys that carry her values in the other attributes, so a lookup on the wrong attribute shows.
    static let alice = LoopbackSCIMServer.Account(userName: "alice", externalId: "6f1c2d3e-alice", emails: ["alice.smith@contoso.com"],
                                                  active: true, displayName: "Alice Smith")
    static let decoys = [
        LoopbackSCIMServer.Account(userName: "alice.smith@contoso.com", externalId: "decoy-1", emails: ["someone@contoso.com"]),
        LoopbackSCIMServer.Account(userName: "6f1c2d3e-alice", externalId: "alice", emails: ["alice@contoso.com"]),
        LoopbackSCIMServer.Account(userName: "alice2", externalId: "6f1c2d3e-alice-2", emails: ["alice.smith@contoso.com.evil.example"]),
    ]

    @Test(arguments: [
        (SCIMMatch.userName, "alice"),
        (SCIMMatch.externalId, "6f1c2d3e-alice"),
        (SCIMMatch.email, "alice.smith@contoso.com"),
    ])
    func findsExactlyTheRightAccountForEachMatchKind(match: SCIMMatch, value: String) throws {
        let server = try LoopbackSCIMServer()
        let aliceId = try server.seed(Self.alice)
        for decoy in Self.decoys { try server.seed(decoy) }

        let found = try Self.client(server).findUsers(matching: match, value: value)

        #expect(found == [SCIMUser(id: aliceId, userName: "alice", externalId: "6f1c2d3e-alice", active: true,
                                   emails: ["alice.smith@contoso.com"], displayName: "Alice Smith")])
    }

    @Test func userNameAndEmailIgnoreCaseButExternalIdDoesNot() throws {
        let server = try LoopbackSCIMServer()
        let aliceId = try server.seed(Self.alice)
        let client = try Self.client(server)

        #expect(try client.findUsers(matching: .userName, value: "ALICE").map(\.id) == [aliceId])
        #expect(try client.findUsers(matching: .email, value: "Alice.Smith@Contoso.com").map(\.id) == [aliceId])
        #expect(try client.findUsers(matching: .externalId, value: "6F1C2D3E-ALICE").isEmpty)
        #expect(try client.findUsers(matching: .userName, value: "nobody").isEmpty)
    }

    @Test func hostileValuesAreEscapedAndFindOnlyTheirOwnAccount() throws {
        let hostile = [
            #"o"brien"#,
            #"back\slash"#,
            #"trailing\"#,
            #"\""#,
            #"x" or userName pr or userName eq "y"#,
            #"a") or (userName sw ""#,
            "amp&filter=userName pr#frag?%20+plus",
            "Zoë Ågren 山田",
        ]
        let server = try LoopbackSCIMServer()
        var ids: [String: String] = [:]
        for value in hostile { ids[value] = try server.seed(.init(userName: value)) }
        // Accounts a broken escape could select instead: the pieces of the hostile values.
        for value in ["o", "brien", "back", "slash", "trailing", "x", "y", "a", "amp", "Zoë"] { try server.seed(.init(userName: value)) }
        let client = try Self.client(server)

        for value in hostile {
            let found = try client.findUsers(matching: .userName, value: value)
            #expect(found.map(\.id) == [ids[value]!], "looking up \(value)")
            #expect(found.map(\.userName) == [value])
        }
    }

    @Test func deactivateSetsActiveFalseOnThatAccountOnly() throws {
        let server = try LoopbackSCIMServer()
        let leaverId = try server.seed(Self.alice)
        let otherIds = try Self.decoys.map { try server.seed($0) }
        let before = try server.accounts()
        let client = try Self.client(server)

        try client.deactivate(userId: leaverId)

        let after = try server.accounts()
        #expect(try server.account(id: leaverId)?.active == false)
        #expect(after.filter { $0.id != leaverId } == before.filter { $0.id != leaverId })
        #expect(otherIds.allSatisfy { id in after.first { $0.id == id }?.active == true })
        let seen = try client.findUsers(matching: .userName, value: "alice")
        #expect(seen.map(\.active) == [false])
        #expect(seen.map(\.isActive) == [false])
        // Deactivating an inactive account again is harmless.
        try client.deactivate(userId: leaverId)
        #expect(try server.account(id: leaverId)?.active == false)
    }

    @Test func readsEveryPageWhenTheAppPagesSmall() throws {
        let server = try LoopbackSCIMServer()
        // Several accounts of one person (emails need not be unique): seven, read three at a time.
        var expected: Set<String> = []
        for index in 1...7 {
            expected.insert(try server.seed(.init(userName: "shared-\(index)", emails: ["shared@contoso.com"])))
        }
        try server.seed(.init(userName: "other", emails: ["other@contoso.com"]))
        let transport = try Self.recordingCurl()

        let found = try Self.client(server, transport: transport, pageSize: 3).findUsers(matching: .email, value: "shared@contoso.com")

        #expect(found.count == 7)
        #expect(Set(found.map(\.id)) == expected)
        let pages = transport.sentRequests.map { URLComponents(string: $0.url)?.queryItems?.filter { $0.name != "filter" } ?? [] }
        #expect(pages == [1, 4, 7].map { [URLQueryItem(name: "startIndex", value: "\($0)"), URLQueryItem(name: "count", value: "3")] })
    }

    @Test func wrongTokenIsUnauthorizedAndTheTokenAppearsNowhere() throws {
        let server = try LoopbackSCIMServer()
        try server.seed(Self.alice)
        let wrongToken = "wrong-token-7d9f0c2b8a"
        let client = try Self.client(server, token: wrongToken)

        let attempts: [() throws -> Void] = [{ _ = try client.findUsers(matching: .userName, value: "alice") }, { try client.deactivate(userId: "any") }]
        for attempt in attempts {
            let error = try #require(throws: SCIMError.self) { try attempt() }
            #expect(error.failure == .unauthorized)
            #expect(error.status == 401)
            #expect(error.scimError?.detail?.isEmpty == false)
            #expect(error.description.contains(server.baseURL))
            #expect(!error.description.contains(wrongToken))
            #expect(!error.description.contains(server.token))
            #expect(!"\(error.failure)".contains(wrongToken))
        }
        #expect(try server.accounts().map(\.active) == [true])
    }

    @Test func deactivatingAnUnknownAccountIsNotFoundWithTheAppsSCIMError() throws {
        let server = try LoopbackSCIMServer()
        let error = try #require(throws: SCIMError.self) { try Self.client(server).deactivate(userId: "no-such-account") }
        #expect(error.failure == .notFound)
        #expect(error.status == 404)
        #expect(error.scimError?.status == "404")
        #expect(error.scimError?.detail?.contains("no-such-account") == true)
        #expect(error.description.contains("PATCH /Users/no-such-account"))
        #expect(error.description.contains("not found"))
    }

    @Test func closedPortIsUnreachableAfterABoundedNumberOfTries() throws {
        let baseURL = "http://127.0.0.1:\(try LoopbackSCIMServer.unusedPort())/scim/v2"
        let sleeps = SleepRecorder()
        let client = SCIMClient(transport: try CurlHTTPTransport(), baseURL: baseURL, token: "closed-port-token", sleep: sleeps.sleep)

        let error = try #require(throws: SCIMError.self) { try client.findUsers(matching: .userName, value: "alice") }

        guard case .unreachable(let transportError) = error.failure else {
            Issue.record("expected unreachable, got \(error)")
            return
        }
        #expect(transportError.isTransient)
        #expect(error.status == nil)
        #expect(sleeps.sleeps.count == SCIMClient.maximumNetworkAttempts - 1)
        #expect(error.description.hasPrefix("SCIM app \(baseURL): GET /Users?filter=userName eq \"alice\" failed: could not reach the app"))
        #expect(!error.description.contains("closed-port-token"))
    }
}
