import Foundation
import Testing
@testable import LeaverSweepKit
import TestSupport

@Suite struct GraphDeltaTests {
    let endpoint = URL(string: "https://graph.microsoft.com")!

    @Test func followsNextLinksToTheDeltaLinkAndReportsRemovals() throws {
        let transport = ScriptedTransport([
            ScriptedTransport.json(200, #"{"value":[{"id":"u1","accountEnabled":false}],"@odata.nextLink":"https://graph.microsoft.com/v1.0/users/delta?$skiptoken=abc"}"#),
            ScriptedTransport.json(200, #"{"value":[{"id":"u2","@removed":{"reason":"deleted"}}],"@odata.deltaLink":"https://graph.microsoft.com/v1.0/users/delta?$deltatoken=xyz"}"#),
        ], fallback: ScriptedTransport.json(500, "{}"))
        let client = GraphClient(transport: transport, tokens: CountingTokenProvider(), endpoint: endpoint, sleep: { _ in })
        var entries: [DeltaEntry<UserPayload>] = []
        let link = try client.readDelta("/users/delta?$select=id,accountEnabled", collection: "users", as: UserPayload.self) { entries += $0 }
        #expect(link == "https://graph.microsoft.com/v1.0/users/delta?$deltatoken=xyz")
        #expect(entries.map(\.id) == ["u1", "u2"])
        #expect(entries[0].removed == nil && entries[0].payload.accountEnabled == false)
        #expect(entries[1].removed?.reason == "deleted")
    }

    @Test(arguments: [(410, "syncStateNotFound"), (400, "syncStateNotFound"), (400, "resyncRequired")])
    func aRejectedDeltaLinkSaysSoSoTheCallerCanReadEverything(status: Int, code: String) {
        let transport = ScriptedTransport(fallback: ScriptedTransport.graphError(status, code: code, message: "The sync state is gone."))
        let client = GraphClient(transport: transport, tokens: CountingTokenProvider(), endpoint: endpoint, sleep: { _ in })
        #expect(throws: DeltaLinkRejected.self) {
            try client.readDelta("https://graph.microsoft.com/v1.0/users/delta?$deltatoken=old", collection: "users", as: UserPayload.self) { _ in }
        }
    }

    @Test func refusesADeltaLinkToAnotherHost() {
        let transport = ScriptedTransport(fallback: ScriptedTransport.json(200, #"{"value":[],"@odata.deltaLink":"https://evil.example/v1.0/users/delta?$deltatoken=x"}"#))
        let client = GraphClient(transport: transport, tokens: CountingTokenProvider(), endpoint: endpoint, sleep: { _ in })
        #expect(throws: RunFailure.self) {
            try client.readDelta("/users/delta?$deltatoken=latest", collection: "users", as: UserPayload.self) { _ in }
        }
    }
}

@Suite struct AdaptiveConcurrencyTests {
    @Test func halvesOnThrottlingAtMostOncePerCooldownAndClimbsBackSlowly() {
        let clock = FakeClock()
        let gate = AdaptiveConcurrency(maximum: 16, cooldown: 1, clock: clock.now)
        gate.acquire()
        gate.release(throttled: true)
        #expect(gate.state.limit == 8)
        gate.acquire()
        gate.release(throttled: true)
        #expect(gate.state.limit == 8, "a second 429 within the cooldown was already in flight: no second halving")
        clock.advance(1.5)
        gate.acquire()
        gate.release(throttled: true)
        #expect(gate.state.limit == 4 && gate.state.lowest == 4)
        clock.advance(1.5)
        gate.acquire()
        gate.release(throttled: true)
        #expect(gate.state.limit == 4, "never below a quarter of the maximum")
        // About one more per round of `limit` successes: 4 → 5 takes five.
        for _ in 0..<4 { gate.acquire(); gate.release(throttled: false) }
        #expect(gate.state.limit == 4)
        gate.acquire()
        gate.release(throttled: false)
        #expect(gate.state.limit == 5)
        for _ in 0..<200 { gate.acquire(); gate.release(throttled: false) }
        #expect(gate.state.limit == 16)
    }

    @Test func neverLetsMoreThanTheLimitThrough() throws {
        let gate = AdaptiveConcurrency(maximum: 3)
        let meter = InFlightMeter()
        try ParallelWork.forEach(Array(0..<40), threads: 10) { _ in
            gate.acquire()
            meter.enter()
            usleep(2000)
            meter.leave()
            gate.release(throttled: false)
        }
        #expect(meter.peak <= 3 && meter.peak >= 2)
    }
}

final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: TimeInterval = 100
    var now: @Sendable () -> TimeInterval { { [self] in lock.withLock { seconds } } }
    func advance(_ by: TimeInterval) { lock.withLock { seconds += by } }
}

final class InFlightMeter: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    private(set) var peak = 0
    func enter() { lock.withLock { current += 1; peak = max(peak, current) } }
    func leave() { lock.withLock { current -= 1 } }
}

@Suite struct NextLinkPrefetchTests {
    @Test func findsTheTopLevelNextLinkAndNothingAStringCouldFake() {
        let page = #"{"value":[{"id":"u1","displayName":"\"@odata.nextLink\":\"https://evil.example/\""}],"@odata.nextLink" : "https://graph.microsoft.com/v1.0/users?$skiptoken=abc"}"#
        #expect(NextLinkScan.find(in: Data(page.utf8)) == "https://graph.microsoft.com/v1.0/users?$skiptoken=abc")
        #expect(NextLinkScan.find(in: Data(#"{"value":[]}"#.utf8)) == nil)
        #expect(NextLinkScan.find(in: Data(#"{"@odata.nextLink":"https:\/\/graph.microsoft.com\/x"}"#.utf8)) == nil, "escapes are left to the decoder")
    }

    @Test func pagesArriveInOrderWithOneRequestEachWhenTheHintIsRight() throws {
        let transport = ScriptedTransport(fallback: { request in
            let page = request.url.hasSuffix("page=2") ? 2 : request.url.hasSuffix("page=3") ? 3 : 1
            let next = page < 3 ? #","@odata.nextLink":"https://graph.microsoft.com/v1.0/users?page=\#(page + 1)""# : ""
            return HTTPResponse(status: 200, body: Data(#"{"value":[{"id":"u\#(page)"}]\#(next)}"#.utf8))
        })
        let client = GraphClient(transport: transport, tokens: CountingTokenProvider(), endpoint: URL(string: "https://graph.microsoft.com")!, sleep: { _ in })
        var ids: [String] = []
        try client.forEachPage("/users", as: IdOnly.self) { ids += $0.map(\.id) }
        #expect(ids == ["u1", "u2", "u3"])
        #expect(transport.sentRequests.count == 3)
    }

    @Test func aWrongHintIsThrownAwayAndTheRealNextLinkFollowed() throws {
        // A nested object carries a nextLink-looking key; the page's own nextLink comes later in the document.
        let transport = ScriptedTransport(fallback: { request in
            if request.url.hasSuffix("/users") {
                return HTTPResponse(status: 200, body: Data(#"{"value":[{"id":"u1","extra":{"@odata.nextLink":"https://graph.microsoft.com/v1.0/decoy"}}],"@odata.nextLink":"https://graph.microsoft.com/v1.0/users?page=2"}"#.utf8))
            }
            if request.url.hasSuffix("decoy") { return HTTPResponse(status: 200, body: Data(#"{"value":[{"id":"decoy"}]}"#.utf8)) }
            return HTTPResponse(status: 200, body: Data(#"{"value":[{"id":"u2"}]}"#.utf8))
        })
        let client = GraphClient(transport: transport, tokens: CountingTokenProvider(), endpoint: URL(string: "https://graph.microsoft.com")!, sleep: { _ in })
        var ids: [String] = []
        try client.forEachPage("/users", as: IdOnly.self) { ids += $0.map(\.id) }
        #expect(ids == ["u1", "u2"], "the decoy's answer was never used")
    }
}
