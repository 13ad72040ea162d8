import CCurl
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A URL parsed by libcurl's own URL parser and handed to the easy handle as `CURLOPT_CURLU`.
///
/// Checking the host with one parser and connecting with another invites parser-differential
/// tricks (`http://127.0.0.1\@evil.example/`); using the same parsed object for both rules that out.
final class CurlURL {
    let raw: OpaquePointer

    /// Returns libcurl's reason when the text is not an absolute URL it understands.
    init(parsing text: String) throws(TransportError) {
        guard let raw = curl_url() else {
            throw .refusedURL(url: text, reason: "libcurl could not allocate a URL handle")
        }
        // Flags 0: a scheme is required, spaces and control characters are rejected.
        let code = curl_url_set(raw, CURLUPART_URL, text, 0)
        guard code == CURLUE_OK else {
            curl_url_cleanup(raw)
            let reason = "not a valid absolute URL (\(String(cString: curl_url_strerror(code))))"
            throw .refusedURL(url: CurlURLPolicy.redacted(text), reason: reason)
        }
        self.raw = raw
    }

    deinit {
        curl_url_cleanup(raw)
    }

    /// One component as libcurl sees it, or nil when absent.
    func part(_ part: CURLUPart) -> String? {
        var value: UnsafeMutablePointer<CChar>? = nil
        guard curl_url_get(raw, part, &value, 0) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value)
    }
}

/// Which URLs the transport may contact at all. Runs before anything touches the network.
enum CurlURLPolicy {
    static func validate(_ text: String, allowPlainHTTPToLoopback: Bool) throws(TransportError) -> CurlURL {
        let url = try CurlURL(parsing: text)
        let scheme = url.part(CURLUPART_SCHEME)?.lowercased() ?? ""
        guard let host = url.part(CURLUPART_HOST), !host.isEmpty else {
            throw .refusedURL(url: text, reason: "the URL has no host")
        }
        // Credentials in a URL end up in logs and error messages; nothing we call needs them.
        if url.part(CURLUPART_USER) != nil || url.part(CURLUPART_PASSWORD) != nil {
            throw .refusedURL(url: redacted(text), reason: "URLs with embedded credentials are refused; send them in a header")
        }
        switch scheme {
        case "https":
            return url
        case "http":
            guard allowPlainHTTPToLoopback else {
                throw .refusedURL(url: text, reason: "plain http is disabled by the transport options; use https")
            }
            guard isLoopback(host: host) else {
                throw .refusedURL(url: text, reason: "plain http is only allowed to loopback (127.0.0.0/8, ::1, localhost); use https")
            }
            return url
        default:
            throw .refusedURL(url: text, reason: "scheme '\(scheme)' is not allowed; use https")
        }
    }

    /// True for `localhost`, any 127.0.0.0/8 address and `[::1]`. Anything else, including other
    /// spellings libcurl might normalise (`0x7f.1`), is treated as remote: failing closed is the point.
    static func isLoopback(host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" { return true }  // libcurl ≥ 7.78 resolves it internally, never via DNS
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        if host.hasPrefix("["), host.hasSuffix("]") {
            var v6 = in6_addr()
            guard inet_pton(AF_INET6, String(host.dropFirst().dropLast()), &v6) == 1 else { return false }
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return bytes == Array(repeating: 0, count: 15) + [1]
        }
        return false
    }

    /// Drops everything between `://` and `@` so a password never reaches an error message.
    static func redacted(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return text }
        let authority = text[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return text }
        return String(text[..<schemeEnd.upperBound]) + "[credentials removed]" + String(text[at...])
    }
}
