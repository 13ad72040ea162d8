import CCurl
import Foundation

/// A libcurl call that returned something other than CURLE_OK; the transport adds the URL.
struct CurlFailure: Error {
    let code: Int
    let message: String
}

/// Process-wide libcurl initialisation.
enum CurlGlobal {
    /// `curl_global_init` is not thread-safe and must run before the first handle exists. A static
    /// `let` is initialised exactly once, under a lock, on first use — from whichever thread gets there first.
    private static let initResult: CURLcode = curl_global_init(ccurl_global_default())

    static func ensureInitialised() throws(CurlFailure) {
        let code = initResult
        guard code == CURLE_OK else {
            throw CurlFailure(code: Int(code.rawValue), message: "curl_global_init failed: \(String(cString: curl_easy_strerror(code)))")
        }
    }
}

/// Owns one `CURL *` easy handle (after swift-corelibs-foundation's `EasyHandle`): freed in `deinit`,
/// options set through typed shims because `curl_easy_setopt` is variadic, every `CURLcode` checked.
///
/// Not thread-safe: the owner serialises access. While the handle sits in a multi handle, only the
/// thread driving that multi handle may touch it.
final class CurlEasyHandle {
    /// The `CURL *`, for `curl_multi_add_handle` and for matching `CURLMsg.easy_handle`; options go through the setters.
    let raw: UnsafeMutableRawPointer
    /// libcurl writes a human-readable reason here on failure; more specific than `curl_easy_strerror`.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let errorBufferSize: Int

    init() throws(CurlFailure) {
        try CurlGlobal.ensureInitialised()
        guard let raw = curl_easy_init() else {
            throw CurlFailure(code: Int(CURLE_FAILED_INIT.rawValue), message: "curl_easy_init returned NULL")
        }
        self.raw = raw
        errorBufferSize = ccurl_error_size()
        errorBuffer = .allocate(capacity: errorBufferSize)
        errorBuffer.initialize(repeating: 0, count: errorBufferSize)
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    /// Forgets every option but keeps live connections, the DNS cache and TLS session IDs.
    func reset() {
        curl_easy_reset(raw)
    }

    // MARK: Options

    func set(_ option: CURLoption, _ value: Int) throws(CurlFailure) {
        try check(ccurl_easy_setopt_long(raw, option, value), setting: option)
    }

    func set(_ option: CURLoption, _ value: String) throws(CurlFailure) {
        // libcurl copies string options, so the temporary C string may go away afterwards.
        try check(value.withCString { ccurl_easy_setopt_string(raw, option, $0) }, setting: option)
    }

    /// The pointee is not copied and must outlive the transfer.
    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(CurlFailure) {
        try check(ccurl_easy_setopt_pointer(raw, option, pointer), setting: option)
    }

    func set(_ option: CURLoption, offset: Int64) throws(CurlFailure) {
        try check(ccurl_easy_setopt_off_t(raw, option, curl_off_t(offset)), setting: option)
    }

    /// The list is not copied and must outlive the transfer.
    func set(_ option: CURLoption, list: CurlStringList) throws(CurlFailure) {
        try check(ccurl_easy_setopt_slist(raw, option, list.head), setting: option)
    }

    func set(_ option: CURLoption, writeFunction: curl_write_callback) throws(CurlFailure) {
        try check(ccurl_easy_setopt_write_function(raw, option, writeFunction), setting: option)
    }

    func set(_ option: CURLoption, readFunction: curl_read_callback) throws(CurlFailure) {
        try check(ccurl_easy_setopt_read_function(raw, option, readFunction), setting: option)
    }

    /// Restricts the handle to the given protocols, e.g. "smtp,smtps" for the mailer, falling back to the
    /// deprecated bitmask on libcurl older than 7.85.
    func restrictProtocols(_ list: String, legacyMask: Int) throws(CurlFailure) {
        let code = ccurl_easy_setopt_string(raw, CURLOPT_PROTOCOLS_STR, list)
        if code == CURLE_UNKNOWN_OPTION {
            try check(ccurl_easy_setopt_long(raw, CURLOPT_PROTOCOLS, legacyMask), setting: CURLOPT_PROTOCOLS)
            return
        }
        try check(code, setting: CURLOPT_PROTOCOLS_STR)
    }

    /// Restricts the handle to http and https, including on redirects (which are not followed anyway).
    func restrictProtocolsToHTTP() throws(CurlFailure) {
        let code = ccurl_easy_setopt_string(raw, CURLOPT_PROTOCOLS_STR, "https,http")
        if code == CURLE_UNKNOWN_OPTION {
            // Runtime libcurl older than 7.85: use the deprecated bitmask options instead.
            try check(ccurl_easy_restrict_to_http_https_legacy(raw), setting: CURLOPT_PROTOCOLS_STR)
            return
        }
        try check(code, setting: CURLOPT_PROTOCOLS_STR)
        try check(ccurl_easy_setopt_string(raw, CURLOPT_REDIR_PROTOCOLS_STR, "https,http"), setting: CURLOPT_REDIR_PROTOCOLS_STR)
    }

    /// Asks for HTTP/2 over TLS (negotiated through ALPN; plain http stays HTTP/1.1). A libcurl built
    /// without nghttp2 refuses the option, and HTTP/1.1 is then the correct, safe outcome.
    func preferHTTP2OverTLS() throws(CurlFailure) {
        let code = ccurl_easy_setopt_long(raw, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS)
        if code == CURLE_UNSUPPORTED_PROTOCOL { return }
        try check(code, setting: CURLOPT_HTTP_VERSION)
    }

    /// Points CURLOPT_ERRORBUFFER at this handle's buffer; needed again after every `reset()`.
    func installErrorBuffer() throws(CurlFailure) {
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
    }

    // MARK: Transfer

    /// Runs the configured transfer; on failure the message comes from the error buffer when libcurl filled it.
    func perform() throws(CurlFailure) {
        clearErrorBuffer()
        try checkTransferResult(curl_easy_perform(raw))
    }

    /// libcurl only writes the error buffer on failure; stale text must not leak into the next error.
    /// Call before every transfer, whether it runs through `perform()` or a multi handle.
    func clearErrorBuffer() {
        errorBuffer[0] = 0
    }

    /// Turns a finished transfer's result into a thrown error, preferring the error buffer's text.
    func checkTransferResult(_ code: CURLcode) throws(CurlFailure) {
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            throw CurlFailure(code: Int(code.rawValue), message: message)
        }
    }

    func long(_ info: CURLINFO) throws(CurlFailure) -> Int {
        var value = 0
        let code = ccurl_easy_getinfo_long(raw, info, &value)
        guard code == CURLE_OK else {
            throw CurlFailure(code: Int(code.rawValue), message: "curl_easy_getinfo(\(info.rawValue)) failed: \(String(cString: curl_easy_strerror(code)))")
        }
        return value
    }

    private func check(_ code: CURLcode, setting option: CURLoption) throws(CurlFailure) {
        guard code == CURLE_OK else {
            throw CurlFailure(
                code: Int(code.rawValue),
                message: "curl_easy_setopt(option \(option.rawValue)) failed: \(String(cString: curl_easy_strerror(code)))"
            )
        }
    }
}

/// Owns a `curl_slist` (request headers); libcurl keeps only a pointer, so it must outlive the transfer.
final class CurlStringList {
    private(set) var head: UnsafeMutablePointer<curl_slist>?

    init(_ lines: [String]) throws(CurlFailure) {
        // Built in a local so that a failure frees exactly once, whether or not deinit runs.
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for line in lines {
            guard let appended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                throw CurlFailure(code: Int(CURLE_OUT_OF_MEMORY.rawValue), message: "curl_slist_append failed")
            }
            list = appended
        }
        head = list
    }

    deinit {
        curl_slist_free_all(head)
    }
}
