import Foundation

/// Runs blocking work (Graph requests) on a few threads at once.
///
/// Plain threads rather than Dispatch's global queues: every job here blocks on the network, and Dispatch's pool
/// is sized for CPU work (two threads on a two-core box). Swift concurrency would need the whole client async;
/// the transport is blocking by design, so a bounded set of threads is the honest fit.
public enum ParallelWork {
    /// Calls `body` once for every item, on up to `threads` threads, and returns when all calls are done.
    /// After the first error no new items are started; that error is rethrown.
    public static func forEach<Item: Sendable>(_ items: [Item], threads: Int, _ body: @escaping @Sendable (Item) throws -> Void) throws {
        guard !items.isEmpty else { return }
        let workers = max(1, min(threads, items.count))
        if workers == 1 {
            for item in items { try body(item) }
            return
        }
        let queue = WorkQueue(items)
        let done = DispatchGroup()
        for _ in 0..<workers {
            done.enter()
            let thread = Thread {
                while let item = queue.next() {
                    do { try body(item) } catch { queue.fail(error) }
                }
                done.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        done.wait()
        if let error = queue.firstError { throw error }
    }

    /// `body` applied to every item on up to `threads` threads; the results in the items' order.
    public static func map<Item: Sendable, Output: Sendable>(_ items: [Item], threads: Int,
                                                              _ body: @escaping @Sendable (Item) throws -> Output) throws -> [Output] {
        let results = IndexedResults<Output>(count: items.count)
        try forEach(Array(items.indices), threads: threads) { index in results.set(index, try body(items[index])) }
        return results.all
    }

    /// Runs independent jobs at the same time, one thread each.
    public static func all(_ jobs: [@Sendable () throws -> Void]) throws {
        try forEach(Array(jobs.indices), threads: jobs.count) { try jobs[$0]() }
    }
}

private final class WorkQueue<Item>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Item]
    private var index = 0
    private var error: Error?

    init(_ items: [Item]) { self.items = items }

    func next() -> Item? {
        lock.withLock {
            guard error == nil, index < items.count else { return nil }
            defer { index += 1 }
            return items[index]
        }
    }

    func fail(_ error: Error) {
        lock.withLock { if self.error == nil { self.error = error } }
    }

    var firstError: Error? { lock.withLock { error } }
}

/// Each slot is written once, by the thread that computed it.
private final class IndexedResults<Output>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Output?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Output) { lock.withLock { slots[index] = value } }
    var all: [Output] { lock.withLock { slots.compactMap { $0 } } }
}
