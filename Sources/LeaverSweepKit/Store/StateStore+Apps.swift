import Foundation
import LeaverSweepCore

/// App evidence: SCIM accounts as last seen, what Entra's provisioning logs placed and removed, and the manual
/// checklist's acknowledgements.
extension StateStore {
    /// One account a SCIM app returned for a user.
    public struct SeenAppAccount: Sendable, Equatable {
        public var accountId: String
        public var userName: String?
        public var active: Bool
        /// Why this account cannot be told to be this person's alone; such an account is reported, never deactivated.
        public var ambiguity: String?

        public init(accountId: String, userName: String?, active: Bool, ambiguity: String? = nil) {
            self.accountId = accountId
            self.userName = userName
            self.active = active
            self.ambiguity = ambiguity
        }
    }

    /// Replaces what is known about one user's accounts in one app with tonight's answer (none found is an answer).
    public func recordAppAccounts(app: String, userId: String, accounts: [SeenAppAccount], checkedAt: Date) throws {
        try db.transaction {
            try db.run("DELETE FROM app_accounts WHERE app = ? AND user_id = ?", [app, userId])
            let insert = try db.prepare("INSERT OR REPLACE INTO app_accounts (app, user_id, account_id, user_name, active, checked_at, ambiguity) VALUES (?, ?, ?, ?, ?, ?, ?)")
            for account in accounts {
                try insert.run([app, userId, account.accountId, account.userName, account.active, checkedAt, account.ambiguity])
            }
        }
    }

    /// The account ids each user had in the app when last checked, so accounts the lookup no longer finds (a UPN
    /// renamed on leaving) are read by id rather than forgotten.
    public func knownAppAccounts(app: String) throws -> [String: [String]] {
        var known: [String: [String]] = [:]
        for (user, account) in try db.query("SELECT user_id, account_id FROM app_accounts WHERE app = ?", [app], { ($0.string(0) ?? "", $0.string(1) ?? "") }) {
            known[user, default: []].append(account)
        }
        return known
    }

    /// Match values that more than one directory user holds (lower-cased, except `externalId`, which is case-exact):
    /// an account found by such a value may be someone else's. UPNs are unique in Entra ID.
    public func sharedMatchValues(_ match: AppAccountMatch) throws -> Set<String> {
        let sql: String
        switch match {
        case .userName: return []
        case .email: sql = "SELECT lower(COALESCE(mail, upn)) AS v FROM users GROUP BY v HAVING COUNT(*) > 1"
        case .externalId: sql = "SELECT mail_nickname FROM users WHERE mail_nickname IS NOT NULL GROUP BY mail_nickname HAVING COUNT(*) > 1"
        }
        return Set(try db.query(sql, []) { $0.string(0) ?? "" })
    }

    /// After a deactivation the app answered: the stored state follows, so the next run starts from the truth.
    public func markAppAccountInactive(app: String, accountId: String, at: Date) throws {
        try db.run("UPDATE app_accounts SET active = 0, checked_at = ? WHERE app = ? AND account_id = ?", [at, app, accountId])
    }

    /// Forgets apps no longer configured, so a removed app's last known accounts are not reported forever, and the
    /// accounts of users no longer disabled: a later disable is a new episode, checked afresh.
    public func forgetAppAccounts(except apps: [String]) throws {
        let placeholders = apps.map { _ in "?" }.joined(separator: ", ")
        try db.transaction {
            try db.run("DELETE FROM app_accounts WHERE app NOT IN (\(placeholders.isEmpty ? "''" : placeholders))", apps)
            try db.run("DELETE FROM app_accounts WHERE user_id NOT IN (SELECT id FROM users WHERE account_enabled = 0)", [])
        }
    }

    /// Removed by LeaverSweep: out of the snapshot at once, so tomorrow's delta night does not report it again.
    public func forgetAppRoleAssignment(id: String, userId: String) throws {
        try db.run("DELETE FROM app_role_assignments WHERE id = ? AND user_id = ?", [id, userId])
    }

    public func forgetGrant(id: String) throws {
        try db.run("DELETE FROM oauth2_grants WHERE id = ?", [id])
    }

    // MARK: Entra provisioning logs

    /// What one provisioning log record says about a user's account in an app.
    public struct ProvisioningEvidence: Sendable, Equatable {
        public enum Effect: Sendable, Equatable {
            /// Created (or enabled again): the account is in place.
            case placed
            /// Another attribute changed: an account in place stays in place; one taken away stays away.
            case updated
            case removed
            case removalFailed(String)
        }
        public var servicePrincipalId: String
        public var app: String
        public var userId: String
        public var at: Date
        public var effect: Effect

        public init(servicePrincipalId: String, app: String, userId: String, at: Date, effect: Effect) {
            self.servicePrincipalId = servicePrincipalId
            self.app = app
            self.userId = userId
            self.at = at
            self.effect = effect
        }
    }

    /// Folds log records into one row per user and app: the latest placement, removal and failed removal. Records
    /// may arrive in any order and again (the read window overlaps), so every column only moves forward.
    public func recordProvisioning(_ evidence: [ProvisioningEvidence], seenAt: Date) throws {
        guard !evidence.isEmpty else { return }
        try db.transaction {
            let ensure = try db.prepare("INSERT OR IGNORE INTO provisioned_accounts (service_principal_id, user_id, app) VALUES (?, ?, ?)")
            let placed = try db.prepare("UPDATE provisioned_accounts SET placed_at = ?, app = ? WHERE service_principal_id = ? AND user_id = ? AND (placed_at IS NULL OR placed_at < ?)")
            let updated = try db.prepare("""
                UPDATE provisioned_accounts SET placed_at = ?, app = ? WHERE service_principal_id = ? AND user_id = ? AND (placed_at IS NULL OR placed_at < ?)
                    AND (removed_at IS NULL OR (placed_at IS NOT NULL AND removed_at < placed_at))
                """)
            let removed = try db.prepare("UPDATE provisioned_accounts SET removed_at = ? WHERE service_principal_id = ? AND user_id = ? AND (removed_at IS NULL OR removed_at < ?)")
            let failed = try db.prepare("UPDATE provisioned_accounts SET removal_failure = ?, removal_failed_at = ? WHERE service_principal_id = ? AND user_id = ? AND (removal_failed_at IS NULL OR removal_failed_at < ?)")
            let app = try db.prepare("INSERT INTO provisioning_apps (service_principal_id, app, last_seen) VALUES (?, ?, ?) ON CONFLICT(service_principal_id) DO UPDATE SET app = excluded.app, last_seen = excluded.last_seen")
            var apps: [String: String] = [:]
            // Oldest first within the batch too: the order decides whether an update re-places an account.
            for item in evidence.sorted(by: { $0.at < $1.at }) {
                try ensure.run([item.servicePrincipalId, item.userId, item.app])
                switch item.effect {
                case .placed: try placed.run([item.at, item.app, item.servicePrincipalId, item.userId, item.at])
                case .updated: try updated.run([item.at, item.app, item.servicePrincipalId, item.userId, item.at])
                case .removed: try removed.run([item.at, item.servicePrincipalId, item.userId, item.at])
                case .removalFailed(let reason): try failed.run([reason, item.at, item.servicePrincipalId, item.userId, item.at])
                }
                apps[item.servicePrincipalId] = item.app
            }
            for (id, name) in apps { try app.run([id, name, seenAt]) }
        }
    }

    /// Service principals found with a provisioning job by the weekly discovery.
    public func rememberProvisioningApps(_ apps: [(servicePrincipalId: String, app: String)], seenAt: Date) throws {
        try db.transaction {
            let upsert = try db.prepare("INSERT INTO provisioning_apps (service_principal_id, app, last_seen) VALUES (?, ?, ?) ON CONFLICT(service_principal_id) DO UPDATE SET app = excluded.app, last_seen = excluded.last_seen")
            for app in apps { try upsert.run([app.servicePrincipalId, app.app, seenAt]) }
        }
    }

    /// Forgets service principals not seen provisioning (logs or weekly discovery) for 60 days: deleted apps.
    public func forgetStaleProvisioningApps(now: Date) throws {
        try db.run("DELETE FROM provisioning_apps WHERE last_seen < ?", [now.addingTimeInterval(-60 * 86_400)])
    }

    /// Service principals seen provisioning, newest name for each.
    public func provisioningApps() throws -> [(servicePrincipalId: String, app: String)] {
        try db.query("SELECT service_principal_id, app FROM provisioning_apps ORDER BY app, service_principal_id", []) {
            (servicePrincipalId: $0.string(0) ?? "", app: $0.string(1) ?? "")
        }
    }

    // MARK: Client app names

    /// Client apps of leavers' own consents whose names were never looked up.
    public func unnamedGrantClients() throws -> [String] {
        try db.query("""
            SELECT DISTINCT g.client_id FROM oauth2_grants g JOIN users u ON u.id = g.user_id
            WHERE u.account_enabled = 0 AND g.client_id IS NOT NULL
              AND g.client_id NOT IN (SELECT id FROM service_principal_names) ORDER BY g.client_id
            """, []) { $0.string(0) ?? "" }
    }

    /// Names are kept: a service principal's display name rarely changes, and a stale name still finds the app.
    public func rememberServicePrincipalNames(_ names: [(id: String, displayName: String?)], at: Date) throws {
        try db.transaction {
            let insert = try db.prepare("INSERT OR REPLACE INTO service_principal_names (id, display_name, read_at) VALUES (?, ?, ?)")
            for name in names { try insert.run([name.id, name.displayName, at]) }
        }
    }

    // MARK: Manual checklist

    /// `leaversweep ack APP USER`: the account in the manual app was deprovisioned by hand.
    public func acknowledge(app: String, userId: String, at: Date, by: String?) throws {
        try db.run("""
            INSERT INTO acknowledgements (app, user_id, acknowledged_at, acknowledged_by) VALUES (?, ?, ?, ?)
            ON CONFLICT(app, user_id) DO UPDATE SET acknowledged_at = excluded.acknowledged_at, acknowledged_by = excluded.acknowledged_by
            """, [app, userId, at, by])
    }

    /// A user by object id or UPN (case-insensitive), as `leaversweep ack` is given it.
    public func findUser(_ idOrUPN: String) throws -> DirectoryUser? {
        try db.query("SELECT id, upn, display_name, account_enabled FROM users WHERE id = ?1 COLLATE NOCASE OR upn = ?1 COLLATE NOCASE LIMIT 1", [idOrUPN]) { row in
            DirectoryUser(id: row.string(0) ?? "", userPrincipalName: row.string(1) ?? "", displayName: row.string(2), accountEnabled: row.bool(3) ?? true)
        }.first
    }
}

extension StateStore {
    /// Every disabled user with the values SCIM apps are matched on.
    public func disabledUsers() throws -> [DirectoryUser] {
        try db.query("SELECT id, upn, display_name, mail, mail_nickname FROM users WHERE account_enabled = 0 ORDER BY id", []) { row in
            DirectoryUser(id: row.string(0) ?? "", userPrincipalName: row.string(1) ?? "", displayName: row.string(2), accountEnabled: false,
                          mail: row.string(3), mailNickname: row.string(4))
        }
    }
}
