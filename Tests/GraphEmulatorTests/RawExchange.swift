import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One request on a fresh socket, read until the server ends the connection: what arrived and how it ended.
///
/// The transport faults are about how a connection ends (RST, FIN mid-body, silence), which an HTTP client
/// library would hide behind one error; this reads the socket directly.
struct RawExchange {
    enum Ending: Equatable {
        /// recv failed with ECONNRESET: the server sent a TCP RST.
        case reset
        /// recv returned 0: an orderly close (FIN).
        case closed
        /// Nothing more arrived within the read timeout; the connection is still open.
        case timedOut
    }

    let received: Data
    let ending: Ending
    /// From the request's last byte to the connection's end.
    let elapsed: TimeInterval

    var text: String { String(decoding: received, as: UTF8.self) }

    /// The status line's code, when a head arrived.
    var status: Int? {
        guard let line = text.components(separatedBy: "\r\n").first, line.hasPrefix("HTTP/1.1 ") else { return nil }
        return Int(line.split(separator: " ")[1])
    }

    /// Content-Length from the head, and how many body bytes actually followed it.
    var announcedAndReceivedBody: (announced: Int, received: Int)? {
        guard let headEnd = text.range(of: "\r\n\r\n") else { return nil }
        let head = text[..<headEnd.lowerBound].lowercased()
        guard let line = head.components(separatedBy: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
              let announced = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) else { return nil }
        let headBytes = text[..<headEnd.upperBound].utf8.count
        return (announced, received.count - headBytes)
    }

    /// Sends `method target` with a bearer token (and `body`) and reads until close, reset or `readTimeout`.
    static func perform(port: Int, _ method: String, _ target: String, token: String, body: String? = nil,
                        readTimeout: TimeInterval = 5) throws -> RawExchange {
        var request = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(token)\r\n"
        let payload = Data((body ?? "").utf8)
        if body != nil { request += "Content-Type: application/json\r\nContent-Length: \(payload.count)\r\n" }
        request += "\r\n"
        let fd = try connect(port: UInt16(port), readTimeout: readTimeout)
        defer { close(fd) }
        let wire = Data(request.utf8) + payload
        let sent = wire.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == wire.count else { throw TestClientError(description: "send failed: errno \(errno)") }
        let start = Date()
        var received = Data()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count > 0 {
                received.append(contentsOf: chunk[..<count])
                continue
            }
            let ending: Ending
            if count == 0 {
                ending = .closed
            } else if errno == ECONNRESET {
                ending = .reset
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                ending = .timedOut
            } else if errno == EINTR {
                continue
            } else {
                throw TestClientError(description: "recv failed: errno \(errno)")
            }
            return RawExchange(received: received, ending: ending, elapsed: Date().timeIntervalSince(start))
        }
    }

    private static func connect(port: UInt16, readTimeout: TimeInterval) throws -> Int32 {
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
        let whole = Int(readTimeout)
        var timeout = timeval(tv_sec: whole, tv_usec: Int((readTimeout - Double(whole)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }
}
