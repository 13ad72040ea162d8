import Foundation
import LeaverSweepCore

/// Nights that read only what changed: the snapshot is patched in place, in one transaction per collection.
extension StateStore {
    /// Upserts users from a delta round and drops removed ones. A property Graph left out keeps its stored value,
    /// and `sessions_valid_from` (not tracked by the delta) is kept for known users.
    /// Returns how many went from enabled to disabled, out of how many users there are now.
    func applyUserChanges(_ changes: [UserPayload], removed: [String], syncValues: [String: String]) throws -> (newlyDisabled: Int, users: Int) {
        try db.transaction {
            let previous = try db.prepare("SELECT account_enabled FROM users WHERE id = ?")
            let upsert = try db.prepare("""
                INSERT INTO users (id, upn, display_name, account_enabled, sessions_valid_from, on_prem_sync, mail, mail_nickname)
                VALUES (?, ?, ?, ?, NULL, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET upn = COALESCE(excluded.upn, upn), display_name = COALESCE(excluded.display_name, display_name),
                    account_enabled = excluded.account_enabled, on_prem_sync = COALESCE(excluded.on_prem_sync, on_prem_sync),
                    mail = COALESCE(excluded.mail, mail), mail_nickname = COALESCE(excluded.mail_nickname, mail_nickname)
                """)
            var newlyDisabled = 0
            for user in changes {
                let before = try previous.query([user.id]) { $0.bool(0) }.first ?? nil
                // A changed user without accountEnabled would be a Graph bug; keep what we knew rather than guess.
                guard let enabled = user.accountEnabled ?? before else { continue }
                if before == true && !enabled { newlyDisabled += 1 }
                try upsert.run([user.id, user.userPrincipalName ?? user.id, user.displayName, enabled, user.onPremisesSyncEnabled,
                                user.mail, user.mailNickname])
            }
            try removeUsers(removed)
            try setSyncValues(syncValues)
            let total = try db.query("SELECT COUNT(*) FROM users", []) { Int($0.int(0) ?? 0) }.first ?? 0
            return (newlyDisabled, total)
        }
    }

    /// Full rows for users read one by one (after a delta said they changed).
    func replaceUsers(_ users: [DirectoryUser]) throws {
        try db.transaction {
            let insert = try db.prepare("INSERT OR REPLACE INTO users \(Self.userColumns) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            for user in users { try insert.run(Self.userRow(user)) }
        }
    }

    func removeUsers(_ ids: [String]) throws {
        guard !ids.isEmpty else { return }
        try db.transaction {
            for sql in ["DELETE FROM users WHERE id = ?", "DELETE FROM app_role_assignments WHERE user_id = ?", "DELETE FROM oauth2_grants WHERE user_id = ?"] {
                let statement = try db.prepare(sql)
                for id in ids { try statement.run([id]) }
            }
        }
    }

    /// Upserts devices from a delta round, keeping their stored owners (the delta does not carry them), and drops
    /// removed ones. Returns the ids of devices not seen before, whose owners must be read; `syncValues` gets them
    /// too, so what it returns is stored in the same transaction.
    func applyDeviceChanges(_ changes: [DirectoryDevice], removed: [String], syncValues: ([String]) -> [String: String]) throws -> [String] {
        try db.transaction {
            let known = try db.prepare("SELECT 1 FROM devices WHERE id = ?")
            let upsert = try db.prepare("""
                INSERT INTO devices (id, device_id, display_name, account_enabled, operating_system, trust_type, is_managed, on_prem_sync)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET device_id = excluded.device_id, display_name = excluded.display_name,
                    account_enabled = excluded.account_enabled, operating_system = excluded.operating_system, trust_type = excluded.trust_type,
                    is_managed = excluded.is_managed, on_prem_sync = excluded.on_prem_sync
                """)
            var added: [String] = []
            for device in changes {
                if try known.query([device.id], { _ in true }).isEmpty { added.append(device.id) }
                try upsert.run([device.id, device.deviceId, device.displayName, device.accountEnabled, device.operatingSystem,
                                device.trustType, device.isManaged, device.onPremisesSyncEnabled])
            }
            let dropDevice = try db.prepare("DELETE FROM devices WHERE id = ?")
            let dropOwners = try db.prepare("DELETE FROM device_owners WHERE device_id = ?")
            for id in removed {
                try dropDevice.run([id])
                try dropOwners.run([id])
            }
            try setSyncValues(syncValues(added))
            return added
        }
    }

    /// Users whose sessions time the snapshot must read again before planning: a revocation in flight or cut off
    /// (outcome unknown), or applied but not yet visible in the stored sessions time (a run killed before it read
    /// the user back). Ten minutes of slack allow for clock skew between this host and Graph.
    func revocationsToConfirm() throws -> [String] {
        try db.query("""
            SELECT DISTINCT a.target_id FROM actions a LEFT JOIN users u ON u.id = a.target_id
            WHERE a.kind = 'revoke_sessions' AND (a.state = 'in_flight' OR (a.state = 'failed' AND a.http_status IS NULL)
                OR (a.state = 'applied' AND u.id IS NOT NULL AND (u.sessions_valid_from IS NULL OR u.sessions_valid_from < a.applied_at - 600000)))
            ORDER BY a.target_id
            """, []) { $0.string(0) ?? "" }
    }

    func setDeviceOwners(_ owners: [String: [String]]) throws {
        try db.transaction {
            let drop = try db.prepare("DELETE FROM device_owners WHERE device_id = ?")
            let insert = try db.prepare("INSERT OR IGNORE INTO device_owners (device_id, user_id) VALUES (?, ?)")
            for (device, users) in owners {
                try drop.run([device])
                for user in users { try insert.run([device, user]) }
            }
        }
    }

    /// Replaces one user's app access in the live tables (delta nights re-read only users that changed).
    func replaceAppAccess(userId: String, assignments: [AppRoleAssignment], grants: [DelegatedGrant]) throws {
        try db.transaction {
            try db.run("DELETE FROM app_role_assignments WHERE user_id = ?", [userId])
            try db.run("DELETE FROM oauth2_grants WHERE user_id = ?", [userId])
            try insertAppAccess(userId: userId, assignments: assignments, grants: grants, staging: false)
        }
    }

    /// Replaces live tables with their staging twins and records sync state (delta links) in the same transaction,
    /// so a run killed in between can never pair a new snapshot with an old link or the other way round.
    func commitStaging(_ collections: [Collection], syncValues: [String: String]) throws {
        try db.transaction {
            try commitStaging(collections)
            try setSyncValues(syncValues)
        }
    }

    func stagedCount(_ collection: Collection) throws -> Int {
        try db.query("SELECT COUNT(*) FROM \(collection.rawValue)_staging", []) { Int($0.int(0) ?? 0) }.first ?? 0
    }

    func setSyncValues(_ values: [String: String]) throws {
        for (name, value) in values.sorted(by: { $0.key < $1.key }) { try setSyncValue(name, value) }
    }

    /// Runs the snapshot with `synchronous=NORMAL`: in WAL mode a commit then survives a crash of the process but
    /// not necessarily a power cut, which for snapshot pages (read again next night) is the right trade: one disk
    /// sync per page was most of the time spent storing a large tenant. The journal of writes stays `FULL`.
    func withRelaxedDurability<T>(_ body: () throws -> T) throws -> T {
        try db.execute("PRAGMA synchronous=NORMAL")
        defer { try? db.execute("PRAGMA synchronous=FULL") }
        return try body()
    }

    func clearSyncValue(_ name: String) throws {
        try db.run("DELETE FROM sync_state WHERE name = ?", [name])
    }
}
