import Foundation
import Testing
@testable import LeaverSweepKit
import TestSupport

/// `streamBatches`: a lane keeps sending fresh items while throttled ones wait out their `Retry-After`.
@Suite struct GraphBatchLaneTests {
    let endpoint = URL(string: "https://graph.microsoft.com")!
    let items = (0..<60).map { GraphBatchItem("POST", "/users/u\($0)/revokeSignInSessions") }

    /// Item 5 is throttled on its first attempt with `retryAfter`; every other answer is 204.
    static func throttlingItemFive(retryAfter: String, pauseOnBatch: Int? = nil) -> ScriptedTransport.Responder {
        let batches = AttemptCounter()
        let answer = GraphBatchTests.batchResponder { attempt, item in
            (item["id"] as? String == "5" && attempt == 1)
                ? (429, ["Retry-After": retryAfter], ["error": ["code": "TooManyRequests", "message": "slow down"]])
                : (204, [:], nil)
        }
        return { request in
            // Holds one batch's answer long enough for item 5's wait (Retry-After 0 plus up to 0.25 s jitter) to end.
            if batches.next("envelope") == pauseOnBatch { Thread.sleep(forTimeInterval: 0.4) }
            return try answer(request)
        }
    }

    static func innerIds(_ request: HTTPRequest) throws -> [Int] {
        let object = try JSONSerialization.jsonObject(with: request.body ?? Data()) as! [String: Any]
        return (object["requests"] as! [[String: Any]]).map { Int($0["id"] as! String)! }
    }

    @Test func aLaneSendsItsFreshItemsBeforeWaitingOutARetryAfter() throws {
        let transport = ScriptedTransport(fallback: Self.throttlingItemFive(retryAfter: "30"))
        let sleeps = SleepRecorder()
        let client = GraphClient(transport: transport, tokens: CountingTokenProvider(), endpoint: endpoint, sleep: sleeps.sleep)
        let results = client.batch(items, threads: 1)
        let sent = try transport.sentRequests.map(Self.innerIds)
        #expect(sent == [Array(0..<20), Array(20..<40), Array(40..<60), [5]])
        let slept = sleeps.sleeps.reduce(0, +)
        #expect(slept > 29 && slept <= 30.25 && sleeps.sleeps.allSatisfy { $0 <= 1 }, "one wait, a second at a time")
        #expect(results.allSatisfy { (try? $0.get().status) == 204 })
        #expect(client.traffic.throttled == 1 && client.traffic.batchedWrites == 61)
    }

    @Test func aThrottledItemRidesAlongWithFreshOnesOnceItsWaitIsOver() throws {
        let transport = ScriptedTransport(fallback: Self.throttlingItemFive(retryAfter: "0", pauseOnBatch: 2))
        let sleeps = SleepRecorder()
        let client = GraphClient(transport: transport, tokens: CountingTokenProvider(), endpoint: endpoint, sleep: sleeps.sleep)
        let results = client.batch(items, threads: 1)
        let sent = try transport.sentRequests.map(Self.innerIds)
        #expect(sent == [Array(0..<20), Array(20..<40), [5] + Array(40..<59), [59]])
        #expect(sleeps.sleeps.isEmpty)
        #expect(results.allSatisfy { (try? $0.get().status) == 204 })
    }

    @Test func aStopSendsNothingNewAndAnswersWaitingItemsWithTheirLastError() throws {
        let transport = ScriptedTransport(fallback: Self.throttlingItemFive(retryAfter: "30"))
        let client = GraphClient(transport: transport, tokens: CountingTokenProvider(), endpoint: endpoint, sleep: { _ in })
        let log = StreamLog()
        #expect(throws: RunFailure.self) {
            try client.streamBatches(items, lanes: 1, beforeSending: { log.sending($0) },
                                     stopReason: { log.answered.isEmpty ? nil : RunFailure.stopped("SIGTERM") },
                                     answered: { log.answer($0) })
        }
        #expect(transport.sentRequests.count == 1)
        #expect(log.sent == [Array(0..<20)])
        let answered = log.answered
        #expect(answered.map(\.index).sorted() == Array(0..<20))
        guard case .failure(RunFailure.graph(let error))? = answered.first(where: { $0.index == 5 })?.result else {
            Issue.record("item 5 should be answered with its 429")
            return
        }
        #expect(error.info.httpStatus == 429 && error.info.code == "TooManyRequests")
    }

    @Test func aStopDuringALongWaitEndsItWithinASecond() throws {
        let transport = ScriptedTransport(fallback: Self.throttlingItemFive(retryAfter: "120"))
        let sleeps = SleepRecorder()
        let client = GraphClient(transport: transport, tokens: CountingTokenProvider(), endpoint: endpoint, sleep: sleeps.sleep)
        let log = StreamLog()
        #expect(throws: RunFailure.self) {
            try client.streamBatches(Array(items.prefix(20)), lanes: 1, stopReason: { sleeps.sleeps.isEmpty ? nil : RunFailure.stopped("SIGTERM") },
                                     answered: { log.answer($0) })
        }
        #expect(sleeps.sleeps == [1], "the stop is seen after the first second of a 120 s wait")
        #expect(transport.sentRequests.count == 1)
        #expect(log.answered.count == 20)
        guard case .failure(RunFailure.graph(let error))? = log.answered.first(where: { $0.index == 5 })?.result else {
            Issue.record("item 5 should be answered with its 429")
            return
        }
        #expect(error.info.httpStatus == 429)
    }

    @Test func aCallbackErrorInOneLaneStopsTheOthers() throws {
        let transport = ScriptedTransport(fallback: GraphBatchTests.batchResponder { _, _ in (204, [:], nil) })
        let client = GraphClient(transport: transport, tokens: CountingTokenProvider(), endpoint: endpoint, sleep: { _ in })
        let many = (0..<4000).map { GraphBatchItem("GET", "/users/u\($0)") }
        let calls = AttemptCounter()
        #expect(throws: RunFailure.self) {
            try client.streamBatches(many, lanes: 4, answered: { _ in
                if calls.next("answered") == 1 { throw RunFailure.stopped("journal full") }
            })
        }
        // Only the batches already on the wire when the first answer could not be kept; 200 without the stop.
        #expect(transport.sentRequests.count <= 4)
    }

    @Test func aLaneNeverSendsMoreThanTwentyEvenWhenEverythingWasRefused() throws {
        let transport = ScriptedTransport(fallback: GraphBatchTests.batchResponder { attempt, _ in
            attempt == 1 ? (429, ["Retry-After": "30"], ["error": ["code": "TooManyRequests", "message": "tenant throttled"]]) : (204, [:], nil)
        })
        let sleeps = SleepRecorder()
        let client = GraphClient(transport: transport, tokens: CountingTokenProvider(), endpoint: endpoint, sleep: sleeps.sleep)
        let results = client.batch((0..<100).map { GraphBatchItem("POST", "/users/u\($0)/revokeSignInSessions") }, threads: 1)
        let sizes = try transport.sentRequests.map { try Self.innerIds($0).count }
        #expect(sizes == Array(repeating: 20, count: 10), "5 batches refused whole, then the same 100 items again in 5 batches of 20")
        #expect(results.allSatisfy { (try? $0.get().status) == 204 })
        // Each batch refused whole pauses the lane for its Retry-After before it sends anything fresh.
        #expect(sleeps.sleeps.reduce(0, +) > 5 * 29)
    }

    @Test func aLaneThatFailsAnswersWhatItHeldWithGraphsRefusal() throws {
        let transport = ScriptedTransport(fallback: Self.throttlingItemFive(retryAfter: "30"))
        let client = GraphClient(transport: transport, tokens: CountingTokenProvider(), endpoint: endpoint, sleep: { _ in })
        let log = StreamLog()
        let calls = AttemptCounter()
        #expect(throws: RunFailure.self) {
            try client.streamBatches(Array(items.prefix(40)), lanes: 1, answered: { answers in
                if calls.next("answered") == 2 { throw RunFailure.stopped("journal full") }
                log.answer(answers)
            })
        }
        #expect(transport.sentRequests.count == 2)
        guard case .failure(RunFailure.graph(let error))? = log.answered.first(where: { $0.index == 5 })?.result else {
            Issue.record("item 5, refused and held when the lane failed, should be answered with its 429")
            return
        }
        #expect(error.info.httpStatus == 429)
    }
}

private final class StreamLog: @unchecked Sendable {
    private let lock = NSLock()
    private var batches: [[Int]] = []
    private var answers: BatchAnswers = []
    func sending(_ indices: [Int]) { lock.withLock { batches.append(indices) } }
    func answer(_ more: BatchAnswers) { lock.withLock { answers += more } }
    var sent: [[Int]] { lock.withLock { batches } }
    var answered: BatchAnswers { lock.withLock { answers } }
}
