import CCurl
import Foundation

/// Owns one `CURLM *` multi handle: the connection cache, DNS cache and HTTP/2 multiplexing that every
/// transfer added to it shares. Options go through typed shims because `curl_multi_setopt` is variadic.
///
/// Not thread-safe, except `wakeup()`: one thread (the driver) adds, removes, performs and polls.
final class CurlMultiHandle {
    private let raw: UnsafeMutableRawPointer
    private var isClosed = false

    /// `maxConnectionsPerHost` caps simultaneous connections to one host; transfers beyond it wait
    /// inside libcurl for a free connection (or, over HTTP/2, share one as streams).
    init(maxConnectionsPerHost: Int) throws(CurlFailure) {
        try CurlGlobal.ensureInitialised()
        guard let raw = curl_multi_init() else {
            throw CurlFailure(code: Int(CURLE_FAILED_INIT.rawValue), message: "curl_multi_init returned NULL")
        }
        self.raw = raw
        do {
            try set(CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX)
            try set(CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
            // libcurl's default cache size follows the number of transfers currently added, so it
            // shrinks to a handful as a burst drains and closes connections the next burst wants.
            // Room for a full set of connections to each of a few hosts (Graph, login, SCIM) instead.
            try set(CURLMOPT_MAXCONNECTS, maxConnectionsPerHost * 4)
        } catch {
            curl_multi_cleanup(raw)
            throw error
        }
    }

    deinit {
        close()
    }

    /// Frees the multi handle and its connection cache. Every easy handle must have been removed
    /// first, and no thread may call `wakeup()` afterwards.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        curl_multi_cleanup(raw)
    }

    /// Starts driving the transfer the easy handle is configured for.
    func add(_ easy: CurlEasyHandle) throws(CurlFailure) {
        try check(curl_multi_add_handle(raw, easy.raw), doing: "curl_multi_add_handle")
    }

    /// Detaches a finished (or abandoned) transfer; the easy handle may then be reset, reused or freed.
    func remove(_ easy: CurlEasyHandle) throws(CurlFailure) {
        try check(curl_multi_remove_handle(raw, easy.raw), doing: "curl_multi_remove_handle")
    }

    /// Moves every transfer as far as it can go without blocking; callbacks run on this thread.
    func perform() throws(CurlFailure) {
        var running: Int32 = 0
        try check(curl_multi_perform(raw, &running), doing: "curl_multi_perform")
    }

    /// Sleeps until a socket is ready, a libcurl timer is due, `wakeup()` is called or the timeout passes.
    func poll(timeoutMilliseconds: Int32) throws(CurlFailure) {
        try check(curl_multi_poll(raw, nil, 0, timeoutMilliseconds, nil), doing: "curl_multi_poll")
    }

    /// Interrupts a `poll` in progress (or makes the next one return at once). Safe from any thread
    /// while the handle is open.
    func wakeup() throws(CurlFailure) {
        try check(curl_multi_wakeup(raw), doing: "curl_multi_wakeup")
    }

    /// The next finished transfer, if any: its `CURL *` and result code.
    func nextFinishedTransfer() -> (easy: UnsafeMutableRawPointer, result: CURLcode)? {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(raw, &remaining) {
            // CURLMSG_DONE is the only message libcurl defines today; skip anything newer.
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            return (easy, ccurl_multi_message_result(message))
        }
        return nil
    }

    private func set(_ option: CURLMoption, _ value: Int) throws(CurlFailure) {
        try check(ccurl_multi_setopt_long(raw, option, value), doing: "curl_multi_setopt(option \(option.rawValue))")
    }

    private func check(_ code: CURLMcode, doing call: String) throws(CurlFailure) {
        guard code == CURLM_OK else {
            // A CURLMcode is not a CURLcode; report it as a failed libcurl call with the multi code in the text.
            throw CurlFailure(code: Int(CURLE_FAILED_INIT.rawValue),
                              message: "\(call) failed: \(String(cString: curl_multi_strerror(code))) (CURLMcode \(code.rawValue))")
        }
    }
}
