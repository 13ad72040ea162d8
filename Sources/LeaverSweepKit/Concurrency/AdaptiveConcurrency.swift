import Foundation

/// How many Graph requests may be in flight at once: halves when Graph throttles, grows back slowly.
///
/// The shape is TCP's congestion control (additive increase, multiplicative decrease): a 429 means the tenant's
/// token bucket is empty, so hammering it with the same concurrency only earns more 429s; after a storm the limit
/// climbs back by about one request per round of successes. Like TCP, it halves at most once per `cooldown`:
/// the 429s of requests that were already in flight when the first one came back say nothing new. It never goes
/// below a quarter of the maximum: every throttled request already waits out its own `Retry-After`, and a limit
/// of one would turn the 16 device shards back into one chain.
public final class AdaptiveConcurrency: @unchecked Sendable {
    public let maximum: Int
    public let minimum: Int
    private let condition = NSCondition()
    private var limit: Double
    private var inFlight = 0
    private var lowest: Int
    private let cooldown: TimeInterval
    private let clock: @Sendable () -> TimeInterval
    private var lastDecrease: TimeInterval = -.infinity

    public init(maximum: Int, cooldown: TimeInterval = 1, clock: @escaping @Sendable () -> TimeInterval = { ProcessInfo.processInfo.systemUptime }) {
        self.maximum = max(1, maximum)
        self.minimum = max(1, self.maximum / 4)
        self.limit = Double(self.maximum)
        self.lowest = self.maximum
        self.cooldown = cooldown
        self.clock = clock
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
            let now = clock()
            if now - lastDecrease >= cooldown {
                lastDecrease = now
                limit = max(Double(minimum), (limit / 2).rounded(.down))
                lowest = min(lowest, Int(limit))
            }
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
