import Foundation
import LeaverSweepCore

/// What the leaver cases need from tonight's app checks beyond the store.
public struct LeaverAppContext: Sendable {
    /// App checks before this instant are not tonight's.
    public var runStart: Date
    public var manualApps: [(name: String, owner: String?, since: Date?)]
    /// Service principal id → "provisioning job in quarantine (reason) since …", for tonight's stalled jobs.
    public var stalledJobs: [String: String]
    /// Lower-cased provisioning app names whose accounts are not reported.
    public var ignoredProvisioningApps: Set<String> = []

    public init(runStart: Date, manualApps: [(name: String, owner: String?, since: Date?)] = [], stalledJobs: [String: String] = [:]) {
        self.runStart = runStart
        self.manualApps = manualApps
        self.stalledJobs = stalledJobs
    }
}

extension StateStore {
    /// Adds a leaver's app evidence, with prepared statements made once per run by `AppEvidenceReader`.
    final class AppEvidenceReader {
        let accounts: SQLiteStatement
        let provisioned: SQLiteStatement
        let acknowledgements: SQLiteStatement
        let context: LeaverAppContext

        init(db: SQLiteDatabase, context: LeaverAppContext) throws {
            accounts = try db.prepare("SELECT app, account_id, user_name, active, checked_at, ambiguity FROM app_accounts WHERE user_id = ? ORDER BY app, account_id")
            provisioned = try db.prepare("SELECT service_principal_id, app, placed_at, removed_at, removal_failure, removal_failed_at FROM provisioned_accounts WHERE user_id = ? AND (placed_at IS NOT NULL OR removal_failed_at IS NOT NULL) ORDER BY app")
            acknowledgements = try db.prepare("SELECT app, acknowledged_at FROM acknowledgements WHERE user_id = ?")
            self.context = context
        }

        func add(to leaver: inout LeaverCase) throws {
            let userId = leaver.user.id
            // Stored times keep whole milliseconds: compare at that precision, or tonight's check looks older than tonight.
            let runStart = Date(timeIntervalSince1970: (context.runStart.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
            leaver.appAccounts = try accounts.query([userId]) { row in
                let checkedAt = row.date(4) ?? Date(timeIntervalSince1970: 0)
                var account = AppAccount(app: row.string(0) ?? "", accountId: row.string(1) ?? "", userName: row.string(2),
                                         active: row.bool(3) ?? true, checkedAt: checkedAt, checkedTonight: checkedAt >= runStart)
                account.ambiguity = row.string(5)
                return account
            }
            leaver.provisionedAccounts = try provisioned.query([userId]) { row in
                let placed = row.date(2)
                let removed = row.date(3)
                // A failure older than the latest placement or removal is about an earlier account, not this one.
                let failedAt = row.date(5).flatMap { at in at >= (placed ?? .distantPast) && (removed.map { at > $0 } ?? true) ? at : nil }
                let principal = row.string(0) ?? ""
                return ProvisionedAccount(servicePrincipalId: principal, app: row.string(1) ?? principal, placedAt: placed, removedAt: removed,
                                          removalFailure: failedAt == nil ? nil : row.string(4), removalFailedAt: failedAt,
                                          jobStalled: context.stalledJobs[principal])
            }
            let acknowledged = Dictionary(try acknowledgements.query([userId]) { ($0.string(0) ?? "", $0.date(1)) }) { first, _ in first }
            leaver.provisionedAccounts.removeAll { context.ignoredProvisioningApps.contains($0.app.lowercased()) }
            for index in leaver.provisionedAccounts.indices {
                leaver.provisionedAccounts[index].acknowledgedAt = acknowledged[leaver.provisionedAccounts[index].app] ?? nil
            }
            leaver.manualApps = context.manualApps.map { app in
                ManualDeprovisioning(app: app.name, owner: app.owner, acknowledgedAt: acknowledged[app.name] ?? nil, since: app.since)
            }
        }
    }
}
