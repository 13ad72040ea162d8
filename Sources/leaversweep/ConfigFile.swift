import ArgumentParser
import Foundation
import LeaverSweepCore

/// Reads and validates the config file, turning every problem into one clear line and exit status 78.
enum ConfigFile {
    static func load(_ path: String) throws -> Configuration {
        guard let data = FileManager.default.contents(atPath: path) else {
            printError("cannot read the config file \(path)")
            throw ExitStatus.configurationError.exitCode
        }
        guard let text = String(data: data, encoding: .utf8) else {
            printError("\(path): not UTF-8 text")
            throw ExitStatus.configurationError.exitCode
        }
        do {
            return try Configuration.parse(text, file: path)
        } catch {
            printError(error.description)
            throw ExitStatus.configurationError.exitCode
        }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("leaversweep: error: \(TerminalText.safe(message, limit: 2000))\n".utf8))
    }
}
