import ArgumentParser
import Foundation
import LeaverSweepCore
import LeaverSweepKit

/// `leaversweep history`: the runs, newest first — when, mode, counts, outcome.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List recorded runs, newest first.")

    @Option(name: .long, help: "Path to the config file (for the state database).")
    var config: String = "/etc/leaversweep/config.toml"

    @Option(name: .long, help: "How many runs to list.")
    var limit: Int = 30

    func run() throws {
        let store = try StoreOpening.open(config: config)
        print("run  started (UTC)         mode      outcome      findings applied failed flagged")
        for row in try store.runs(limit: max(1, limit)) {
            let outcome = row.guardTripped ? "guarded" : row.outcome
            let started = GraphTimestamp.readable(row.startedAt).replacingOccurrences(of: " UTC", with: "")
            print(String(format: "%-4lld %-21@ %-9@ %-12@ %8d %7d %6d %7d", row.id, started as NSString, row.mode as NSString, outcome as NSString,
                         row.findings, row.applied, row.failed, row.flagged))
            if let failure = row.failure { print("     \(TerminalText.safe(failure, limit: 160))") }
        }
    }
}

/// `leaversweep show RUN`: every write of a run, with Graph's request-id and result.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "List every write a run sent, with Graph's request-id and result.")

    @Option(name: .long, help: "Path to the config file (for the state database).")
    var config: String = "/etc/leaversweep/config.toml"

    @Argument(help: "The run id (see `leaversweep history`).")
    var runId: Int64

    func run() throws {
        let store = try StoreOpening.open(config: config)
        guard try store.runExists(runId) else {
            ConfigFile.printError("no run \(runId) in the state database")
            throw ExitStatus.runFailed.exitCode
        }
        let events = try store.actionEvents(runId: runId)
        if events.isEmpty { print("Run \(runId) sent no writes.") }
        for event in events {
            var line = "\(GraphTimestamp.format(event.at))  \(event.state.padding(toLength: 9, withPad: " ", startingAt: 0)) \(event.kind) \(event.targetId)"
            if let status = event.httpStatus { line += "  HTTP \(status)" }
            if let code = event.errorCode { line += " \(TerminalText.safe(code))" }
            if let requestId = event.requestId { line += "  request-id \(requestId)" }
            if let message = event.message, event.state != "in_flight" { line += "  \(TerminalText.safe(message, limit: 160))" }
            // What a removal deleted, once, so an admin can put it back by hand.
            if let details = event.details, event.state == "in_flight" { line += "  deleted: \(TerminalText.safe(details, limit: 400))" }
            print(line)
        }
    }
}

enum StoreOpening {
    static func open(config: String) throws -> StateStore {
        let configuration = try ConfigFile.load(config)
        guard FileManager.default.fileExists(atPath: configuration.state.database) else {
            ConfigFile.printError("no state database at \(configuration.state.database): no run has been recorded yet")
            throw ExitStatus.runFailed.exitCode
        }
        return try StateStore(path: configuration.state.database)
    }
}
