import Foundation
import GraphEmulator
import LeaverSweepKit

/// Runs the real `leaversweep` binary against an in-process Graph emulator, as cron would run it nightly.
public final class NightHarness: @unchecked Sendable {
    public let emulator: GraphEmulator
    public let options: EmulatorOptions
    public let directory: TemporaryDirectory
    public let secret: String
    public var mode = "enforce"
    public var exclude: [String] = []
    /// Appended to the config as is, e.g. an `[email]` section.
    public var extraConfig = ""
    /// Extra lines inside `[policy]`, e.g. `max_actions = 3`.
    public var policyLines = ""

    public init(tenant: EmulatedTenant, options: EmulatorOptions = EmulatorOptions()) throws {
        self.options = options
        self.secret = options.clientSecret
        emulator = GraphEmulator(tenant: tenant, options: options)
        try emulator.start(host: "127.0.0.1", port: 0)
        directory = try TemporaryDirectory()
    }

    deinit {
        emulator.stop()
    }

    public var databasePath: String { directory.path + "/state.sqlite" }
    public var reportPath: String { directory.path + "/report.json" }
    public var configPath: String { directory.path + "/config.toml" }

    public func configText() -> String {
        let exclusions = exclude.map { "\"\($0)\"" }.joined(separator: ", ")
        return """
            [tenant]
            id = "\(options.tenantId)"
            [auth]
            client_id = "\(options.clientId)"
            client_secret_env = "LEAVERSWEEP_CLIENT_SECRET"
            authority = "\(emulator.baseURL)"
            [graph]
            endpoint = "\(emulator.baseURL)"
            [state]
            database = "\(databasePath)"
            [policy]
            mode = "\(mode)"
            exclude = [\(exclusions)]
            \(policyLines)
            [report]
            json = "\(reportPath)"
            \(extraConfig)

            """
    }

    /// An `[email]` section sending to a loopback SMTP server without STARTTLS.
    public func emailTo(_ server: LoopbackSMTPServer, send: String = "always") {
        extraConfig = """
            [email]
            smtp_url = "\(server.url)"
            starttls = "off"
            from = "LeaverSweep <leaversweep@contoso.com>"
            to = ["identity-admins@contoso.com", "Ops Team <ops@contoso.com>"]
            send = "\(send)"
            """
    }

    /// Runs another `leaversweep` subcommand with this night's config.
    public func command(_ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.run(try BuiltProducts.executable("leaversweep"), arguments + ["--config", configPath], environment: ["PATH": "/usr/bin:/bin"])
    }

    /// Starts `leaversweep run` without waiting, for tests that signal it mid-run.
    public func start(_ extraArguments: [String] = []) throws -> Process {
        try configText().write(toFile: configPath, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = try BuiltProducts.executable("leaversweep")
        process.arguments = ["run", "--config", configPath] + extraArguments
        process.environment = ["LEAVERSWEEP_CLIENT_SECRET": secret, "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Writes the config and runs `leaversweep run` with it.
    @discardableResult
    public func run(_ extraArguments: [String] = [], environment extra: [String: String] = [:], config: String? = nil) throws -> ProcessResult {
        try (config ?? configText()).write(toFile: configPath, atomically: true, encoding: .utf8)
        var environment = ["LEAVERSWEEP_CLIENT_SECRET": secret, "PATH": "/usr/bin:/bin"]
        environment.merge(extra) { _, new in new }
        return try ProcessRunner.run(try BuiltProducts.executable("leaversweep"), ["run", "--config", configPath] + extraArguments, environment: environment)
    }

    /// The JSON report of the last run, as a plain dictionary (tests read it the way a machine consumer would).
    public func report() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: reportPath))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    public func reportedFindings() throws -> [[String: Any]] {
        try report()["findings"] as? [[String: Any]] ?? []
    }

    /// Writes that reached the emulator, as "METHOD /v1.0/path" strings.
    public func writes() -> [String] {
        emulator.recordedWrites().map { "\($0.method) \($0.path)" }
    }

    /// Successful revocations and device disables, by target id.
    public func effectiveWrites() -> (revoked: [String], disabledDevices: [String], refusedDevices: [String]) {
        var revoked: [String] = []
        var disabled: [String] = []
        var refused: [String] = []
        for write in emulator.recordedWrites() {
            let parts = write.path.split(separator: "/").map(String.init)
            if write.method == "POST", parts.last == "revokeSignInSessions", parts.count >= 3, write.status == 200 {
                revoked.append(parts[parts.count - 2])
            } else if write.method == "PATCH", parts.count >= 3, parts[parts.count - 2] == "devices" {
                if write.status == 204 { disabled.append(parts.last!) } else if write.status == 400 { refused.append(parts.last!) }
            }
        }
        return (revoked, disabled, refused)
    }
}

extension NightHarness {
    /// Acts on the tenant as an admin would between nights (HR re-enabling someone, a helpdesk re-enabling a
    /// laptop): a real token from the emulator's token endpoint, then a real Graph request over libcurl.
    @discardableResult
    public func adminRequest(_ method: String, _ path: String, json: String? = nil) throws -> Int {
        let transport = try CurlHTTPTransport()
        let form = "client_id=\(options.clientId)&client_secret=\(options.clientSecret)&grant_type=client_credentials&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
        let tokenResponse = try transport.perform(HTTPRequest(
            method: "POST", url: "\(emulator.baseURL)/\(options.tenantId)/oauth2/v2.0/token",
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(form.utf8)))
        let token = (try JSONSerialization.jsonObject(with: tokenResponse.body) as? [String: Any])?["access_token"] as? String ?? ""
        var headers: [(name: String, value: String)] = [("Authorization", "Bearer \(token)")]
        if json != nil { headers.append(("Content-Type", "application/json")) }
        let response = try transport.perform(HTTPRequest(method: method, url: "\(emulator.baseURL)/v1.0\(path)", headers: headers, body: json.map { Data($0.utf8) }))
        return response.status
    }
}
