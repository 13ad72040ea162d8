import Foundation
import Testing
@testable import LeaverSweepKit
import TestSupport

@Suite struct GraphClientTests {
    let endpoint = URL(string: "https://graph.microsoft.com")!

    func client(_ transport: ScriptedTransport, tokens: CountingTokenProvider = CountingTokenProvider(), sleeps: SleepRecorder = SleepRecorder()) -> GraphClient {
        GraphClient(transport: transport, tokens: tokens, endpoint: endpoint, sleep: sleeps.sleep)
    }

    @Test func honoursRetryAfterOnThrottlingThenSucceeds() throws {
        let transport = ScriptedTransport([
            ScriptedTransport.graphError(429, code: "TooManyRequests", message: "Too many requests.", headers: [("Retry-After", "7")]),
            ScriptedTransport.graphError(503, code: "serviceNotAvailable", message: "busy", headers: [("Retry-After", "2")]),
        ], fallback: ScriptedTransport.json(200, #"{"value":true}"#))
        let sleeps = SleepRecorder()
        let response = try client(transport, sleeps: sleeps).send("POST", "/users/u1/revokeSignInSessions")
        #expect(response.status == 200)
        #expect(transport.sentRequests.count == 3)
        #expect(sleeps.sleeps.count == 2)
        #expect(sleeps.sleeps[0] >= 7 && sleeps.sleeps[0] <= 7.25)
        #expect(sleeps.sleeps[1] >= 2 && sleeps.sleeps[1] <= 2.25)
    }

    @Test func givesUpAfterABoundedNumberOfAttemptsWithGraphsError() throws {
        let transport = ScriptedTransport(fallback: ScriptedTransport.graphError(429, code: "TooManyRequests", message: "Too many requests.", requestId: "r-429", headers: [("Retry-After", "1")]))
        #expect {
            try client(transport).send("GET", "/users")
        } throws: { error in
            guard case RunFailure.graph(let graph) = error else { return false }
            return graph.info.code == "TooManyRequests" && graph.info.requestId == "r-429" && graph.info.httpStatus == 429
        }
        #expect(transport.sentRequests.count == GraphClient.maximumAttempts)
    }

    @Test func fetchesANewTokenOnceWhenGraphSaysItExpired() throws {
        let transport = ScriptedTransport([
            ScriptedTransport.graphError(401, code: "InvalidAuthenticationToken", message: "Lifetime validation failed, the token is expired."),
        ], fallback: ScriptedTransport.json(200, #"{"value":[]}"#))
        let tokens = CountingTokenProvider()
        _ = try client(transport, tokens: tokens).send("GET", "/users")
        #expect(tokens.invalidated == 1)
        #expect(transport.sentRequests.map { $0.headers.first { $0.name == "Authorization" }?.value } == ["Bearer token-0", "Bearer token-1"])
    }

    @Test func doesNotLoopOnARejectedFreshToken() throws {
        let transport = ScriptedTransport(fallback: ScriptedTransport.graphError(401, code: "InvalidAuthenticationToken", message: "Invalid token"))
        #expect(throws: RunFailure.self) { try client(transport).send("GET", "/users") }
        #expect(transport.sentRequests.count == 1 + GraphClient.maximumTokenRefreshes, "a bounded number of fresh tokens, then the error")
    }

    @Test func sendsAFreshClientRequestIdOnEveryRequestAndKeepsGraphsRequestIdOnErrors() throws {
        let transport = ScriptedTransport([
            ScriptedTransport.graphError(503, code: "serviceNotAvailable", message: "busy", headers: [("Retry-After", "0")]),
        ], fallback: ScriptedTransport.graphError(400, code: "Request_BadRequest", message: "Properties other than ExtendedAttribute1..15 can be modified only on windows devices.", requestId: "graph-req-42"))
        var thrown: GraphError?
        do {
            _ = try client(transport).send("PATCH", "/devices/d1", json: Data(#"{"accountEnabled":false}"#.utf8))
        } catch RunFailure.graph(let error) {
            thrown = error
        }
        let ids = transport.sentRequests.compactMap { $0.headers.first { $0.name == "client-request-id" }?.value }
        #expect(ids.count == 2 && Set(ids).count == 2)
        #expect(thrown?.info.requestId == "graph-req-42")
        #expect(thrown?.info.clientRequestId == ids.last)
        #expect(thrown?.description.contains("Request_BadRequest") == true)
        #expect(thrown?.description.contains("token") == false, "errors never carry the bearer token")
    }

    @Test func followsNextLinksOpaquelyButNeverToAnotherHost() throws {
        let transport = ScriptedTransport([
            ScriptedTransport.json(200, #"{"value":[{"id":"a"}],"@odata.nextLink":"https://graph.microsoft.com/v1.0/users?$skiptoken=OPAQUE%2B1"}"#),
            ScriptedTransport.json(200, #"{"value":[{"id":"b"}],"@odata.nextLink":"https://evil.example/v1.0/users?$skiptoken=x"}"#),
        ], fallback: ScriptedTransport.json(200, #"{"value":[]}"#))
        var ids: [String] = []
        #expect(throws: RunFailure.self) {
            try client(transport).forEachPage("/users?$top=999", as: UserPayload.self) { page in ids += page.map(\.id) }
        }
        #expect(ids == ["a", "b"])
        #expect(transport.sentRequests.map(\.url) == ["https://graph.microsoft.com/v1.0/users?$top=999", "https://graph.microsoft.com/v1.0/users?$skiptoken=OPAQUE%2B1"])
    }

    @Test func retriesA503OnANewConnection() throws {
        let transport = ScriptedTransport([
            ScriptedTransport.graphError(503, code: "serviceNotAvailable", message: "busy", headers: [("Retry-After", "0")]),
        ], fallback: ScriptedTransport.json(200, #"{"value":[]}"#))
        _ = try client(transport).send("GET", "/users")
        #expect(transport.sentRequests.map(\.freshConnection) == [false, true])
    }

    @Test func comparesTheNextLinkOriginCaseInsensitively() throws {
        let transport = ScriptedTransport([
            ScriptedTransport.json(200, #"{"value":[{"id":"a"}],"@odata.nextLink":"HTTPS://Graph.Microsoft.com:443/v1.0/users?$skiptoken=x"}"#),
        ], fallback: ScriptedTransport.json(200, #"{"value":[{"id":"b"}]}"#))
        var ids: [String] = []
        try client(transport).forEachPage("/users", as: UserPayload.self) { ids += $0.map(\.id) }
        #expect(ids == ["a", "b"])
    }

    @Test func retriesTransientNetworkErrorsButNotTLSFailures() throws {
        let reset = ScriptedTransport([{ _ in throw TransportError.network(code: 56, message: "Connection reset by peer", url: "x") }],
                                      fallback: ScriptedTransport.json(200, #"{"value":[]}"#))
        _ = try client(reset).send("GET", "/users")
        #expect(reset.sentRequests.count == 2)

        let tls = ScriptedTransport(fallback: { _ in throw TransportError.network(code: 60, message: "SSL certificate problem", url: "x") })
        #expect(throws: RunFailure.self) { try client(tls).send("GET", "/users") }
        #expect(tls.sentRequests.count == 1)
    }
}

@Suite struct GraphPayloadTests {
    @Test func readsUsersIgnoringUnknownPropertiesAndAcceptingBothTimestampForms() throws {
        let json = #"""
        {"value":[
          {"id":"u1","userPrincipalName":"a@contoso.com","accountEnabled":false,"signInSessionsValidFromDateTime":"2026-11-20T10:00:00Z","onPremisesSyncEnabled":null,"newGraphProperty":{"x":1}},
          {"id":"u2","userPrincipalName":"b@contoso.com","accountEnabled":true,"signInSessionsValidFromDateTime":"2026-11-20T10:00:00.1234567Z"}
        ]}
        """#
        let page = try JSONDecoder().decode(GraphPage<UserPayload>.self, from: Data(json.utf8))
        let users = try page.value.map { try $0.model() }
        #expect(users.map(\.accountEnabled) == [false, true])
        let fraction = try #require(users[1].signInSessionsValidFrom).timeIntervalSince1970 - 1_795_168_800
        #expect(abs(fraction - 0.1234567) < 0.000_01)
    }

    @Test func refusesToGuessWhenAccountEnabledIsMissing() throws {
        let page = try JSONDecoder().decode(GraphPage<UserPayload>.self, from: Data(#"{"value":[{"id":"u1","displayName":"no select"}]}"#.utf8))
        #expect(throws: RunFailure.self) { try page.value[0].model() }
    }
}
