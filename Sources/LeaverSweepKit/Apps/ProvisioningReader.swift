import Foundation
import LeaverSweepCore

/// Reads Entra's outbound provisioning: the provisioning logs since the last read (which users' accounts were put in
/// place or taken away, in which app) and the provisioning jobs of every app seen in them.
///
/// Both need permissions and licences a tenant may lack (AuditLog.Read.All with Entra ID P1/P2,
/// Synchronization.Read.All): a refusal is a warning, never a failed run. The logs are throttled hard (about
/// 5 requests per 10 s), so they are read once a night from a watermark, in pages of 1,000.
struct ProvisioningReader {
    let graph: GraphClient
    let store: StateStore
    let log: RunLog
    /// Lower-cased app names to leave out (`policy.ignore_provisioning_apps`).
    var ignored: Set<String> = []

    /// Provisioning logs are kept 30 days: the first read goes back that far.
    static let firstWindow: TimeInterval = 30 * 86_400
    /// Records can appear a while after their activity time; re-reading an hour costs little (records fold idempotently).
    static let overlap: TimeInterval = 3600

    struct Result {
        var statuses: [AppStatus] = []
        /// Service principal id → why its job stalls deprovisioning, for the leavers' findings.
        var stalled: [String: String] = [:]
        var warnings: [String] = []
    }

    func read(runStart: Date) -> Result {
        var result = Result()
        do {
            try readLogs(runStart: runStart)
        } catch RunFailure.graph(let error) where [401, 403].contains(error.info.httpStatus ?? 0) {
            result.warnings.append("the provisioning logs could not be read (\(error.info.code ?? "\(error.info.httpStatus ?? 0)")): \(error.info.message) Accounts Entra provisioned into apps are not checked. Grant AuditLog.Read.All (needs Entra ID P1/P2).")
        } catch {
            result.warnings.append("the provisioning logs could not be read: \(error). Accounts Entra provisioned into apps are checked from what earlier runs stored.")
        }
        do {
            try discoverIfDue(runStart: runStart)
        } catch RunFailure.graph(let error) where [401, 403].contains(error.info.httpStatus ?? 0) {
            result.warnings.append("service principals could not be listed (\(error.info.code ?? "\(error.info.httpStatus ?? 0)")): \(error.info.message) Only apps seen in the provisioning logs have their provisioning jobs checked. Grant Application.Read.All.")
        } catch {
            result.warnings.append("looking for apps with provisioning jobs failed: \(error). Only apps seen in the provisioning logs are checked tonight.")
        }
        do {
            try readJobs(runStart: runStart, into: &result)
        } catch {
            result.warnings.append("\(error)")
        }
        return result
    }

    private func readLogs(runStart: Date) throws {
        let since = try store.syncValue("provisioning_read_from").flatMap(GraphTimestamp.parse) ?? runStart.addingTimeInterval(-Self.firstWindow)
        let filter = "activityDateTime gt \(GraphTimestamp.formatForFilter(since))"
        // Oldest first: an update after a disable must not look like a new placement because it was read first.
        let path = GraphQuery.path("/auditLogs/provisioning", [("$filter", filter), ("$orderby", "activityDateTime asc"), ("$top", "1000")])
        var records = 0
        try graph.forEachPage(path, as: ProvisioningRecordPayload.self) { page in
            if StopSignal.requested { throw RunFailure.stopped("stopped by SIGTERM while reading the provisioning logs") }
            records += page.count
            try store.recordProvisioning(page.compactMap(Self.evidence), seenAt: runStart)
        }
        try store.setSyncValue("provisioning_read_from", GraphTimestamp.format(runStart.addingTimeInterval(-Self.overlap)))
        log.debug("apps: \(records) provisioning log records since \(GraphTimestamp.readable(since))")
    }

    /// A successful create puts an account in place; a successful disable or delete takes it away, and so does an
    /// update that sets `accountEnabled` false, `active` false or `IsSoftDeleted` true (apps that deprovision by
    /// attribute log it that way). Other updates only keep an account in place that is in place. Failures and skips
    /// change nothing in the app, except that a failed removal says why the account lingers.
    static func evidence(_ record: ProvisioningRecordPayload) -> StateStore.ProvisioningEvidence? {
        guard let principal = record.servicePrincipal?.id, let userId = record.sourceIdentity?.id, !userId.isEmpty,
              let at = record.activityDateTime.flatMap(GraphTimestamp.parse), let action = record.provisioningAction?.lowercased() else { return nil }
        let status = record.provisioningStatusInfo?.status?.lowercased()
        let app = record.servicePrincipal?.displayName ?? principal
        let change = action == "update" ? Self.enabledChange(record.modifiedProperties ?? []) : nil
        let removal = ["disable", "delete", "stageddelete"].contains(action) || change == false
        let effect: StateStore.ProvisioningEvidence.Effect
        switch (status, removal) {
        case ("success", false) where action == "create" || change == true: effect = .placed
        case ("success", false) where action == "update": effect = .updated
        case ("success", true): effect = .removed
        case ("failure", true):
            let info = record.provisioningStatusInfo?.errorInformation
            effect = .removalFailed([info?.errorCode, info?.reason].compactMap { $0 }.joined(separator: ": ").ifEmpty("failed"))
        default: return nil
        }
        return StateStore.ProvisioningEvidence(servicePrincipalId: principal, app: app, userId: userId, at: at, effect: effect)
    }

    /// Microsoft's own tenants: first-party apps (Graph, Teams…) have no outbound provisioning of the tenant's users.
    static let microsoftTenants: Set<String> = ["f8cdef31-a31e-4b4a-93e4-5f571e91255a", "72f988bf-86f1-41af-91ab-2d7cd011db47"]
    /// A job stuck in quarantine for weeks leaves few log records: once a week every application service principal
    /// of the tenant's own is asked for its jobs, and those that have one are remembered.
    static let discoveryInterval: TimeInterval = 7 * 86_400

    private func discoverIfDue(runStart: Date) throws {
        if let last = try store.syncValue("provisioning_discovered_at").flatMap(GraphTimestamp.parse),
           runStart.timeIntervalSince(last) < Self.discoveryInterval { return }
        var candidates: [(servicePrincipalId: String, app: String)] = []
        let path = GraphQuery.path("/servicePrincipals", [
            ("$select", "id,displayName,appOwnerOrganizationId,servicePrincipalType"),
            ("$filter", "servicePrincipalType eq 'Application'"), ("$top", "999"),
        ])
        try graph.forEachPage(path, as: ServicePrincipalPayload.self) { page in
            for principal in page where !Self.microsoftTenants.contains(principal.appOwnerOrganizationId?.lowercased() ?? "") {
                candidates.append((principal.id, principal.displayName ?? principal.id))
            }
        }
        let answers = graph.batch(candidates.map { Self.jobsRequest($0.servicePrincipalId) })
        var found: [(servicePrincipalId: String, app: String)] = []
        for (candidate, answer) in zip(candidates, answers) {
            guard case .success(let response) = answer,
                  let jobs = try? JSONDecoder().decode(SynchronizationJobList.self, from: response.body), !jobs.value.isEmpty else { continue }
            found.append(candidate)
        }
        try store.rememberProvisioningApps(found, seenAt: runStart)
        try store.setSyncValue("provisioning_discovered_at", GraphTimestamp.format(runStart))
        log.debug("apps: \(found.count) of \(candidates.count) service principals have provisioning jobs")
    }

    static func jobsRequest(_ servicePrincipalId: String) -> GraphBatchItem {
        GraphBatchItem("GET", "/servicePrincipals/\(GraphQuery.segment(servicePrincipalId))/synchronization/jobs")
    }

    /// What an update did to the account's state: false when it disabled or soft-deleted it, true when it enabled it
    /// again, nil when it changed other attributes only.
    static func enabledChange(_ properties: [ProvisioningRecordPayload.ModifiedProperty]) -> Bool? {
        for property in properties {
            let value = property.newValue?.trimmingCharacters(in: CharacterSet(charactersIn: "[]\" ")).lowercased()
            switch (property.displayName?.lowercased(), value) {
            case ("accountenabled", "false"), ("active", "false"), ("issoftdeleted", "true"): return false
            case ("accountenabled", "true"), ("active", "true"), ("issoftdeleted", "false"): return true
            default: continue
            }
        }
        return nil
    }

    /// One `GET /servicePrincipals/{id}/synchronization/jobs` per app seen provisioning, in JSON batches.
    private func readJobs(runStart: Date, into result: inout Result) throws {
        try store.forgetStaleProvisioningApps(now: runStart)
        let apps = try store.provisioningApps().filter { !ignored.contains($0.app.lowercased()) }
        guard !apps.isEmpty else { return }
        let answers = graph.batch(apps.map { Self.jobsRequest($0.servicePrincipalId) })
        var refused: GraphErrorInfo?
        for (app, answer) in zip(apps, answers) {
            switch answer {
            case .success(let response):
                guard let jobs = try? JSONDecoder().decode(SynchronizationJobList.self, from: response.body) else {
                    result.warnings.append("the provisioning jobs of \"\(app.app)\" could not be read: Graph's answer is not a job list")
                    continue
                }
                for job in jobs.value {
                    let status = Self.status(of: job, app: app.app)
                    result.statuses.append(status)
                    if status.isProblem, let detail = status.detail {
                        let since = status.since.flatMap(GraphTimestamp.parse).map { " (since \(GraphTimestamp.readable($0)))" } ?? ""
                        result.stalled[app.servicePrincipalId] = detail + since
                    }
                }
            case .failure(RunFailure.graph(let error)) where error.info.httpStatus == 404:
                continue  // the app was deleted; its logs age out
            case .failure(RunFailure.graph(let error)) where [401, 403].contains(error.info.httpStatus ?? 0):
                refused = error.info
            case .failure(let error):
                result.warnings.append("the provisioning jobs of \"\(app.app)\" could not be read: \(error)")
            }
        }
        if let refused {
            result.warnings.append("provisioning jobs could not be read (\(refused.code ?? "\(refused.httpStatus ?? 0)")): \(refused.message) Quarantined or failing jobs are not reported. Grant Synchronization.Read.All.")
        }
    }

    /// Quarantine, or failing (the latest runs failed completely), with the reason and since when (graph.md 7).
    static func status(of job: SynchronizationJobPayload, app: String) -> AppStatus {
        let status = job.status
        if status?.code?.caseInsensitiveCompare("Quarantine") == .orderedSame {
            let quarantine = status?.quarantine
            let since = quarantine?.seriesBegan.flatMap(GraphTimestamp.parse)
            // `since` is its own field: reports print it next to the health.
            var detail = "provisioning job in quarantine (\(quarantine?.reason ?? "Unknown"))"
            if let message = quarantine?.error?.message ?? status?.lastExecution?.error?.message { detail += ": \(message)" }
            return AppStatus(app: app, source: .entraProvisioning, health: .quarantine, detail: detail, since: since)
        }
        if status?.code?.caseInsensitiveCompare("Paused") == .orderedSame {
            // An admin stopped the job: nothing is deprovisioned through it until someone starts it again.
            return AppStatus(app: app, source: .entraProvisioning, health: .paused,
                             detail: "provisioning job paused; start it again, or deprovision this app's accounts another way")
        }
        if let failures = status?.countSuccessiveCompleteFailures, failures > 0 {
            let since = status?.lastSuccessfulExecution?.timeEnded.flatMap(GraphTimestamp.parse)
            let error = status?.lastExecution?.error
            var detail = "provisioning job failing (\(error?.code ?? "Failed"), \(failures) runs in a row)"
            if let message = error?.message { detail += ": \(message)" }
            return AppStatus(app: app, source: .entraProvisioning, health: .failing, detail: detail, since: since)
        }
        return AppStatus(app: app, source: .entraProvisioning, health: .ok, detail: "provisioning job \(status?.code ?? "status unknown")")
    }
}

private extension String {
    func ifEmpty(_ fallback: String) -> String { isEmpty ? fallback : self }
}
