import ArgumentParser
import Foundation
import GraphEmulator
import LeaverSweepCore
import LeaverSweepKit

/// Runs a whole night against the bundled Graph emulator, so a newcomer sees LeaverSweep work in a minute.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start the Graph emulator with a demo tenant on loopback and run a night against it."
    )

    @Option(name: .long, help: "Keep the state directory here instead of a temporary one.")
    var stateDirectory: String?

    @Option(name: .long, help: "Path of scim2-server (script/demo passes the one in .venv): adds a SCIM app with deprovisioning on.")
    var scimServer: String?

    func run() throws {
        let (tenant, _) = TenantGenerator.demo(now: Date())
        let options = EmulatorOptions()
        let emulator = GraphEmulator(tenant: tenant, options: options)
        try emulator.start(host: "127.0.0.1", port: 0)
        defer { emulator.stop() }

        let scim = try scimServer.map { try startSCIMApp($0, tenant: tenant) }
        defer { scim?.app.stop() }
        let directory = stateDirectory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("leaversweep-demo-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let configPath = directory + "/config.toml"
        let configText = """
            # Written by `leaversweep demo`: a real config, pointed at the emulator on loopback.
            [tenant]
            id = "\(options.tenantId)"
            [auth]
            client_id = "\(options.clientId)"
            client_secret_env = "LEAVERSWEEP_DEMO_SECRET"
            authority = "\(emulator.baseURL)"
            [graph]
            endpoint = "\(emulator.baseURL)"
            [state]
            database = "\(directory)/state.sqlite"
            [policy]
            mode = "enforce"
            exclude = ["breakglass@contoso.com"]
            [report]
            json = "\(directory)/report.json"

            [[apps]]
            name = "Legacy Payroll"
            type = "manual"
            owner = "payroll-admins@contoso.com"
            \(scim.map { scimAppConfig($0) } ?? "")
            """
        try configText.write(toFile: configPath, atomically: true, encoding: .utf8)
        let configuration = try ConfigFile.load(configPath)

        print("Graph emulator: \(emulator.baseURL) (demo tenant \(options.tenantId), \(tenant.users.count) users, \(tenant.devices.count) devices)")
        print("Config: \(configPath)\n")

        let log = RunLog(threshold: .warning)
        var context = try NightlyRun.Context.live(log: log)
        context.environment["LEAVERSWEEP_DEMO_SECRET"] = options.clientSecret
        context.environment["LEAVERSWEEP_DEMO_SCIM_TOKEN"] = scim?.app.token

        let first = try NightlyRun(configuration: configuration, dryRun: false, context: context).execute()
        print(first.report.renderText(), terminator: "")
        let firstWrites = emulator.recordedWrites().count
        print("\nGraph received \(firstWrites) writes in \(first.traffic.requests) requests.")
        if let scim {
            let now = try scim.app.accounts()
            let deactivated = scim.activeLeavers.filter { now[$0] == false }
            print("ServiceNow (scim2-server on loopback): \(deactivated.count) of \(scim.activeLeavers.count) leavers' active accounts deactivated; \(now.filter { !scim.activeLeavers.contains($0.key) && $0.value }.count) other active accounts untouched.")
        } else {
            print("(script/demo also adds a real SCIM app: pass --scim-server PATH-TO-scim2-server.)")
        }

        let second = try NightlyRun(configuration: configuration, dryRun: false, context: context).execute()
        let secondWrites = emulator.recordedWrites().count - firstWrites
        print("Second run the same night: \(second.report.summary.findings) findings still open, \(secondWrites) writes sent (the journal remembers).")
        print("JSON report: \(directory)/report.json")
        // The HTML the admins get by email, to open in a browser.
        let htmlPath = directory + "/report.html"
        try PrivateFile.write(Data(HTMLReport.render(first.report, now: Date()).utf8), to: htmlPath)
        print("HTML report: \(htmlPath)")
    }

    /// Accounts in the SCIM app: active ones for two leavers, an already inactive one for a third, and active ones
    /// for people still working (which must stay untouched).
    private func startSCIMApp(_ executable: String, tenant: EmulatedTenant) throws -> (app: DemoSCIMApp, activeLeavers: [String]) {
        let app = try DemoSCIMApp(executable: executable)
        let leavers = tenant.users.filter { !$0.accountEnabled && !$0.userPrincipalName.hasPrefix("breakglass") }.map(\.userPrincipalName).sorted()
        let active = Array(leavers.prefix(2))
        for name in active { try app.seed(userName: name, active: true) }
        for name in leavers.dropFirst(2).prefix(1) { try app.seed(userName: name, active: false) }
        for user in tenant.users.filter(\.accountEnabled).prefix(3) { try app.seed(userName: user.userPrincipalName, active: true) }
        return (app, active)
    }

    private func scimAppConfig(_ scim: (app: DemoSCIMApp, activeLeavers: [String])) -> String {
        """
        [[apps]]
        name = "ServiceNow"
        type = "scim"
        base_url = "\(scim.app.baseURL)"
        token_env = "LEAVERSWEEP_DEMO_SCIM_TOKEN"
        match = "userName"
        deprovision = true
        """
    }
}
