import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why the loopback server could not start.
public enum LoopbackServerError: Error, CustomStringConvertible {
    case notLoopback(host: String)
    case invalidPort(Int)
    case alreadyStarted
    case socketCall(name: String, errno: Int32)

    public var description: String {
        switch self {
        case .notLoopback(let host):
            "The emulator only listens on loopback; '\(host)' is not 127.0.0.1, ::1 or localhost."
        case .invalidPort(let port):
            "Port \(port) is outside 0...65535; pass 0 for an ephemeral port."
        case .alreadyStarted:
            "The emulator is already serving; call stop() before starting it again."
        case .socketCall(let name, let code):
            "\(name) failed with errno \(code) (\(String(cString: strerror(code))))."
        }
    }
}

/// A minimal HTTP/1.1 server on POSIX sockets: one accept thread, one thread per connection, keep-alive.
///
/// It exists because the emulator may use nothing but Foundation and Glibc. It knows nothing about Graph:
/// it hands each parsed request to `handler` and carries out the reply (an answer or an injected fault).
final class LoopbackHTTPServer: @unchecked Sendable {
    typealias Handler = @Sendable (HTTPRequest) -> HTTPReply

    private let handler: Handler
    private let lock = NSLock()
    private var listenSocket: Int32 = -1
    private var openConnections: Set<Int32> = []
    private var acceptLoopDone: DispatchSemaphore?

    init(handler: @escaping Handler) {
        self.handler = handler
    }

    /// Binds a loopback address and starts accepting; returns the bound port.
    func start(host: String, port: Int) throws -> Int {
        let family: Int32
        switch host {
        case "127.0.0.1", "localhost": family = AF_INET
        case "::1", "[::1]": family = AF_INET6
        default: throw LoopbackServerError.notLoopback(host: host)
        }
        guard (0...65535).contains(port) else { throw LoopbackServerError.invalidPort(port) }
        lock.lock()
        defer { lock.unlock() }
        guard listenSocket < 0 else { throw LoopbackServerError.alreadyStarted }

        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackServerError.socketCall(name: "socket", errno: errno) }
        var enable: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &enable, socklen_t(MemoryLayout<Int32>.size))
        do {
            try Self.bind(fd, family: family, port: UInt16(port))
            // A backlog of 128 lets benchmarks open many connections at once without SYN drops.
            guard listen(fd, 128) == 0 else { throw LoopbackServerError.socketCall(name: "listen", errno: errno) }
        } catch {
            close(fd)
            throw error
        }
        let boundPort = Self.localPort(fd)
        listenSocket = fd
        let done = DispatchSemaphore(value: 0)
        acceptLoopDone = done
        let thread = Thread { [self] in
            acceptLoop(fd)
            close(fd)
            done.signal()
        }
        thread.name = "graph-emulator-accept"
        thread.start()
        return boundPort
    }

    /// Stops accepting, cuts open connections and waits briefly for the accept thread to finish.
    func stop() {
        lock.lock()
        let fd = listenSocket
        let done = acceptLoopDone
        listenSocket = -1
        acceptLoopDone = nil
        // shutdown (not close) wakes the blocked accept/recv calls without racing on fd reuse.
        if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
        for connection in openConnections { shutdown(connection, Int32(SHUT_RDWR)) }
        lock.unlock()
        _ = done?.wait(timeout: .now() + 2)
    }

    private func acceptLoop(_ fd: Int32) {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            lock.lock()
            let stillRunning = listenSocket == fd
            if stillRunning { openConnections.insert(client) }
            lock.unlock()
            guard stillRunning else {
                close(client)
                return
            }
            var enable: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &enable, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in
                HTTPConnection(socket: client, handler: handler).serve()
                lock.lock()
                openConnections.remove(client)
                lock.unlock()
                close(client)
            }
            thread.name = "graph-emulator-connection"
            thread.start()
        }
    }

    private static func bind(_ fd: Int32, family: Int32, port: UInt16) throws {
        let result: Int32
        if family == AF_INET {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(port.bigEndian)
            address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        } else {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(port.bigEndian)
            _ = inet_pton(AF_INET6, "::1", &address.sin6_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
        guard result == 0 else { throw LoopbackServerError.socketCall(name: "bind", errno: errno) }
    }

    private static func localPort(_ fd: Int32) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let family = storage.ss_family
        let networkOrder: UInt16 = withUnsafePointer(to: &storage) { pointer in
            if family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }
        }
        return Int(UInt16(bigEndian: networkOrder))
    }
}
