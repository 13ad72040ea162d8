import ArgumentParser
import Foundation
import LeaverSweepCore
import LeaverSweepKit

/// `leaversweep ack APP USER`: a manual app's account was deprovisioned by hand; take it off the checklist.
struct AckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Mark a leaver's account in a manual app as deprovisioned by hand.",
        discussion: "APP is the name of a [[apps]] entry with type = \"manual\", or of an app Entra provisions whose account for the user you removed by hand; USER is the leaver's user principal name or object id. The line stays off the checklist while the account stays disabled; if the person is re-hired and leaves again (or Entra provisions the account again) it comes back."
    )

    @Option(name: .long, help: "Path to the config file (for the apps and the state database).")
    var config: String = "/etc/leaversweep/config.toml"

    @Option(name: .long, help: "Who did it, recorded with the acknowledgement (default: the login name).")
    var by: String?

    @Argument(help: "The manual app's name, as in the config.")
    var app: String

    @Argument(help: "The leaver's user principal name or object id.")
    var user: String

    func run() throws {
        let configuration = try ConfigFile.load(config)
        let store = try StoreOpening.open(config: config)
        // A manual app, or an app Entra provisions (an account it left behind, removed by hand since).
        let manualApps = configuration.apps.filter(\.isManual).map(\.name)
        let provisioned = try store.provisioningApps().map(\.app)
        guard let name = (manualApps + provisioned).first(where: { $0.caseInsensitiveCompare(app) == .orderedSame }) else {
            let names = (manualApps + provisioned).map { "\"\(TerminalText.safe($0))\"" }
            ConfigFile.printError("no manual app (nor app Entra provisions) named \"\(TerminalText.safe(app))\"" + (names.isEmpty ? "" : "; known: \(names.joined(separator: ", "))"))
            throw ExitStatus.configurationError.exitCode
        }
        guard let found = try store.findUser(user) else {
            ConfigFile.printError("no user \"\(TerminalText.safe(user))\" in the last snapshot; give the user principal name or object id")
            throw ExitStatus.runFailed.exitCode
        }
        guard !found.accountEnabled else {
            ConfigFile.printError("\(TerminalText.safe(found.userPrincipalName)) is enabled in the last snapshot: there is nothing to deprovision")
            throw ExitStatus.runFailed.exitCode
        }
        let who = by ?? ProcessInfo.processInfo.environment["SUDO_USER"] ?? ProcessInfo.processInfo.environment["USER"]
        try store.acknowledge(app: name, userId: found.id, at: Date(), by: who)
        print("\(TerminalText.safe(found.userPrincipalName)) is off the \"\(TerminalText.safe(name))\" checklist (acknowledged\(who.map { " by \(TerminalText.safe($0))" } ?? "")).")
    }
}
