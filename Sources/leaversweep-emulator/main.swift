import ArgumentParser
import Foundation
import GraphEmulator
#if canImport(Glibc)
import Glibc
#endif

/// Serves a generated (or the demo) tenant as a Microsoft Graph emulator until SIGTERM/SIGINT.
struct EmulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leaversweep-emulator",
        abstract: "Serve an emulated Microsoft Graph tenant on loopback for tests, benchmarks and the demo.",
        discussion: "Prints one line, 'listening http://127.0.0.1:PORT tenant=… client_id=… client_secret=…', when ready.")

    @Option(help: "Loopback address to bind: 127.0.0.1 or ::1.") var host = "127.0.0.1"
    @Option(help: "Port to bind; 0 picks a free one.") var port = 0
    @Option(help: "Number of generated users.") var users = 1000
    @Option(help: "Fraction of generated users that are disabled leavers.") var disabledFraction = 0.01
    @Option(help: "Average devices per user.") var devicesPerUser = 1.5
    @Option(help: "Generator seed; same seed, same tenant.") var seed: UInt64 = 42
    @Option(help: "Latency added to every response, in milliseconds.") var latencyMs = 0
    @Option(help: "Server-side page cap for users (and audit records).") var pageCapUsers = 999
    @Option(help: "Server-side page cap for devices.") var pageCapDevices = 999
    @Option(help: "Page cap for devices with $expand=registeredOwners.") var pageCapExpand = 100
    @Option(help: "Page size of /users/delta and /devices/delta.") var pageCapDelta = 200
    @Option(help: "Answer every Nth Graph request (inner $batch requests count) with 429 and Retry-After (0 = never).")
    var throttleEvery = 0
    @Option(help: "Answer every Nth Graph request with 503 (0 = never).") var unavailableEvery = 0
    @Option(help: "Expire the presented token on every Nth Graph request (0 = never).") var expireTokensEvery = 0
    @Option(help: "Retry-After seconds on injected 429/503.") var retryAfter = 1
    @Option(help: "Reset the connection (TCP RST) after reading every Nth Graph request, unanswered (0 = never).")
    var resetEvery = 0
    @Option(help: "Send only half the body of every Nth Graph response, then close (0 = never).") var truncateEvery = 0
    @Option(help: "Answer every Nth Graph request 200 with a body that is not JSON (0 = never).") var malformedJsonEvery = 0
    @Option(help: "Answer nothing to every Nth Graph request for --stall-seconds, then close (0 = never).") var stallEvery = 0
    @Option(help: "How long a stalled request waits before the close.") var stallSeconds = 30.0
    @Option(help: "Answer every Nth Graph request with 500 generalException, no Retry-After (0 = never).")
    var serverErrorEvery = 0
    @Flag(help: "The token endpoint answers every request with 503.") var tokenEndpointDown = false
    @Flag(help: "Collections never end: past the last item, empty pages keep linking to another page.") var endlessPaging = false
    @Option(help: "Access token lifetime in seconds.") var tokenLifetime = 3599
    @Option(name: .customLong("deny"),
            help: "Path under /v1.0 to answer 403: a first segment (auditLogs) or a prefix with * for one segment (servicePrincipals/*/synchronization); repeatable.")
    var deniedEndpoints: [String] = []
    @Option(name: .customLong("unauthorized"),
            help: "Path under /v1.0 (same syntax as --deny) to answer 401 UnknownError, as the synchronization API does without Synchronization.Read.All; repeatable.")
    var unauthorizedEndpoints: [String] = []
    @Flag(help: "Enforce the identity-reports limit: at most 5 requests to auditLogs/directoryAudits and auditLogs/provisioning per 10 s, then 429.")
    var reportThrottling = false
    @Option(help: "Client secret the token endpoint accepts.") var clientSecret = "emulator-secret"
    @Option(help: "Generator clock as ISO 8601 (default: now), for reproducible tenants.") var now: String?
    @Flag(help: "Serve the small named Contoso demo tenant instead of a generated one.") var demo = false
    @Flag(help: "Sprinkle hostile display names (HTML, CSV formulas, RTL marks, 300 characters).") var hostileNames = false

    func validate() throws {
        guard ["127.0.0.1", "::1", "localhost"].contains(host) else {
            throw ValidationError("--host must be a loopback address (127.0.0.1 or ::1); got '\(host)'.")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535; got \(port).") }
        guard users >= 0, (0...1).contains(disabledFraction), devicesPerUser >= 0 else {
            throw ValidationError("--users must be >= 0, --disabled-fraction within 0...1, --devices-per-user >= 0.")
        }
        guard pageCapUsers > 0, pageCapDevices > 0, pageCapExpand > 0, pageCapDelta > 0, tokenLifetime >= 0, latencyMs >= 0 else {
            throw ValidationError("Page caps must be positive; --token-lifetime and --latency-ms must be >= 0.")
        }
        let everyNth = [throttleEvery, unavailableEvery, expireTokensEvery, resetEvery, truncateEvery, malformedJsonEvery,
                        stallEvery, serverErrorEvery]
        guard everyNth.allSatisfy({ $0 >= 0 }), retryAfter >= 0, stallSeconds >= 0 else {
            throw ValidationError("The --…-every options, --retry-after and --stall-seconds must be >= 0.")
        }
        if let now, parsedNow(now) == nil { throw ValidationError("--now must look like 2026-11-23T18:00:00Z; got '\(now)'.") }
    }

    func run() throws {
        let clock = now.flatMap(parsedNow) ?? Date()
        let (tenant, manifest) = demo
            ? TenantGenerator.demo(now: clock)
            : TenantGenerator.generate(TenantSpec(users: users, disabledFraction: disabledFraction,
                                                  devicesPerUser: devicesPerUser, seed: seed, now: clock,
                                                  hostileNames: hostileNames))
        var options = EmulatorOptions()
        options.clientSecret = clientSecret
        options.tokenLifetimeSeconds = tokenLifetime
        options.pageCapUsers = pageCapUsers
        options.pageCapDevices = pageCapDevices
        options.pageCapWithExpand = pageCapExpand
        options.pageCapDelta = pageCapDelta
        options.latencyMilliseconds = latencyMs
        options.deniedEndpoints = Set(deniedEndpoints)
        options.unauthorizedEndpoints = Set(unauthorizedEndpoints)
        options.reportThrottling = reportThrottling
        options.faults.throttleEveryNth = throttleEvery
        options.faults.unavailableEveryNth = unavailableEvery
        options.faults.expireTokensEveryNth = expireTokensEvery
        options.faults.retryAfterSeconds = retryAfter
        options.faults.resetEveryNth = resetEvery
        options.faults.truncateEveryNth = truncateEvery
        options.faults.malformedJSONEveryNth = malformedJsonEvery
        options.faults.stallEveryNth = stallEvery
        options.faults.stallSeconds = stallSeconds
        options.faults.serverErrorEveryNth = serverErrorEvery
        options.faults.tokenEndpointDown = tokenEndpointDown
        options.faults.endlessPaging = endlessPaging

        // Block the stop signals before any server thread exists so they all inherit the mask and only
        // sigwait below receives them.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

        let emulator = GraphEmulator(tenant: tenant, options: options)
        emulator.setManifest(manifest)
        try emulator.start(host: host, port: port)
        print("listening \(emulator.baseURL) tenant=\(options.tenantId) tenant_guid=\(options.tenantGUID) "
              + "client_id=\(options.clientId) client_secret=\(options.clientSecret) users=\(tenant.users.count) "
              + "devices=\(tenant.devices.count)")
        fflush(nil) // all streams: stdout is a shared C global Swift 6 will not touch directly

        var received: Int32 = 0
        sigwait(&stopSignals, &received)
        emulator.stop()
        // Skip tearing down a 100k-user tenant object by object: the process is ending anyway.
        Foundation.exit(0)
    }

    private func parsedNow(_ text: String) -> Date? {
        ISO8601DateFormatter().date(from: text)
    }
}

EmulatorCommand.main()
