import ArgumentParser
import LeaverSweepCore

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validates a config file without contacting anything."
    )

    @Option(name: .long, help: "Path to the config file.")
    var config: String = "/etc/leaversweep/config.toml"

    func run() throws {
        let configuration = try ConfigFile.load(config)
        print("\(config): OK (tenant \(configuration.tenant.id), mode \(configuration.policy.mode.rawValue), \(configuration.policy.exclude.count) exclusions, \(configuration.apps.count) apps)")
    }
}
