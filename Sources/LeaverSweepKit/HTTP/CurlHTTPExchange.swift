import CCurl
import Foundation

/// One request in flight: an easy handle configured for it, and everything libcurl only points to
/// (the parsed URL, the header list, the body bytes, the response collector).
///
/// Owning all of those in one object is what keeps them alive exactly as long as libcurl may touch
/// them: the driver holds the exchange from `curl_multi_add_handle` to `curl_multi_remove_handle`,
/// and the caller holds it until it has read the response.
///
/// `@unchecked Sendable`: built on the caller's thread, then touched only by the driver thread until
/// `finish`, then only by the caller again; the semaphore orders the hand-overs.
final class CurlHTTPExchange: @unchecked Sendable {
    let handle: CurlEasyHandle
    let collector: CurlResponseCollector
    private let url: CurlURL
    private let headers: CurlStringList
    /// POSTFIELDS is not copied by libcurl and must never be NULL for a body-carrying method (libcurl
    /// would read stdin), so the body lives here, at least one byte long even when empty.
    private let body: UnsafeMutableRawBufferPointer
    private let bodyCount: Int
    /// CURLOPT_TIMEOUT as set: at least one second, because zero means "wait forever" to libcurl.
    let timeoutSeconds: Int
    private let finished = DispatchSemaphore(value: 0)
    private var failure: CurlFailure?
    /// False when the handle could not be detached from the multi handle; it must then never be reused or freed early.
    private(set) var handleIsReusable = true

    init(handle: CurlEasyHandle, url: CurlURL, method: String, body: Data, headerLines: [String],
         timeoutSeconds: Int, freshConnection: Bool, options: CurlHTTPTransport.Options) throws(CurlFailure) {
        self.handle = handle
        self.url = url
        headers = try CurlStringList(headerLines)
        collector = CurlResponseCollector(limitBytes: options.maxResponseBytes)
        bodyCount = body.count
        self.timeoutSeconds = max(1, timeoutSeconds)
        self.body = .allocate(byteCount: max(1, body.count), alignment: 1)
        self.body.storeBytes(of: 0, as: UInt8.self)
        self.body.copyBytes(from: body)
        // Every stored property is set, so `deinit` frees the body even if configuration throws.
        try configure(method: method, freshConnection: freshConnection, options: options)
    }

    deinit {
        body.deallocate()
    }

    /// Starts from `curl_easy_reset` every time rather than undoing the previous request's options
    /// one by one: a GET after a PATCH then cannot inherit CUSTOMREQUEST, POSTFIELDS or the POST
    /// flag by accident. Connections live in the multi handle's cache, so keep-alive still works.
    private func configure(method: String, freshConnection: Bool, options: CurlHTTPTransport.Options) throws(CurlFailure) {
        handle.reset()
        try handle.installErrorBuffer()
        handle.clearErrorBuffer()
        try handle.set(CURLOPT_NOSIGNAL, 1)  // no SIGALRM for DNS timeouts; transfers run on the driver thread
        try handle.restrictProtocolsToHTTP()
        try handle.set(CURLOPT_FOLLOWLOCATION, 0)
        try handle.set(CURLOPT_SSL_VERIFYPEER, 1)
        try handle.set(CURLOPT_SSL_VERIFYHOST, 2)
        try handle.set(CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2)
        if let caInfoPath = options.caInfoPath { try handle.set(CURLOPT_CAINFO, caInfoPath) }
        try handle.set(CURLOPT_CONNECTTIMEOUT, options.connectTimeoutSeconds)
        // A nightly job must always finish. libcurl counts the time from curl_multi_add_handle, so time
        // spent queued for a free connection counts too (the driver enforces that part; see `CurlMultiDriver`).
        try handle.set(CURLOPT_TIMEOUT, timeoutSeconds)
        try handle.set(CURLOPT_USERAGENT, options.userAgent)
        try handle.set(CURLOPT_ACCEPT_ENCODING, "")  // every encoding this libcurl can decode
        // Refuse early when Content-Length already says too much; the write callback covers the rest.
        try handle.set(CURLOPT_MAXFILESIZE_LARGE, offset: Int64(options.maxResponseBytes))
        if freshConnection { try handle.set(CURLOPT_FRESH_CONNECT, 1) }

        try handle.preferHTTP2OverTLS()
        // PIPEWAIT makes a transfer wait for a connection still being set up to tell (through ALPN)
        // whether it can multiplex, instead of opening a parallel one. Plain http never multiplexes
        // here, and would only learn so from the first response, so it does not wait.
        if url.part(CURLUPART_SCHEME)?.lowercased() == "https" { try handle.set(CURLOPT_PIPEWAIT, 1) }

        try handle.set(CURLOPT_CURLU, pointer: UnsafeMutableRawPointer(url.raw))
        try handle.set(CURLOPT_HTTPHEADER, list: headers)
        try handle.set(CURLOPT_WRITEFUNCTION, writeFunction: CurlResponseCollector.writeCallback)
        try handle.set(CURLOPT_WRITEDATA, pointer: collector.userData)
        try handle.set(CURLOPT_HEADERFUNCTION, writeFunction: CurlResponseCollector.headerCallback)
        try handle.set(CURLOPT_HEADERDATA, pointer: collector.userData)

        switch method {
        case "GET":
            try handle.set(CURLOPT_HTTPGET, 1)
        case "DELETE" where bodyCount == 0:
            try handle.set(CURLOPT_CUSTOMREQUEST, method)
        default:
            // POSTFIELDS switches libcurl to POST; CUSTOMREQUEST renames the method for PATCH, PUT and DELETE.
            try handle.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(bodyCount))
            try handle.set(CURLOPT_POSTFIELDS, pointer: body.baseAddress)
            if method != "POST" { try handle.set(CURLOPT_CUSTOMREQUEST, method) }
        }
    }

    // MARK: Completion (driver thread)

    /// Records libcurl's result for the transfer, which has already left the multi handle, and wakes the caller.
    func finish(_ result: CURLcode) {
        do {
            try handle.checkTransferResult(result)
        } catch {
            failure = error
        }
        finished.signal()
    }

    /// Fails a transfer that libcurl did not complete; `handleIsReusable` is false when the handle may
    /// still be attached to the multi handle.
    func finish(failure: CurlFailure, handleIsReusable: Bool = true) {
        self.failure = failure
        self.handleIsReusable = handleIsReusable
        finished.signal()
    }

    // MARK: Waiting (caller thread)

    /// Blocks until the driver calls `finish`; libcurl's own timeouts bound the wait.
    func waitUntilFinished() throws(CurlFailure) {
        finished.wait()
        if let failure { throw failure }
    }
}
