import ArgumentParser
import Foundation
import LeaverSweepCore
import LeaverSweepKit

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Snapshot the tenant, find drift, fix what can be fixed, and write the report."
    )

    @Option(name: .long, help: "Path to the config file.")
    var config: String = "/etc/leaversweep/config.toml"

    @Flag(name: .long, help: "Do everything except writes to the tenant.")
    var dryRun = false

    @Flag(name: .long, help: "Approve this one run although the blast-radius guard (policy.max_actions, policy.max_newly_disabled_fraction) would stop it.")
    var acceptMassChange = false

    @Flag(name: .long, help: "Read users and devices in full tonight instead of following the stored delta links (done weekly anyway).")
    var fullSnapshot = false

    @Flag(name: .long, help: "Print nothing but errors (for cron).")
    var quiet = false

    @Flag(name: .long, help: "Print progress details to standard error.")
    var verbose = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose cannot be used together") }
    }

    func run() throws {
        let configuration = try ConfigFile.load(config)
        let log = RunLog(threshold: quiet ? .error : (verbose ? .debug : .warning))
        let result: RunResult
        do {
            StopSignal.install()
            let nightly = NightlyRun(configuration: configuration, dryRun: dryRun, acceptMassChange: acceptMassChange, fullSnapshot: fullSnapshot, context: try .live(log: log))
            result = try nightly.execute()
        } catch RunFailure.lockHeld(let path) {
            log.error("\(RunFailure.lockHeld(path))")
            throw ExitStatus.anotherRunHoldsTheLock.exitCode
        } catch {
            log.error("\(error)")
            throw ExitStatus.runFailed.exitCode
        }
        if !quiet {
            print(result.report.renderText(), terminator: "")
            if let path = result.reportPath { print("JSON report: \(path)") }
            if let mail = result.mail, mail.sent > 0 { print("Report emailed (\(mail.sent) message\(mail.sent == 1 ? "" : "s") sent).") }
        }
        let status = ExitStatus(result)
        if status != .success { throw status.exitCode }
    }
}

extension NightlyRun.Context {
    /// The real world: libcurl, the process environment, the wall clock.
    static func live(log: RunLog) throws -> NightlyRun.Context {
        NightlyRun.Context(
            environment: ProcessInfo.processInfo.environment,
            transport: try CurlHTTPTransport(),
            now: { Date() },
            sleep: { Thread.sleep(forTimeInterval: $0) },
            log: log
        )
    }
}
