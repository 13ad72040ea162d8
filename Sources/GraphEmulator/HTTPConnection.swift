import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Serves one accepted socket: reads requests (Content-Length or chunked bodies), answers each, keeps the
/// connection alive until the client closes it, asks to close, or sends something unparseable. A reply
/// that is an injected fault (reset, truncated body, stall) ends the connection.
struct HTTPConnection {
    let socket: Int32
    let handler: LoopbackHTTPServer.Handler

    private static let maxHeadBytes = 64 * 1024
    private static let maxBodyBytes = 32 * 1024 * 1024

    /// Why a request could not be read; each maps to the status the client gets before the close.
    private enum ReadFailure: Error {
        case closed
        case malformed
        case headTooLarge
        case bodyTooLarge
    }

    func serve() {
        // A forgotten idle keep-alive connection must not pin a thread forever.
        var timeout = timeval(tv_sec: 300, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8]()
        while true {
            let request: HTTPRequest
            let keepAlive: Bool
            do {
                (request, keepAlive) = try readRequest(&buffer)
            } catch ReadFailure.closed {
                return
            } catch {
                let status = switch error as? ReadFailure {
                case .headTooLarge: 431
                case .bodyTooLarge: 413
                default: 400
                }
                send(HTTPResponse(status: status).serialized(keepAlive: false))
                return
            }
            switch handler(request) {
            case .response(let response):
                send(response.serialized(keepAlive: keepAlive, includeBody: request.method != "HEAD"))
                if !keepAlive { return }
            case .reset:
                resetOnClose()
                return
            case .truncated(let response):
                let wire = response.serialized(keepAlive: false)
                send(wire.prefix(wire.count - (response.body.count + 1) / 2))
                return
            case .stall(let seconds):
                waitForHangUp(seconds: seconds)
                return
            }
        }
    }

    /// SO_LINGER with a zero timeout turns the caller's close() into a TCP RST instead of a FIN.
    private func resetOnClose() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(socket, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    /// Holds the connection silent until `seconds` pass, the client hangs up (its timeout fired) or the
    /// server stops (which shuts the socket down); whatever the client sends meanwhile is discarded.
    private func waitForHangUp(seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining, 3600) * 1000) + 1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if ready == 0 { continue }
            let count = scratch.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count == 0 || (count < 0 && errno != EINTR) { return }
        }
    }

    private func readRequest(_ buffer: inout [UInt8]) throws -> (HTTPRequest, Bool) {
        var headEnd = Self.find(Self.headTerminator, in: buffer, from: 0)
        while headEnd == nil {
            if buffer.count > Self.maxHeadBytes { throw ReadFailure.headTooLarge }
            // Tolerate stray CRLFs between requests (RFC 9112 §2.2).
            while buffer.starts(with: [13, 10]) { buffer.removeFirst(2) }
            try receive(into: &buffer)
            headEnd = Self.find(Self.headTerminator, in: buffer, from: 0)
        }
        guard let headEnd else { throw ReadFailure.malformed }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        while lines.first?.isEmpty == true { lines.removeFirst() }
        guard !lines.isEmpty else { throw ReadFailure.malformed }
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else { throw ReadFailure.malformed }
        var headers: [HTTPHeader] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw ReadFailure.malformed }
            headers.append(HTTPHeader(name: String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                                      value: String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        var request = HTTPRequest(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: Data())
        let bodyStart = headEnd + Self.headTerminator.count

        // libcurl waits (up to a second) for this before sending POST bodies over 1 KiB.
        let expectsContinue = request.header("Expect")?.lowercased() == "100-continue"
        if request.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            if expectsContinue { send(Data("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
            var decoded: (body: [UInt8], end: Int)?
            while true {
                decoded = try Self.decodeChunked(buffer, from: bodyStart)
                if decoded != nil { break }
                if buffer.count - bodyStart > Self.maxBodyBytes { throw ReadFailure.bodyTooLarge }
                try receive(into: &buffer)
            }
            guard let decoded else { throw ReadFailure.malformed }
            request.body = Data(decoded.body)
            buffer.removeSubrange(..<decoded.end)
        } else {
            let lengthText = request.header("Content-Length") ?? "0"
            guard let length = Int(lengthText), length >= 0 else { throw ReadFailure.malformed }
            guard length <= Self.maxBodyBytes else { throw ReadFailure.bodyTooLarge }
            if expectsContinue && buffer.count - bodyStart < length {
                send(Data("HTTP/1.1 100 Continue\r\n\r\n".utf8))
            }
            while buffer.count - bodyStart < length { try receive(into: &buffer) }
            request.body = Data(buffer[bodyStart..<(bodyStart + length)])
            buffer.removeSubrange(..<(bodyStart + length))
        }

        let connection = request.header("Connection")?.lowercased() ?? ""
        let keepAlive = requestLine[2] == "HTTP/1.1" ? !connection.contains("close") : connection.contains("keep-alive")
        return (request, keepAlive)
    }

    private func receive(into buffer: inout [UInt8]) throws {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[..<count])
                return
            }
            if count < 0 && errno == EINTR { continue }
            throw ReadFailure.closed
        }
    }

    private func send(_ data: Data) {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                // MSG_NOSIGNAL: a client that hung up must not kill the process with SIGPIPE.
                let sent = Glibc.send(socket, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 && errno == EINTR { continue }
                if sent <= 0 { return }
                offset += sent
            }
        }
    }

    private static let headTerminator: [UInt8] = [13, 10, 13, 10]

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count + start else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0] && Array(haystack[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }

    /// Decodes a chunked body starting at `start`; nil while more bytes are needed. Trailers are skipped.
    private static func decodeChunked(_ buffer: [UInt8], from start: Int) throws -> (body: [UInt8], end: Int)? {
        var body = [UInt8]()
        var index = start
        while true {
            guard let lineEnd = find([13, 10], in: buffer, from: index) else { return nil }
            let sizeField = String(decoding: buffer[index..<lineEnd], as: UTF8.self)
                .split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard let size = Int(sizeField.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                throw ReadFailure.malformed
            }
            guard body.count + size <= maxBodyBytes else { throw ReadFailure.bodyTooLarge }
            index = lineEnd + 2
            if size == 0 {
                // Skip optional trailer lines up to the blank line that ends the message.
                while true {
                    guard let trailerEnd = find([13, 10], in: buffer, from: index) else { return nil }
                    let isBlank = trailerEnd == index
                    index = trailerEnd + 2
                    if isBlank { return (body, index) }
                }
            }
            guard buffer.count >= index + size + 2 else { return nil }
            body.append(contentsOf: buffer[index..<(index + size)])
            index += size + 2
        }
    }
}
