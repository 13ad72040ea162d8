import ArgumentParser
import Foundation
import LeaverSweepCore
import LeaverSweepKit

/// Renders any stored run's report again, exactly as that night saw it ("what did it say last Tuesday?").
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render a stored run's report as text, JSON, HTML or CSV."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, html, csv
    }

    @Option(name: .long, help: "Path to the config file (for the state database).")
    var config: String = "/etc/leaversweep/config.toml"

    @Option(name: .customLong("run"), help: "\"latest\" or a run id (see the JSON report's run.id).")
    var runId: String = "latest"

    @Option(name: .long, help: "text, json, html or csv.")
    var format: Format = .text

    @Option(name: .long, help: "Write to this file (created 0600) instead of standard output.")
    var output: String?

    func validate() throws {
        if runId != "latest" && Int64(runId) == nil { throw ValidationError("--run takes \"latest\" or a run id, got \"\(runId)\"") }
    }

    func run() throws {
        let store = try StoreOpening.open(config: config)
        guard let id = try runId == "latest" ? store.latestReportedRunId() : Int64(runId), let report = try store.report(runId: id) else {
            ConfigFile.printError("no report stored for run \(runId)")
            throw ExitStatus.runFailed.exitCode
        }
        let finished = report.run.finishedAt.flatMap(GraphTimestamp.parse) ?? Date()
        let rendered: String
        switch format {
        case .text: rendered = PlainTextReport.render(report, now: finished)
        case .json: rendered = String(decoding: try ReportJSON.encode(report), as: UTF8.self) + "\n"
        case .html: rendered = HTMLReport.render(report, now: finished)
        case .csv: rendered = CSVReport.render(report)
        }
        if let output {
            try PrivateFile.write(Data(rendered.utf8), to: output)
        } else {
            FileHandle.standardOutput.write(Data(rendered.utf8))
        }
    }
}
