import CCurl
import Foundation

/// Receives one transfer's headers and body from libcurl's callbacks.
///
/// libcurl calls back on the thread driving the transfer (`curl_easy_perform`'s caller, or the multi
/// driver thread), with this object as user data (`Unmanaged`, unretained: the exchange that owns it
/// stays alive for the whole transfer).
final class CurlResponseCollector {
    let limitBytes: Int
    private(set) var body = Data()
    /// Set when the body passed `limitBytes` and the write callback aborted the transfer.
    private(set) var exceededLimit = false
    /// Headers of the latest header block only: a `100 Continue` (or any interim response) starts
    /// a block of its own, and its headers must not mix with the final response's.
    private(set) var headers: [(name: String, value: String)] = []

    init(limitBytes: Int) {
        self.limitBytes = limitBytes
    }

    var userData: UnsafeMutableRawPointer {
        Unmanaged.passUnretained(self).toOpaque()
    }

    /// Repeated headers are joined with ", " (RFC 9110 §5.3), since `HTTPHeaders` holds one value per name.
    var responseHeaders: HTTPHeaders {
        var merged: [String: (name: String, value: String)] = [:]
        for header in headers {
            let key = header.name.lowercased()
            if let existing = merged[key] {
                merged[key] = (existing.name, existing.value + ", " + header.value)
            } else {
                merged[key] = header
            }
        }
        return HTTPHeaders(merged.values.map { ($0.name, $0.value) })
    }

    fileprivate func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard body.count + chunk.count <= limitBytes else {
            exceededLimit = true
            return false
        }
        body.append(contentsOf: chunk)
        return true
    }

    fileprivate func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            headers.removeAll()  // a status line starts a new block; keep only the last one
            return
        }
        // Blank lines end a block; lines without a colon (obsolete folding) carry nothing we use.
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces)
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return }
        headers.append((name, value))
    }

    /// CURLOPT_WRITEFUNCTION: returning anything but the chunk size aborts with CURLE_WRITE_ERROR.
    static let writeCallback: curl_write_callback = { data, size, count, userData in
        let length = size * count
        guard let userData else { return ccurl_writefunc_error() }
        let collector = Unmanaged<CurlResponseCollector>.fromOpaque(userData).takeUnretainedValue()
        guard length > 0, let data else { return length }
        return collector.receiveBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : ccurl_writefunc_error()
    }

    /// CURLOPT_HEADERFUNCTION: called once per header line, status lines and the blank line included.
    static let headerCallback: curl_write_callback = { data, size, count, userData in
        let length = size * count
        guard let userData else { return ccurl_writefunc_error() }
        let collector = Unmanaged<CurlResponseCollector>.fromOpaque(userData).takeUnretainedValue()
        if length > 0, let data {
            collector.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
        }
        return length
    }
}
