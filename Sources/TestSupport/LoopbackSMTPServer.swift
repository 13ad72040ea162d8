import Foundation
import LeaverSweepKit

#if canImport(Glibc)
import Glibc
#endif

/// A real SMTP server (aiosmtpd, from the test virtualenv) on 127.0.0.1 that stores what it receives in a maildir.
public final class LoopbackSMTPServer: @unchecked Sendable {
    public let port: Int
    public let maildir: String
    /// The aiosmtpd handler class: stores everything, or also refuses "nobody…" recipients with 550.
    public let handler: String
    private var process: Process?

    /// The repository root, found from this file's location (Sources/TestSupport/…).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var python: String { repository.appendingPathComponent(".venv/bin/python").path }

    /// - Parameter port: a fixed port (to restart a server on the same address), or nil for a free one.
    public init(directory: String, port: Int? = nil, rejectingNobody: Bool = false) throws {
        self.port = try port ?? Self.freePort()
        maildir = directory + "/maildir"
        handler = rejectingNobody ? "smtp_handlers.RejectingMailbox" : "aiosmtpd.handlers.Mailbox"
        try start()
    }

    deinit { stop() }

    public var url: String { "smtp://127.0.0.1:\(port)" }

    public func start() throws {
        guard process == nil else { return }
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            throw SetupError("no test virtualenv at \(Self.python): run script/bootstrap --test-tools")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = ["-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", handler, maildir]
        process.environment = ["PYTHONPATH": Self.repository.appendingPathComponent("script/testing").path, "PATH": "/usr/bin:/bin"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if Self.accepts(port: port) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw SetupError("aiosmtpd did not start listening on 127.0.0.1:\(port)")
    }

    /// SIGKILL: servers started from a test runner may have SIGTERM blocked.
    public func stop() {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// What the server received, parsed by Python's MIME parser, in delivery order.
    public func messages() throws -> [[String: Any]] {
        guard FileManager.default.fileExists(atPath: maildir) else { return [] }
        let reader = Self.repository.appendingPathComponent("script/testing/read_maildir.py").path
        let result = try ProcessRunner.run(URL(fileURLWithPath: Self.python), [reader, maildir], environment: ["PATH": "/usr/bin:/bin"])
        guard result.status == 0 else { throw SetupError("read_maildir.py failed: \(result.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }

    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    static func freePort() throws -> Int {
        try LoopbackPort.free()
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
