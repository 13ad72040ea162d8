import CSQLite
import Foundation

/// Named, append-only schema migrations, recorded in `schema_migrations` (after GRDB's `DatabaseMigrator`).
///
/// Register migrations in order and never edit or remove one that has shipped: a database that
/// already applied it will not run it again. Add a new migration instead.
public struct SQLiteMigrator: Sendable {
    private var migrations: [(name: String, sql: String)] = []

    public init() {}

    /// Adds a migration. `sql` may hold several statements but must not BEGIN or COMMIT itself.
    public mutating func register(_ name: String, _ sql: String) {
        migrations.append((name, sql))
    }

    /// Applies every registered migration not yet recorded, in order, each in its own transaction.
    ///
    /// Throws without changing anything if the database records a migration this build does not
    /// know: it was written by a newer LeaverSweep, and running an older one against it is unsafe.
    public func migrate(_ db: SQLiteDatabase) throws {
        var seen: Set<String> = []
        for migration in migrations where !seen.insert(migration.name).inserted {
            throw SQLiteError(code: SQLITE_MISUSE, message: "migration '\(migration.name)' is registered twice")
        }
        try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY NOT NULL, applied_at INTEGER NOT NULL)")
        let unknown = try appliedMigrations(db).filter { !seen.contains($0) }
        guard unknown.isEmpty else {
            throw SQLiteError(code: SQLITE_ERROR,
                              message: "the database has migrations this build does not know (\(unknown.joined(separator: ", "))); use a newer LeaverSweep")
        }
        for migration in migrations {
            try db.transaction {
                // Checked inside the write transaction, so two processes migrating at once cannot both apply it.
                let applied = try db.query("SELECT 1 FROM schema_migrations WHERE name = ?", [migration.name]) { _ in true }
                guard applied.isEmpty else { return }
                try db.execute(migration.sql)
                try db.run("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", [migration.name, Date()])
            }
        }
    }

    /// Names of the applied migrations, in the order they were applied.
    public func appliedMigrations(_ db: SQLiteDatabase) throws -> [String] {
        try db.query("SELECT name FROM schema_migrations ORDER BY rowid") { $0.string(0) ?? "" }
    }
}
