import CCurl
import Foundation

/// Runs the transfers of one `CurlHTTPTransport` concurrently on one multi handle, from one dedicated thread.
///
/// A multi handle is not thread-safe, so only the driver thread adds, performs, polls and removes;
/// other threads queue exchanges under `lock` and wake the thread with `curl_multi_wakeup`, the one
/// multi call libcurl allows from anywhere. The thread holds the driver, never the transport, so the
/// transport can deinitialise and call `shutdown()`.
///
/// `@unchecked Sendable`: `queued`, `stopRequested`, `stopped` and `stopReason` are guarded by `lock`;
/// `multi` and the thread's own locals are touched only by the driver thread (plus `wakeup`).
final class CurlMultiDriver: @unchecked Sendable {
    private let multi: CurlMultiHandle
    private let lock = NSLock()
    private var queued: [CurlHTTPExchange] = []
    private var stopRequested = false
    /// Set by the driver thread as it leaves its loop; from then on nobody may wake the multi handle.
    private var stopped = false
    private var stopReason: CurlFailure?
    private var joined = false
    private let exited = DispatchSemaphore(value: 0)

    /// Longest sleep without a wakeup. libcurl shortens it to its own timers, and `curl_multi_wakeup`
    /// interrupts it; it only bounds the delay should a wakeup ever be lost.
    private static let pollTimeoutMilliseconds: Int32 = 1000

    /// libcurl does not check CURLOPT_TIMEOUT while a transfer waits for a free connection (the host is
    /// at `maxConnectionsPerHost`): it fails it only once it gets one, however late. The driver abandons
    /// such transfers itself this long after their own timeout, by which time libcurl has finished every
    /// transfer that was actually running; so `perform` never blocks much past the request's timeout.
    private static let queuedTimeoutGraceSeconds = 1

    init(maxConnectionsPerHost: Int) throws(CurlFailure) {
        multi = try CurlMultiHandle(maxConnectionsPerHost: maxConnectionsPerHost)
        let thread = Thread { [self] in run() }
        thread.name = "LeaverSweep libcurl driver"
        thread.start()
    }

    /// Runs the exchange's transfer alongside every other one and blocks the calling thread until it finishes.
    func execute(_ exchange: CurlHTTPExchange) throws(CurlFailure) {
        try submit(exchange)
        try exchange.waitUntilFinished()
    }

    /// True once the driver thread has left its loop and freed the multi handle. For tests and diagnostics.
    var hasStopped: Bool {
        lock.withLock { stopped }
    }

    /// Stops the driver thread and waits for it: transfers still running are failed, every easy handle
    /// is removed, then the multi handle is freed. Idempotent.
    func shutdown() {
        let mustWait = lock.withLock { () -> Bool in
            guard !joined else { return false }
            joined = true
            stopRequested = true
            if !stopped { wake() }
            return true
        }
        if mustWait { exited.wait() }
    }

    private func submit(_ exchange: CurlHTTPExchange) throws(CurlFailure) {
        let refusal: CurlFailure? = lock.withLock {
            guard !stopRequested, !stopped else {
                return stopReason ?? CurlFailure(code: Int(CURLE_FAILED_INIT.rawValue), message: "the HTTP transport has been shut down")
            }
            queued.append(exchange)
            wake()
            return nil
        }
        if let refusal { throw refusal }
    }

    /// Called under `lock` while `stopped` is false, so the multi handle is still open.
    private func wake() {
        // A failed wakeup only delays the driver until its poll times out; the exchange stays queued.
        try? multi.wakeup()
    }

    // MARK: The driver thread

    /// Transfers attached to the multi handle, by their `CURL *`, with the moment the driver gives up on them.
    private typealias ActiveTransfers = [UnsafeMutableRawPointer: (exchange: CurlHTTPExchange, abandonAt: DispatchTime)]

    private func run() {
        var active: ActiveTransfers = [:]
        // Exchanges whose handle could not be detached: kept alive until the multi handle is gone.
        var stranded: [CurlHTTPExchange] = []
        var fatal: CurlFailure?

        while fatal == nil {
            let (incoming, stopping) = lock.withLock { () -> ([CurlHTTPExchange], Bool) in
                defer { queued.removeAll() }
                return (queued, stopRequested)
            }
            if stopping {
                // The transport only deinitialises when no `perform` is waiting, so these are normally empty.
                fail(incoming, because: Self.shutDownFailure)
                break
            }
            for exchange in incoming {
                do {
                    try multi.add(exchange.handle)
                    let allowance = exchange.timeoutSeconds + Self.queuedTimeoutGraceSeconds
                    active[exchange.handle.raw] = (exchange, .now() + .seconds(allowance))
                } catch {
                    exchange.finish(failure: error)
                }
            }
            do {
                try multi.perform()
                while let done = multi.nextFinishedTransfer() {
                    guard let entry = active.removeValue(forKey: done.easy) else { continue }
                    detach(entry.exchange, result: done.result, stranded: &stranded)
                }
                abandonOverdue(&active, stranded: &stranded)
                try multi.poll(timeoutMilliseconds: Self.pollTimeoutMilliseconds)
            } catch {
                // The multi handle itself failed (out of memory, broken poll): no transfer can progress.
                fatal = CurlFailure(code: error.code, message: "the HTTP transport stopped: \(error.message)")
            }
        }

        let reason = fatal ?? Self.shutDownFailure
        let leftovers = lock.withLock { () -> [CurlHTTPExchange] in
            stopped = true
            stopReason = reason
            defer { queued.removeAll() }
            return queued
        }
        for entry in active.values {
            detach(entry.exchange, failure: reason, stranded: &stranded)
        }
        fail(leftovers, because: reason)
        // No easy handle is attached any more (or it is stranded and never touched again), and `stopped`
        // keeps other threads from waking the handle, so it can go.
        multi.close()
        stranded.removeAll()
        exited.signal()
    }

    private func abandonOverdue(_ active: inout ActiveTransfers, stranded: inout [CurlHTTPExchange]) {
        let now = DispatchTime.now()
        for (easy, entry) in active where entry.abandonAt < now {
            active.removeValue(forKey: easy)
            let failure = CurlFailure(
                code: Int(CURLE_OPERATION_TIMEDOUT.rawValue),
                message: "Operation timed out after \(entry.exchange.timeoutSeconds) seconds still waiting for a free connection to the host")
            detach(entry.exchange, failure: failure, stranded: &stranded)
        }
    }

    private func detach(_ exchange: CurlHTTPExchange, result: CURLcode, stranded: inout [CurlHTTPExchange]) {
        do {
            try multi.remove(exchange.handle)
            exchange.finish(result)
        } catch {
            stranded.append(exchange)
            exchange.finish(failure: error, handleIsReusable: false)
        }
    }

    private func detach(_ exchange: CurlHTTPExchange, failure: CurlFailure, stranded: inout [CurlHTTPExchange]) {
        do {
            try multi.remove(exchange.handle)
            exchange.finish(failure: failure)
        } catch {
            stranded.append(exchange)
            exchange.finish(failure: failure, handleIsReusable: false)
        }
    }

    private func fail(_ exchanges: [CurlHTTPExchange], because reason: CurlFailure) {
        for exchange in exchanges { exchange.finish(failure: reason) }
    }

    private static let shutDownFailure = CurlFailure(
        code: Int(CURLE_FAILED_INIT.rawValue), message: "the HTTP transport was shut down before the transfer finished")
}
