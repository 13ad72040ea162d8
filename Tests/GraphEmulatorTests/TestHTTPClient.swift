import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A response as the test client read it.
struct HTTPResult {
    let status: Int
    /// Lower-cased names.
    let headers: [String: String]
    let body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    var values: [[String: Any]] { json["value"] as? [[String: Any]] ?? [] }
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String? { (json["error"] as? [String: Any])?["message"] as? String }
    var nextLink: String? { json["@odata.nextLink"] as? String }
}

struct TestClientError: Error, CustomStringConvertible {
    let description: String
}

/// A blocking HTTP/1.1 client over a plain socket, so the tests exercise the emulator's own wire handling
/// (keep-alive, Expect: 100-continue, chunked bodies) without another HTTP stack in between.
final class TestHTTPClient {
    let port: UInt16
    private var socket: Int32 = -1

    init(port: Int) {
        self.port = UInt16(port)
    }

    deinit {
        if socket >= 0 { close(socket) }
    }

    /// Sends one request on a kept-alive connection (opened on first use) and reads the whole response.
    func send(_ method: String, _ target: String, headers: [String: String] = [:], body: String? = nil) throws -> HTTPResult {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let payload = Data((body ?? "").utf8)
        if body != nil || method == "POST" || method == "PATCH" { head += "Content-Length: \(payload.count)\r\n" }
        head += "\r\n"
        if socket < 0 { socket = try Self.connect(port: port) }
        try write(Data(head.utf8) + payload)
        return try readResponse(method: method)
    }

    /// Writes raw bytes and returns the raw text answered until `until` appears (or the peer closes).
    func raw(_ bytes: String, until marker: String? = nil) throws -> String {
        if socket < 0 { socket = try Self.connect(port: port) }
        try write(Data(bytes.utf8))
        var received = Data()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while marker.map({ !String(decoding: received, as: UTF8.self).contains($0) }) ?? true {
            let count = recv(socket, &chunk, chunk.count, 0)
            if count <= 0 { break }
            received.append(contentsOf: chunk[..<count])
        }
        return String(decoding: received, as: UTF8.self)
    }

    func write(_ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(socket, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                guard sent > 0 else { throw TestClientError(description: "send failed: errno \(errno)") }
                offset += sent
            }
        }
    }

    private var buffer = [UInt8]()

    private func readResponse(method: String) throws -> HTTPResult {
        while true {
            guard let headEnd = find([13, 10, 13, 10]) else {
                try fill()
                continue
            }
            let head = String(decoding: buffer[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
            let status = Int(head[0].split(separator: " ")[1]) ?? 0
            var headers: [String: String] = [:]
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = method == "HEAD" || status == 100 ? 0 : Int(headers["content-length"] ?? "0") ?? 0
            while buffer.count < headEnd + 4 + length { try fill() }
            let body = Data(buffer[(headEnd + 4)..<(headEnd + 4 + length)])
            buffer.removeSubrange(..<(headEnd + 4 + length))
            if status == 100 { continue }
            if headers["connection"]?.lowercased() == "close" {
                close(socket)
                socket = -1
                buffer.removeAll()
            }
            return HTTPResult(status: status, headers: headers, body: body)
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = recv(socket, &chunk, chunk.count, 0)
        guard count > 0 else { throw TestClientError(description: "connection closed before a full response") }
        buffer.append(contentsOf: chunk[..<count])
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for index in 0...(buffer.count - needle.count) where Array(buffer[index..<(index + needle.count)]) == needle {
            return index
        }
        return nil
    }

    private static func connect(port: UInt16) throws -> Int32 {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(port.bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw TestClientError(description: "connect to 127.0.0.1:\(port) failed: errno \(errno)")
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }
}
