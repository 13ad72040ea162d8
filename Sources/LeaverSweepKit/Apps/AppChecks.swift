import Foundation
import LeaverSweepCore

/// Tonight's app checks, after the directory snapshot: Entra provisioning (logs and jobs), every SCIM app, and the
/// manual apps' checklists. Nothing here fails the run; problems become per-app statuses and warnings.
struct AppChecks {
    let configuration: Configuration
    let environment: [String: String]
    let transport: HTTPTransport
    let graph: GraphClient
    let store: StateStore
    let log: RunLog
    let sleep: @Sendable (Double) -> Void

    struct Outcome {
        var statuses: [AppStatus] = []
        var warnings: [String] = []
        var context: LeaverAppContext
        /// SCIM clients by app name, for deprovisioning writes.
        var clients: [String: SCIMClient] = [:]
    }

    /// Entra provisioning does not depend on tonight's snapshot: it is read on its own thread while the snapshot runs,
    /// keeping its pages (a busy tenant logs tens of thousands of records a month) off the night's critical path.
    func startProvisioning(runStart: Date) -> ProvisioningRead? {
        guard configuration.policy.checkProvisioning else { return nil }
        var reader = ProvisioningReader(graph: graph, store: store, log: log)
        reader.ignored = Set(configuration.policy.ignoreProvisioningApps.map { $0.lowercased() })
        let configured = reader
        return ProvisioningRead { configured.read(runStart: runStart) }
    }

    func run(runStart: Date, provisioning: ProvisioningRead?) throws -> Outcome {
        var outcome = Outcome(context: LeaverAppContext(runStart: runStart))
        outcome.context.ignoredProvisioningApps = Set(configuration.policy.ignoreProvisioningApps.map { $0.lowercased() })
        if let provisioning = provisioning?.result() {
            outcome.statuses += provisioning.statuses
            outcome.warnings += provisioning.warnings
            outcome.context.stalledJobs = provisioning.stalled
        }
        nameGrantClients(at: runStart)
        try store.forgetAppAccounts(except: configuration.apps.filter { $0.scim != nil }.map(\.name))
        let leavers = try store.disabledUsers()
        let checks = AppStatusCollector()
        let warnings = WarningCollector()
        let scimApps = configuration.apps.compactMap { app in app.scim.map { (app, $0) } }
        try? ParallelWork.forEach(scimApps.map { AppJob(app: $0.0, settings: $0.1) }, threads: 4) { job in
            checks.add(check(job.app, job.settings, leavers: leavers, at: runStart, warnings: warnings))
        }
        outcome.warnings += warnings.all
        for (name, status, client) in checks.all.sorted(by: { $0.0 < $1.0 }) {
            outcome.statuses.append(status)
            if let client { outcome.clients[name] = client }
        }
        for app in configuration.apps where app.isManual {
            outcome.statuses.append(AppStatus(app: app.name, source: .manual, health: .ok, owner: app.owner?.address))
            outcome.context.manualApps.append((name: app.name, owner: app.owner?.address, since: app.since))
        }
        return outcome
    }

    /// Delegated grants name their client app only by object id; the per-app view needs its name. Each client is
    /// looked up once (in JSON batches); one that cannot be read keeps showing its id.
    private func nameGrantClients(at now: Date) {
        guard let clients = try? store.unnamedGrantClients(), !clients.isEmpty else { return }
        let answers = graph.batch(clients.map { GraphBatchItem("GET", "/servicePrincipals/\(GraphQuery.segment($0))?$select=id,displayName") })
        var names: [(id: String, displayName: String?)] = []
        for (id, answer) in zip(clients, answers) {
            switch answer {
            case .success(let response):
                names.append((id, (try? JSONDecoder().decode(ServicePrincipalPayload.self, from: response.body))?.displayName))
            case .failure(RunFailure.graph(let error)) where error.info.httpStatus == 404:
                names.append((id, nil))  // deleted app: don't ask again
            case .failure:
                continue
            }
        }
        do { try store.rememberServicePrincipalNames(names, at: now) } catch {
            log.warning("could not store client app names: \(error)")
        }
    }

    private func check(_ app: AppSettings, _ settings: SCIMAppSettings, leavers: [DirectoryUser], at runStart: Date,
                       warnings: WarningCollector) -> (String, AppStatus, SCIMClient?) {
        let token: String
        do {
            let loaded = try SecretLoader.load(settings.token, environment: environment,
                                               purpose: .init(name: "SCIM token of app \"\(app.name)\"", keyPrefix: "apps.token"))
            // A token file others can read is worth saying every night, as for the client secret.
            if let warning = loaded.warning { warnings.add(warning) }
            token = loaded.secret
        } catch {
            log.warning("app \"\(app.name)\": could not check: \(error)")
            return (app.name, AppStatus(app: app.name, source: .scim, health: .notChecked, detail: "could not check: \(error)",
                                        usersChecked: 0, owner: app.owner?.address), nil)
        }
        let client = SCIMClient(transport: transport, baseURL: settings.baseURL.absoluteString, token: token, sleep: sleep)
        let checker = SCIMAppChecker(app: app, settings: settings, client: client, store: store, log: log)
        return (app.name, checker.check(leavers, at: runStart), client)
    }
}

/// The provisioning read, under way on its own thread.
final class ProvisioningRead: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var value = ProvisioningReader.Result()

    init(_ body: @escaping @Sendable () -> ProvisioningReader.Result) {
        let thread = Thread { [self] in
            value = body()
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Waits for the read to finish (it never throws: refusals are warnings in the result).
    func result() -> ProvisioningReader.Result {
        done.wait()
        done.signal()
        return value
    }
}

private struct AppJob: @unchecked Sendable {
    let app: AppSettings
    let settings: SCIMAppSettings
}

private final class WarningCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    var all: [String] { lock.withLock { items } }
    func add(_ warning: String) { lock.withLock { items.append(warning) } }
}

private final class AppStatusCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(String, AppStatus, SCIMClient?)] = []
    var all: [(String, AppStatus, SCIMClient?)] { lock.withLock { items } }
    func add(_ item: (String, AppStatus, SCIMClient?)) { lock.withLock { items.append(item) } }
}
