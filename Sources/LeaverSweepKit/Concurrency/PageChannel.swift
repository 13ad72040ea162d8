import Foundation

/// Hands pages from a reading thread to the thread that stores them, a couple at a time.
///
/// A collection's pages form a chain: page n+1's URL is only known from page n. Storing a page (SQLite) while
/// the next one is already on the wire takes the storing off that chain; the small capacity keeps memory flat.
final class PageChannel<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private var buffer: [[Item]] = []
    private let capacity: Int
    private var finished = false
    private var failure: Error?
    private var cancelled = false

    init(capacity: Int = 2) { self.capacity = max(1, capacity) }

    /// Producer: waits while the buffer is full; false when the consumer gave up (stop reading).
    func send(_ page: [Item]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while buffer.count >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        buffer.append(page)
        condition.broadcast()
        return true
    }

    /// Producer: no more pages, with the error that ended the reading if any.
    func finish(_ error: Error? = nil) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// Consumer: the next page, nil at the end; rethrows the producer's error.
    func receive() throws -> [Item]? {
        condition.lock()
        defer { condition.unlock() }
        while buffer.isEmpty && !finished { condition.wait() }
        if !buffer.isEmpty {
            condition.broadcast()
            return buffer.removeFirst()
        }
        if let failure { throw failure }
        return nil
    }

    /// Consumer: stop; the producer sees it at its next page.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }
}
