import Foundation
import LeaverSweepCore

/// Each item's final answer, by its index in the list handed to `streamBatches`.
public typealias BatchAnswers = [(index: Int, result: Result<GraphResponse, Error>)]

extension GraphClient {
    /// Sends `items` in JSON batches of up to 20 from `lanes` threads and reports each item's final answer through
    /// `answered` as soon as its batch comes back.
    ///
    /// A lane does not sit out a `Retry-After` while fresh items remain: the throttled items ride along in one of its
    /// later batches once their wait is over (never more than 20 in a batch), and only when nothing fresh is left does
    /// the lane sleep, until the next 20 may go, waking every second to see whether it should stop. A batch Graph
    /// refused whole means the tenant itself is throttled: then the lane waits before sending fresh items too. A throttled tenant then costs its waits once, at the end, instead of once
    /// per batch (at 100k users in a storm where every 5th request is throttled, the writes took 33 s batch by batch).
    ///
    /// - `beforeSending` sees each batch's fresh items before they go out (the executor journals them in flight);
    ///   retried items were seen already.
    /// - `stopReason` is asked before every batch. Once it names a reason, or a callback throws, no lane takes a fresh
    ///   item, items waiting for a retry are answered with their last error (they were refused, so they stay
    ///   retryable), and the first reason is rethrown when every lane is done.
    public func streamBatches(_ items: [GraphBatchItem], lanes: Int,
                              beforeSending: @escaping @Sendable ([Int]) throws -> Void = { _ in },
                              stopReason: @escaping @Sendable () -> Error? = { nil },
                              answered: @escaping @Sendable (BatchAnswers) throws -> Void) throws {
        let fresh = FreshItems(count: items.count)
        let chunks = (items.count + Self.maximumBatchSize - 1) / Self.maximumBatchSize
        try? ParallelWork.forEach(Array(0..<min(max(1, lanes), chunks)), threads: lanes) { [self] _ in
            let lane = Lane(items: items, fresh: fresh, stopReason: stopReason)
            do {
                try run(lane, beforeSending: beforeSending, answered: answered)
            } catch {
                fresh.stop(error)
                // What this lane still holds was refused by Graph, so it is answered as such (best effort: the error
                // may be the journal itself) rather than left in flight.
                let refused = lane.takeHeld()
                if !refused.isEmpty { try? answered(refused) }
            }
        }
        if let reason = fresh.stoppedBy { throw reason }
    }

    private func run(_ lane: Lane, beforeSending: ([Int]) throws -> Void, answered: (BatchAnswers) throws -> Void) throws {
        let stopped = { lane.fresh.stoppedBy != nil || lane.stopReason() != nil }
        while true {
            if let reason = lane.fresh.stoppedBy ?? lane.stopReason() {
                lane.fresh.stop(reason)
                try answered(lane.takeHeld())
                return
            }
            // After a batch Graph refused whole, the tenant (not a few requests) is throttled: wait before sending
            // fresh requests too, a second at a time so that a stop is not held up.
            if lane.pausedUntil > 0 {
                let pause = lane.pausedUntil - Self.uptime()
                lane.pausedUntil = 0
                if waitOut(pause, unless: stopped) { continue }
            }
            var due = lane.takeDue(now: Self.uptime())
            let taken = lane.fresh.take(Self.maximumBatchSize - due.count)
            if due.isEmpty && taken.isEmpty {
                guard let next = lane.nextToRetry() else { return }
                if waitOut(next.until - Self.uptime(), unless: stopped) { continue }
                due = lane.takeFirst(next.count)
            }
            if !taken.isEmpty {
                lane.sending = due
                try beforeSending(taken)
                lane.sending = []
            }
            let sent = due + taken.map { RetryingItem(index: $0, attempt: 1, notBefore: 0, lastError: RunFailure.unexpectedResponse("not sent")) }
            let (finals, retries) = sendOnce(sent, lane.items)
            lane.waiting += retries
            if finals.isEmpty, let earliest = retries.map(\.notBefore).min() { lane.pausedUntil = earliest }
            try answered(finals)
        }
    }

    /// One `$batch`: the items answered for good, and the ones to send again (inner 429/503/5xx/424) with when.
    private func sendOnce(_ sent: [RetryingItem], _ items: [GraphBatchItem]) -> (BatchAnswers, [RetryingItem]) {
        let outer: GraphResponse
        let answers: [String: InnerAnswer]
        do {
            outer = try send("POST", "/$batch", json: try Self.encode(sent.map { ($0.index, items[$0.index]) }), headers: [], isBatch: true)
            answers = try Self.decode(outer)
        } catch {
            // A batch that failed as a whole fails each of its items with that error.
            return (sent.map { ($0.index, .failure(error)) }, [])
        }
        count { traffic in
            for entry in sent { items[entry.index].method == "GET" ? (traffic.batchedReads += 1) : (traffic.batchedWrites += 1) }
        }
        var finals: BatchAnswers = []
        var retries: [RetryingItem] = []
        for entry in sent {
            let item = items[entry.index]
            guard let answer = answers[String(entry.index)] else {
                let error = RunFailure.unexpectedResponse("Graph's $batch answer (request-id \(outer.requestId ?? "none")) has no response for \(item.method) \(item.path)")
                finals.append((entry.index, .failure(error)))
                continue
            }
            switch answer.status {
            case 200..<300:
                finals.append((entry.index, .success(GraphResponse(status: answer.status, body: answer.body,
                                                                   requestId: answer.headers["request-id"] ?? outer.requestId,
                                                                   clientRequestId: answer.headers["client-request-id"] ?? outer.clientRequestId))))
            case let status:
                let response = HTTPResponse(status: status, headers: answer.headers, body: answer.body)
                let error = RunFailure.graph(GraphError(method: item.method, path: item.path, response: response, clientRequestId: outer.clientRequestId))
                guard Self.retriedInBatch.contains(status), entry.attempt < Self.maximumAttempts else {
                    finals.append((entry.index, .failure(error)))
                    continue
                }
                let delay = Backoff.delay(retryAfter: answer.headers["retry-after"], attempt: entry.attempt)
                retries.append(RetryingItem(index: entry.index, attempt: entry.attempt + 1, notBefore: Self.uptime() + delay, lastError: error))
                count {
                    $0.retries += 1
                    if status == 429 { $0.throttled += 1 }
                }
            }
        }
        return (finals, retries)
    }

    /// Sleeps `seconds` in steps of at most one; true when `stopped` cut the wait short.
    private func waitOut(_ seconds: TimeInterval, unless stopped: () -> Bool) -> Bool {
        var left = max(0, seconds)
        while left > 0 {
            let step = min(left, 1)
            sleep(step)
            left -= step
            if left > 0 && stopped() { return true }
        }
        return false
    }

    static func uptime() -> TimeInterval { ProcessInfo.processInfo.systemUptime }
}

/// One lane's state: the items it holds for another try, in the order they may go, and whether it is pausing.
private final class Lane: @unchecked Sendable {
    let items: [GraphBatchItem]
    let fresh: FreshItems
    let stopReason: () -> Error?
    /// Refused items waiting for their `Retry-After`.
    var waiting: [RetryingItem] = []
    /// Items taken out of `waiting` for a batch that has not gone out yet.
    var sending: [RetryingItem] = []
    var pausedUntil: TimeInterval = 0

    init(items: [GraphBatchItem], fresh: FreshItems, stopReason: @escaping () -> Error?) {
        self.items = items
        self.fresh = fresh
        self.stopReason = stopReason
    }

    /// Everything this lane still owes an answer for, answered with Graph's refusal (they stay retryable), and
    /// let go of.
    func takeHeld() -> BatchAnswers {
        defer { (sending, waiting) = ([], []) }
        return (sending + waiting).map { ($0.index, .failure($0.lastError)) }
    }

    /// Up to a batch of items whose wait is over, the longest-waiting first.
    func takeDue(now: TimeInterval) -> [RetryingItem] {
        waiting.sort { $0.notBefore < $1.notBefore }
        return takeFirst(waiting.prefix { $0.notBefore <= now }.prefix(GraphClient.maximumBatchSize).count)
    }

    /// When nothing fresh is left: the next batch to retry (never more than 20 at once) and when all of it may go.
    func nextToRetry() -> (count: Int, until: TimeInterval)? {
        waiting.sort { $0.notBefore < $1.notBefore }
        let next = waiting.prefix(GraphClient.maximumBatchSize)
        guard let until = next.last?.notBefore else { return nil }
        return (next.count, until)
    }

    func takeFirst(_ count: Int) -> [RetryingItem] {
        defer { waiting.removeFirst(count) }
        return Array(waiting.prefix(count))
    }
}

/// An item a lane holds for another try: which one, its next attempt, when it may go, and why it was refused.
private struct RetryingItem {
    var index: Int
    var attempt: Int
    var notBefore: TimeInterval
    var lastError: Error
}

/// Items not yet sent, handed out to lanes in order; closed for good by the first reason to stop.
private final class FreshItems: @unchecked Sendable {
    private let lock = NSLock()
    private let count: Int
    private var next = 0
    private var reason: Error?

    init(count: Int) { self.count = count }

    func take(_ limit: Int) -> [Int] {
        lock.withLock {
            guard reason == nil, limit > 0 else { return [] }
            let end = min(count, next + limit)
            defer { next = end }
            return Array(next..<end)
        }
    }

    func stop(_ error: Error) { lock.withLock { if reason == nil { reason = error } } }
    var stoppedBy: Error? { lock.withLock { reason } }
}
