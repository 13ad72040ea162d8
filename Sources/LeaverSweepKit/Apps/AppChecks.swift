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
        let scimApps = configuration.apps.filter { $0.scim != nil }
        let checked = (try? ParallelWork.map(scimApps, threads: 4) { check($0, leavers: leavers, at: runStart) }) ?? []
        for app in checked.sorted(by: { $0.status.app < $1.status.app }) {
            outcome.statuses.append(app.status)
            outcome.warnings += app.warnings
            if let client = app.client { outcome.clients[app.status.app] = client }
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

    /// One SCIM app's night: its status, the client for its writes (nil when it could not be reached), warnings.
    struct CheckedApp: Sendable {
        var status: AppStatus
        var client: SCIMClient?
        var warnings: [String] = []
    }

    private func check(_ app: AppSettings, leavers: [DirectoryUser], at runStart: Date) -> CheckedApp {
        guard let settings = app.scim else { preconditionFailure("only SCIM apps are looked up") }
        var warnings: [String] = []
        let token: String
        do {
            let loaded = try SecretLoader.load(settings.token, environment: environment,
                                               purpose: .init(name: "SCIM token of app \"\(app.name)\"", keyPrefix: "apps.token"))
            // A token file others can read is worth saying every night, as for the client secret.
            if let warning = loaded.warning { warnings.append(warning) }
            token = loaded.secret
        } catch {
            log.warning("app \"\(app.name)\": could not check: \(error)")
            return CheckedApp(status: AppStatus(app: app.name, source: .scim, health: .notChecked, detail: "could not check: \(error)",
                                                usersChecked: 0, owner: app.owner?.address), client: nil)
        }
        let client = SCIMClient(transport: transport, baseURL: settings.baseURL.absoluteString, token: token, sleep: sleep)
        let checker = SCIMAppChecker(app: app, settings: settings, client: client, store: store, log: log)
        return CheckedApp(status: checker.check(leavers, at: runStart), client: client, warnings: warnings)
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
