import Foundation
import LeaverSweepCore

/// Where a run says what it is doing. Cron mails whatever a job prints, so the default is short and `--quiet`
/// leaves only errors. Never pass secrets here: nothing is redacted after the fact.
public final class RunLog: @unchecked Sendable {
    public enum Level: Int, Comparable, Sendable {
        case debug, info, warning, error
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    private let threshold: Level
    private let write: @Sendable (String) -> Void
    private let lock = NSLock()
    public private(set) var lines: [String] = []

    public init(threshold: Level, write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.threshold = threshold
        self.write = write
    }

    /// "1.23 s" since `start`, for the phase timings `--verbose` prints.
    static func elapsed(since start: Date) -> String {
        String(format: "%.2f s", Date().timeIntervalSince(start))
    }

    public func debug(_ message: @autoclosure () -> String) { emit(.debug, message()) }
    public func info(_ message: @autoclosure () -> String) { emit(.info, message()) }
    public func warning(_ message: @autoclosure () -> String) { emit(.warning, message()) }
    public func error(_ message: @autoclosure () -> String) { emit(.error, message()) }

    private func emit(_ level: Level, _ message: String) {
        guard level >= threshold else { return }
        let prefix: String
        switch level {
        case .debug: prefix = "leaversweep: debug: "
        case .info: prefix = "leaversweep: "
        case .warning: prefix = "leaversweep: warning: "
        case .error: prefix = "leaversweep: error: "
        }
        let line = prefix + TerminalText.safe(message, limit: 2000)
        lock.withLock { lines.append(line) }
        write(line)
    }
}
