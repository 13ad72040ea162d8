import Foundation

/// Finds executables SwiftPM built next to the test bundle (`.build/debug/leaversweep`).
public enum BuiltProducts {
    public static func executable(_ name: String) throws -> URL {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["LEAVERSWEEP_BUILD_DIR"] {
            candidates.append(URL(fileURLWithPath: override).appendingPathComponent(name))
        }
        for bundle in [Bundle.main] + Bundle.allBundles {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent(name))
            if let executable = bundle.executableURL {
                candidates.append(executable.deletingLastPathComponent().appendingPathComponent(name))
            }
        }
        let arguments = CommandLine.arguments.first.map { URL(fileURLWithPath: $0).deletingLastPathComponent() }
        if let arguments { candidates.append(arguments.appendingPathComponent(name)) }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        throw MissingProduct(name: name, looked: candidates.map(\.path))
    }

    public struct MissingProduct: Error, CustomStringConvertible {
        public var name: String
        public var looked: [String]
        public var description: String { "\(name) was not built (run `swift build` first); looked in \(looked.joined(separator: ", "))" }
    }
}

/// A directory that exists for one test and is removed afterwards.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(prefix: String = "leaversweep-test") throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
