import Foundation
import Testing
@testable import GraphEmulator

/// The fault plan's network- and server-level failures, observed on the socket, and their (lack of) effect.
@Suite struct TransportFaultTests {
    static let disable = #"{"accountEnabled":false}"#

    static func harness(_ configure: (inout FaultPlan) -> Void) throws -> Harness {
        var options = EmulatorOptions()
        configure(&options.faults)
        return try Harness(options: options)
    }

    @Test func faultsAreScheduledByGraphRequestNumberAndTheFirstListedWins() {
        var plan = FaultPlan()
        #expect((1...12).compactMap { plan.fault(forGraphRequest: $0) }.isEmpty, "every fault is off by default")
        plan.resetEveryNth = 6
        plan.serverErrorEveryNth = 3
        plan.throttleEveryNth = 2
        #expect((1...6).map { plan.fault(forGraphRequest: $0) } == [nil, .throttled, .serverError, .throttled, nil, .reset])
        #expect(!FaultPlan().tokenEndpointDown && !FaultPlan().endlessPaging && FaultPlan().stallEveryNth == 0)
    }

    @Test func resetClosesWithRSTUnansweredAndTheWriteHasNoEffect() throws {
        let harness = try Self.harness { $0.resetEveryNth = 2 }
        let token = try harness.token()
        #expect(try harness.graph("/v1.0/users", token: token).status == 200)
        let reset = try RawExchange.perform(port: harness.client.port.asInt, "PATCH", "/v1.0/devices/\(Fixture.bobWindows)",
                                            token: token, body: Self.disable)
        #expect(reset.ending == .reset)
        #expect(reset.received.isEmpty)
        #expect(harness.emulator.device(id: Fixture.bobWindows)?["accountEnabled"] as? Bool == true)
        let write = try #require(harness.emulator.recordedWrites().last)
        #expect(write.status == 0 && write.fault == .reset)
        #expect(try harness.graph("PATCH", "/v1.0/devices/\(Fixture.bobWindows)", token: token, body: Self.disable).status == 204)
    }

    @Test func truncatedBodyAnnouncesTheFullLengthSendsHalfAndCloses() throws {
        let harness = try Self.harness { $0.truncateEveryNth = 1 }
        let token = try harness.token()
        let page = try RawExchange.perform(port: harness.client.port.asInt, "GET", "/v1.0/users", token: token)
        #expect(page.status == 200)
        #expect(page.ending == .closed)
        let body = try #require(page.announcedAndReceivedBody)
        #expect(body.announced > 100)
        #expect(body.received == body.announced / 2)
        #expect(page.text.contains(#""value":["#), "the first half of the real page")
        let record = try #require(harness.emulator.recordedRequests().last)
        #expect(record.status == 0 && record.fault == .truncatedBody)
    }

    @Test func aTruncatedWriteChangesNothingAndStillLosesBytes() throws {
        let harness = try Self.harness { $0.truncateEveryNth = 1 }
        let token = try harness.token()
        let write = try RawExchange.perform(port: harness.client.port.asInt, "PATCH", "/v1.0/devices/\(Fixture.bobWindows)",
                                            token: token, body: Self.disable)
        let body = try #require(write.announcedAndReceivedBody)
        #expect(body.received < body.announced)
        #expect(write.ending == .closed)
        #expect(harness.emulator.device(id: Fixture.bobWindows)?["accountEnabled"] as? Bool == true)
        #expect(harness.emulator.recordedWrites().map(\.status) == [0])
    }

    @Test func malformedJSONAnswers200WithABodyThatDoesNotParse() throws {
        let harness = try Self.harness { $0.malformedJSONEveryNth = 1 }
        let token = try harness.token()
        let page = try harness.graph("/v1.0/users", token: token)
        #expect(page.status == 200)
        #expect(page.text == #"{"value": [ {"id": "#)
        #expect(throws: (any Error).self) { try JSONSerialization.jsonObject(with: page.body) }
        #expect(page.headers["request-id"]?.isEmpty == false)
        let sessionsValidFrom = { harness.emulator.user(id: Fixture.bob)?["signInSessionsValidFromDateTime"] as? String }
        let before = sessionsValidFrom()
        let write = try harness.graph("POST", "/v1.0/users/\(Fixture.bob)/revokeSignInSessions", token: token)
        #expect(write.status == 200)
        #expect(sessionsValidFrom() == before, "no revocation happened")
        #expect(harness.emulator.recordedWrites().map(\.fault) == [.malformedJSON])
    }

    @Test func stallAnswersNothingThenClosesWithoutHoldingUpOtherClients() async throws {
        let harness = try Self.harness {
            $0.stallEveryNth = 1
            $0.stallSeconds = 1.5
        }
        let token = try harness.token()
        let port = harness.client.port.asInt
        let stalled = Task.detached { try RawExchange.perform(port: port, "GET", "/v1.0/users", token: token) }
        // Lift the fault only once the stalled request was dispatched (its stall length is fixed then): a blind
        // sleep lost that race on a loaded machine, and the request was answered without a fault.
        let deadline = Date().addingTimeInterval(10)
        while harness.emulator.recordedRequests().first(where: { $0.fault == .stall }) == nil && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        harness.emulator.setFaults(FaultPlan())
        let other = try RawExchange.perform(port: port, "GET", "/v1.0/users/\(Fixture.alice)", token: token, readTimeout: 0.5)
        #expect(other.status == 200, "another connection is served while one stalls")
        let result = try await stalled.value
        #expect(result.received.isEmpty)
        #expect(result.ending == .closed)
        #expect(result.elapsed >= 1.4 && result.elapsed < 4)
        #expect(harness.emulator.recordedRequests().first { $0.fault == .stall }?.status == 0)
    }

    @Test func aClientTimeoutFiresDuringAStallAndStopIsNotHeldUpByIt() throws {
        let harness = try Self.harness {
            $0.stallEveryNth = 1
            $0.stallSeconds = 60
        }
        let token = try harness.token()
        let gaveUp = try RawExchange.perform(port: harness.client.port.asInt, "GET", "/v1.0/users", token: token, readTimeout: 0.3)
        #expect(gaveUp.ending == .timedOut, "the client's own timeout fires")
        let start = Date()
        harness.emulator.stop()
        #expect(Date().timeIntervalSince(start) < 5, "stop() is not held up by the stall")
    }

    @Test func serverErrorAnswers500GeneralExceptionWithoutRetryAfter() throws {
        let harness = try Self.harness { $0.serverErrorEveryNth = 1 }
        let token = try harness.token()
        let result = try harness.graph("PATCH", "/v1.0/devices/\(Fixture.bobWindows)", token: token, body: Self.disable)
        #expect(result.status == 500)
        #expect(result.errorCode == "generalException")
        #expect(result.headers["retry-after"] == nil)
        #expect(result.headers["request-id"]?.isEmpty == false)
        #expect(harness.emulator.device(id: Fixture.bobWindows)?["accountEnabled"] as? Bool == true)
        #expect(harness.emulator.recordedWrites().map(\.status) == [500])
    }

    @Test func tokenEndpointDownAnswers503ToEveryTokenRequestAndIsNotCountedAsGraph() throws {
        let harness = try Self.harness { _ in }
        let token = try harness.token()
        var faults = FaultPlan()
        faults.tokenEndpointDown = true
        faults.serverErrorEveryNth = 2
        faults.retryAfterSeconds = 4
        harness.emulator.setFaults(faults)
        for _ in 0..<3 {
            let down = try harness.requestToken()
            #expect(down.status == 503)
            #expect(down.json["error"] as? String == "temporarily_unavailable")
            #expect((down.json["error_description"] as? String)?.hasPrefix("AADSTS90033") == true)
            #expect(down.headers["retry-after"] == "4")
        }
        #expect(try harness.graph("/v1.0/users", token: token).status == 200, "Graph request 1; token requests are not counted")
        #expect(try harness.graph("/v1.0/users", token: token).status == 500, "Graph request 2")
        let tokenRecords = harness.emulator.recordedRequests().filter(\.tokenEndpoint)
        #expect(tokenRecords.map(\.status) == [200, 503, 503, 503])
        #expect(tokenRecords.map(\.fault) == [nil, .tokenEndpointDown, .tokenEndpointDown, .tokenEndpointDown])
    }

    @Test func endlessPagingLinksOnForeverWithAFreshTokenEachTime() throws {
        var options = EmulatorOptions()
        options.pageCapUsers = 4
        options.faults.endlessPaging = true
        let harness = try Harness(tenant: Fixture.tenant(extraUsers: 6), options: options)
        let token = try harness.token()
        var next: String? = "/v1.0/users?$select=id"
        var links = Set<String>()
        var ids: [String] = []
        for _ in 0..<12 {
            let page = try harness.graph(try #require(next), token: token)
            #expect(page.status == 200)
            ids += page.values.compactMap { $0["id"] as? String }
            next = page.nextLink
            #expect(links.insert(try #require(next, "every page links on")).inserted, "each nextLink is new")
        }
        #expect(ids.count == 9 && Set(ids).count == 9, "the real users once, then empty pages")
        #expect(next?.contains("$select=id") == true, "options are carried as Graph does")
    }

    @Test func controlEndpointReadsAndReplacesEveryFaultField() throws {
        let harness = try Harness()
        let body = #"{"resetEveryNth":3,"truncateEveryNth":4,"malformedJSONEveryNth":5,"stallEveryNth":6,"stallSeconds":0.5,"#
            + #""serverErrorEveryNth":7,"tokenEndpointDown":true,"endlessPaging":true,"throttleEveryNth":8,"retryAfterSeconds":2}"#
        let set = try harness.client.send("POST", "/_emulator/faults", headers: ["Content-Type": "application/json"], body: body)
        #expect(set.status == 200)
        var expected = FaultPlan()
        expected.resetEveryNth = 3
        expected.truncateEveryNth = 4
        expected.malformedJSONEveryNth = 5
        expected.stallEveryNth = 6
        expected.stallSeconds = 0.5
        expected.serverErrorEveryNth = 7
        expected.tokenEndpointDown = true
        expected.endlessPaging = true
        expected.throttleEveryNth = 8
        expected.retryAfterSeconds = 2
        let read = try harness.client.send("GET", "/_emulator/faults")
        #expect(GraphEmulator.faultPlan(from: read.json) == expected)
        #expect(harness.emulator.synchronized { harness.emulator.faults } == expected)
    }
}

private extension UInt16 {
    var asInt: Int { Int(self) }
}
