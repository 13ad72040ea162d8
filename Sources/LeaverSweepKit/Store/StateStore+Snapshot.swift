import Foundation
import LeaverSweepCore

extension StateStore {
    /// The snapshot collections, each with a staging twin. Names are fixed here, never taken from input.
    public enum Collection: String, CaseIterable, Sendable {
        case users, devices, deviceOwners = "device_owners", appRoleAssignments = "app_role_assignments", grants = "oauth2_grants"
    }

    /// Empties a staging table before a collection is read (a killed run may have left rows there).
    public func beginStaging(_ collections: [Collection]) throws {
        try db.transaction {
            for collection in collections { try db.execute("DELETE FROM \(collection.rawValue)_staging") }
        }
    }

    /// Replaces the live table with its completed staging twin, atomically.
    public func commitStaging(_ collections: [Collection]) throws {
        try db.transaction {
            for collection in collections {
                let table = collection.rawValue
                try db.execute("DELETE FROM \(table); INSERT INTO \(table) SELECT * FROM \(table)_staging; DELETE FROM \(table)_staging;")
            }
        }
    }

    /// Before the staged users replace the live ones: how many are disabled now but were enabled in the previous
    /// snapshot, out of how many users. Nil when there is no previous snapshot to compare with (the first run).
    public func newlyDisabledInStaging() throws -> (newlyDisabled: Int, users: Int)? {
        let previous = try db.query("SELECT COUNT(*) FROM users", []) { $0.int(0) ?? 0 }.first ?? 0
        guard previous > 0 else { return nil }
        let newly = try db.query("""
            SELECT COUNT(*) FROM users_staging s JOIN users u ON u.id = s.id WHERE s.account_enabled = 0 AND u.account_enabled = 1
            """, []) { Int($0.int(0) ?? 0) }.first ?? 0
        let total = try db.query("SELECT COUNT(*) FROM users_staging", []) { Int($0.int(0) ?? 0) }.first ?? 0
        return (newly, total)
    }

    /// Writes one page of users to staging in one transaction with one prepared statement.
    public func stageUsers(_ users: [DirectoryUser]) throws {
        try db.transaction {
            let insert = try db.prepare("INSERT OR REPLACE INTO users_staging \(Self.userColumns) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            for user in users { try insert.run(Self.userRow(user)) }
        }
    }

    static let userColumns = "(id, upn, display_name, account_enabled, sessions_valid_from, on_prem_sync, mail, mail_nickname)"

    static func userRow(_ user: DirectoryUser) -> [SQLiteBindable?] {
        [user.id, user.userPrincipalName, user.displayName, user.accountEnabled, user.signInSessionsValidFrom, user.onPremisesSyncEnabled,
         user.mail, user.mailNickname]
    }

    public func stageDevices(_ devices: [DirectoryDevice]) throws {
        try db.transaction {
            let insert = try db.prepare("INSERT OR REPLACE INTO devices_staging (id, device_id, display_name, account_enabled, operating_system, trust_type, is_managed, on_prem_sync) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            let owner = try db.prepare("INSERT OR IGNORE INTO device_owners_staging (device_id, user_id) VALUES (?, ?)")
            for device in devices {
                try insert.run([device.id, device.deviceId, device.displayName, device.accountEnabled, device.operatingSystem, device.trustType, device.isManaged, device.onPremisesSyncEnabled])
                for ownerId in device.registeredOwnerIds { try owner.run([device.id, ownerId]) }
            }
        }
    }

    public func stageAppAccess(userId: String, assignments: [AppRoleAssignment], grants: [DelegatedGrant]) throws {
        try db.transaction { try insertAppAccess(userId: userId, assignments: assignments, grants: grants, staging: true) }
    }

    /// Inserts one user's app access into the live tables or their staging twins (names fixed here, never input).
    func insertAppAccess(userId: String, assignments: [AppRoleAssignment], grants: [DelegatedGrant], staging: Bool) throws {
        let suffix = staging ? "_staging" : ""
        let assignment = try db.prepare("INSERT OR REPLACE INTO app_role_assignments\(suffix) (id, user_id, app_role_id, principal_id, principal_type, principal_display_name, resource_id, resource_display_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        for a in assignments {
            try assignment.run([a.id, userId, a.appRoleId, a.principalId, a.principalType, a.principalDisplayName, a.resourceId, a.resourceDisplayName])
        }
        let grant = try db.prepare("INSERT OR REPLACE INTO oauth2_grants\(suffix) (id, user_id, client_id, consent_type, principal_id, resource_id, scope) VALUES (?, ?, ?, ?, ?, ?, ?)")
        for g in grants {
            try grant.run([g.id, userId, g.clientId, g.consentType, g.principalId, g.resourceId, g.scope])
        }
    }

    /// Remembers when each disabled user was first seen disabled, and forgets users enabled again (a rehire
    /// starts a new episode). Call after the users snapshot is committed.
    public func updateDisabledSince(now: Date, runId: Int64) throws {
        try db.transaction {
            try db.run("INSERT OR IGNORE INTO user_disabled_since (user_id, first_seen_disabled, first_seen_run) SELECT id, ?, ? FROM users WHERE account_enabled = 0", [now, runId])
            try db.run("DELETE FROM user_disabled_since WHERE user_id NOT IN (SELECT id FROM users WHERE account_enabled = 0)", [])
        }
    }

    /// Records a "Disable account" audit event; the latest one per user is this disable episode's start.
    public func recordAuditDisable(userId: String, at: Date) throws {
        try db.run("UPDATE user_disabled_since SET audit_disabled_at = ? WHERE user_id = ? AND (audit_disabled_at IS NULL OR audit_disabled_at < ?)", [at, userId, at])
    }

    /// Records an "Enable account" audit event: a disable logged before it belongs to an earlier episode.
    public func recordAuditEnable(userId: String, at: Date) throws {
        try db.run("UPDATE user_disabled_since SET audit_enabled_at = ? WHERE user_id = ? AND (audit_enabled_at IS NULL OR audit_enabled_at < ?)", [at, userId, at])
    }

    /// The device's `accountEnabled` in the current snapshot, or nil when the device is not in it.
    public func deviceIsEnabled(_ id: String) throws -> Bool? {
        try db.query("SELECT account_enabled FROM devices WHERE id = ?", [id]) { $0.bool(0) }.first ?? nil
    }

    public func countUsers() throws -> (all: Int, disabled: Int) {
        let row = try db.query("SELECT COUNT(*), COALESCE(SUM(account_enabled = 0), 0) FROM users", []) { (Int($0.int(0) ?? 0), Int($0.int(1) ?? 0)) }
        return row.first ?? (0, 0)
    }

    public func countDevices() throws -> Int {
        try db.query("SELECT COUNT(*) FROM devices", []) { Int($0.int(0) ?? 0) }.first ?? 0
    }

    public func disabledUserIds() throws -> [String] {
        try db.query("SELECT id FROM users WHERE account_enabled = 0 ORDER BY id", []) { $0.string(0) ?? "" }
    }

    /// Loads the disabled users one at a time with everything the planner needs, so memory follows the number
    /// of leavers, not the size of the tenant.
    ///
    /// - Parameter apps: tonight's app context; with it, each case carries its app accounts, provisioned accounts
    ///   and manual checklist lines.
    public func forEachLeaverCase(apps: LeaverAppContext? = nil, _ body: (LeaverCase) throws -> Void) throws {
        let appEvidence = try apps.map { try AppEvidenceReader(db: db, context: $0) }
        let devices = try db.prepare("""
            SELECT d.id, d.device_id, d.display_name, d.account_enabled, d.operating_system, d.trust_type, d.is_managed, d.on_prem_sync
            FROM device_owners o JOIN devices d ON d.id = o.device_id WHERE o.user_id = ? ORDER BY d.id
            """)
        let assignments = try db.prepare("SELECT id, app_role_id, principal_id, principal_type, principal_display_name, resource_id, resource_display_name FROM app_role_assignments WHERE user_id = ? ORDER BY id")
        let grants = try db.prepare("""
            SELECT g.id, g.client_id, g.consent_type, g.principal_id, g.resource_id, g.scope, n.display_name
            FROM oauth2_grants g LEFT JOIN service_principal_names n ON n.id = g.client_id WHERE g.user_id = ? ORDER BY g.id
            """)
        let users = try db.query("""
            SELECT u.id, u.upn, u.display_name, u.sessions_valid_from, u.on_prem_sync, s.first_seen_disabled, s.audit_disabled_at, s.audit_enabled_at,
                u.mail, u.mail_nickname
            FROM users u JOIN user_disabled_since s ON s.user_id = u.id WHERE u.account_enabled = 0 ORDER BY u.id
            """, []) { row -> (DirectoryUser, Date, Date?) in
            let user = DirectoryUser(id: row.string(0) ?? "", userPrincipalName: row.string(1) ?? "", displayName: row.string(2),
                                     accountEnabled: false, signInSessionsValidFrom: row.date(3), onPremisesSyncEnabled: row.bool(4),
                                     mail: row.string(8), mailNickname: row.string(9))
            // A disable event older than a later enable belongs to an earlier episode: don't trust it for this one.
            var audit = row.date(6)
            if let disabled = audit, let enabled = row.date(7), enabled > disabled { audit = nil }
            return (user, row.date(5) ?? Date(timeIntervalSince1970: 0), audit)
        }
        for (user, firstSeen, audit) in users {
            let ownedDevices = try devices.query([user.id]) { row in
                DirectoryDevice(id: row.string(0) ?? "", deviceId: row.string(1), displayName: row.string(2), accountEnabled: row.bool(3) ?? true,
                                operatingSystem: row.string(4), trustType: row.string(5), isManaged: row.bool(6), onPremisesSyncEnabled: row.bool(7),
                                registeredOwnerIds: [user.id])
            }
            let roleAssignments = try assignments.query([user.id]) { row in
                AppRoleAssignment(id: row.string(0) ?? "", appRoleId: row.string(1), principalId: row.string(2) ?? user.id, principalType: row.string(3),
                                  principalDisplayName: row.string(4), resourceId: row.string(5) ?? "", resourceDisplayName: row.string(6))
            }
            let userGrants = try grants.query([user.id]) { row in
                DelegatedGrant(id: row.string(0) ?? "", clientId: row.string(1) ?? "", consentType: row.string(2) ?? "", principalId: row.string(3),
                               resourceId: row.string(4) ?? "", scope: row.string(5), clientDisplayName: row.string(6))
            }
            let disabledAt = audit.map { DisabledTime(at: $0, source: .auditLog) } ?? DisabledTime(at: firstSeen, source: .firstSeenDisabled)
            var leaver = LeaverCase(user: user, disabledAt: disabledAt, firstSeenDisabled: firstSeen, devices: ownedDevices,
                                    appRoleAssignments: roleAssignments, delegatedGrants: userGrants)
            try appEvidence?.add(to: &leaver)
            try body(leaver)
        }
    }
}
