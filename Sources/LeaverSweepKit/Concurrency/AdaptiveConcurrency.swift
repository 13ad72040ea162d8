import Foundation

/// How many Graph requests may be in flight at once: halves when Graph throttles, grows back slowly.
///
/// The shape is TCP's congestion control (additive increase, multiplicative decrease): a 429 means the tenant's
/// token bucket is empty, so hammering it with the same concurrency only earns more 429s; after a storm the limit
/// climbs back by about one request per round of successes.
public final class AdaptiveConcurrency: @unchecked Sendable {
    public let maximum: Int
    private let condition = NSCondition()
    private var limit: Double
    private var inFlight = 0
    private var lowest: Int

    public init(maximum: Int) {
        self.maximum = max(1, maximum)
        self.limit = Double(self.maximum)
        self.lowest = self.maximum
    }

    /// Waits until a slot is free, then takes it.
    public func acquire() {
        condition.lock()
        while inFlight >= Int(limit) { condition.wait() }
        inFlight += 1
        condition.unlock()
    }

    /// Gives the slot back; `throttled` when Graph answered 429 or 503.
    public func release(throttled: Bool) {
        condition.lock()
        inFlight -= 1
        if throttled {
            limit = max(1, (limit / 2).rounded(.down))
            lowest = min(lowest, Int(limit))
        } else if limit < Double(maximum) {
            limit = min(Double(maximum), limit + 1 / limit)
        }
        condition.broadcast()
        condition.unlock()
    }

    /// The current limit and the lowest it fell to, for the run log and the benchmark.
    public var state: (limit: Int, lowest: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (Int(limit), lowest)
    }
}
