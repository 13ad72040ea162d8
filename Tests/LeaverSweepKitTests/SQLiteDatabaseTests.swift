import Foundation
import Testing
@testable import LeaverSweepKit

/// A fresh directory per test, removed afterwards.
private struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("sqlite-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

private func permissions(_ path: String) -> mode_t? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return info.st_mode & 0o777
}

private struct ExpectedFailure: Error {}

@Suite struct SQLiteDatabaseTests {
    @Test func newDatabaseAndItsWALFilesAreReadableOnlyByTheOwner() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("state.sqlite")

        let db = try SQLiteDatabase(path: path)
        try db.execute("CREATE TABLE t (x INTEGER)")
        try db.run("INSERT INTO t VALUES (?)", [1])

        #expect(permissions(path) == 0o600)
        #expect(permissions(path + "-wal") == 0o600)
        #expect(permissions(path + "-shm") == 0o600)
    }

    @Test func connectionIsConfiguredForWALWithForeignKeysAndBusyTimeout() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let db = try SQLiteDatabase(path: directory.file("state.sqlite"))

        #expect(try db.query("PRAGMA journal_mode") { $0.string(0) } == ["wal"])
        #expect(try db.query("PRAGMA synchronous") { $0.int(0) } == [2])  // FULL
        #expect(try db.query("PRAGMA foreign_keys") { $0.int(0) } == [1])
        #expect(try db.query("PRAGMA busy_timeout") { $0.int(0) } == [5000])
    }

    @Test func inMemoryDatabaseWorks() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        #expect(try db.query("SELECT 40 + 2") { $0.int(0) } == [42])
    }

    @Test func transactionRollsBackWhenTheBodyThrows() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t (x INTEGER)")

        #expect(throws: ExpectedFailure.self) {
            try db.transaction {
                try db.run("INSERT INTO t VALUES (?)", [1])
                throw ExpectedFailure()
            }
        }
        #expect(try db.query("SELECT count(*) FROM t") { $0.int(0) } == [0])

        let returned = try db.transaction {
            try db.run("INSERT INTO t VALUES (?)", [2])
            return db.lastInsertRowID
        }
        #expect(returned == 1)
        #expect(try db.query("SELECT x FROM t") { $0.int(0) } == [2])
    }

    @Test func nestedTransactionIsASavepointTheOuterCanRecoverFrom() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t (x INTEGER)")

        try db.transaction {
            try db.run("INSERT INTO t VALUES (?)", [1])
            do {
                try db.transaction {
                    try db.run("INSERT INTO t VALUES (?)", [2])
                    throw ExpectedFailure()
                }
            } catch is ExpectedFailure {}
            try db.transaction { try db.run("INSERT INTO t VALUES (?)", [3]) }
        }

        #expect(try db.query("SELECT x FROM t ORDER BY x") { $0.int(0) } == [1, 3])
    }

    @Test func boundValuesRoundTrip() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t (i INTEGER, big INTEGER, r REAL, s TEXT, empty TEXT, missing TEXT, flag INTEGER, at INTEGER, large TEXT)")
        let unicode = "Zoë Ångström 👩🏽‍💻 日本語 \u{0}after-nul"
        let instant = Date(timeIntervalSince1970: 1_700_000_000.123)
        let large = String(repeating: "abcdefghij", count: 100_000)  // 1 MB
        let missing: String? = nil

        try db.run("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [42, Int64.max, 3.25, unicode, "", missing, true, instant, large])

        let rows = try db.query("SELECT i, big, r, s, empty, missing, flag, at, large FROM t") { row in
            (row.int(0), row.int(1), row.double(2), row.string(3), row.string(4), row.isNull(5), row.string(5),
             row.bool(6), row.date(7), row.int(7), row.string(8))
        }
        let row = try #require(rows.first)
        #expect(row.0 == 42)
        #expect(row.1 == Int64.max)
        #expect(row.2 == 3.25)
        #expect(row.3 == unicode)
        #expect(row.4 == "", "an empty string must not become NULL")
        #expect(row.5 && row.6 == nil)
        #expect(row.7 == true)
        #expect(row.8 == instant)
        #expect(row.9 == 1_700_000_000_123, "dates are stored as integer milliseconds")
        #expect(row.10 == large)
    }

    @Test func errorsCarryCodeAndSQLButNeverTheBoundValues() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE secrets (token TEXT UNIQUE NOT NULL)")
        let secret = "client-secret-VALUE-9f8e7d"
        try db.run("INSERT INTO secrets (token) VALUES (?)", [secret])

        let error = #expect(throws: SQLiteError.self) {
            try db.run("INSERT INTO secrets (token) VALUES (?)", [secret])
        }

        #expect(error?.code == 19)  // SQLITE_CONSTRAINT
        #expect(error?.extendedCode == 2067)  // SQLITE_CONSTRAINT_UNIQUE
        #expect(error?.sql == "INSERT INTO secrets (token) VALUES (?)")
        #expect(error?.message.contains("UNIQUE") == true)
        let texts = [String(describing: error), String(reflecting: error)]
        #expect(texts.allSatisfy { !$0.contains(secret) })

        let syntax = #expect(throws: SQLiteError.self) { try db.execute("SELEC oops") }
        #expect(syntax?.code == 1)
        #expect(syntax?.sql == "SELEC oops")
    }

    @Test func misuseIsReportedNotIgnored() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t (a, b)")

        let twoStatements = #expect(throws: SQLiteError.self) { try db.prepare("SELECT 1; SELECT 2") }
        #expect(twoStatements?.code == 21)
        let wrongCount = #expect(throws: SQLiteError.self) { try db.run("INSERT INTO t VALUES (?, ?)", [1]) }
        #expect(wrongCount?.code == 25)  // SQLITE_RANGE
        #expect(throws: SQLiteError.self) { try db.prepare("   ") }
    }

    @Test func migratorAppliesEachMigrationOnceAndRecordsItsName() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let db = try SQLiteDatabase(path: directory.file("state.sqlite"))
        var migrator = SQLiteMigrator()
        // No IF NOT EXISTS: running either twice would fail.
        migrator.register("001-create-users", "CREATE TABLE users (id TEXT PRIMARY KEY); CREATE INDEX users_id ON users(id)")
        migrator.register("002-create-runs", "CREATE TABLE runs (started_at INTEGER NOT NULL)")

        try migrator.migrate(db)
        try migrator.migrate(db)

        #expect(try migrator.appliedMigrations(db) == ["001-create-users", "002-create-runs"])
        #expect(try db.query("SELECT count(*) FROM schema_migrations WHERE applied_at > 0") { $0.int(0) } == [2])

        migrator.register("003-add-column", "ALTER TABLE users ADD COLUMN disabled_at INTEGER")
        try migrator.migrate(db)
        #expect(try migrator.appliedMigrations(db).last == "003-add-column")
    }

    @Test func failingMigrationLeavesNoTrace() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        var migrator = SQLiteMigrator()
        migrator.register("001-ok", "CREATE TABLE a (x)")
        migrator.register("002-broken", "CREATE TABLE b (x); INSERT INTO no_such_table VALUES (1)")

        #expect(throws: SQLiteError.self) { try migrator.migrate(db) }

        #expect(try migrator.appliedMigrations(db) == ["001-ok"])
        #expect(try db.query("SELECT name FROM sqlite_master WHERE name = 'b'") { $0.string(0) }.isEmpty)
    }

    @Test func migratorRefusesADatabaseFromANewerBuild() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        var newer = SQLiteMigrator()
        newer.register("001", "CREATE TABLE a (x)")
        newer.register("002", "CREATE TABLE b (x)")
        try newer.migrate(db)

        var older = SQLiteMigrator()
        older.register("001", "CREATE TABLE a (x)")
        let error = #expect(throws: SQLiteError.self) { try older.migrate(db) }
        #expect(error?.message.contains("002") == true)
    }

    @Test func preparedStatementIsReusedWithNewValues() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)")
        let insert = try db.prepare("INSERT INTO t (name) VALUES (?)")
        let lookup = try db.prepare("SELECT id FROM t WHERE name = ?")

        try db.transaction {
            for index in 0..<1000 { try insert.run(["user-\(index)"]) }
        }
        #expect(db.changes == 1)
        #expect(try lookup.query(["user-7"]) { $0.int(0) } == [8])
        #expect(try lookup.query(["user-999"]) { $0.int(0) } == [1000])

        // A failed run leaves the statement reusable.
        #expect(throws: SQLiteError.self) { try insert.run(["user-7"]) }
        try insert.run(["user-1000"])
        #expect(db.lastInsertRowID == 1001)

        // Manual stepping: bind, step, reset.
        try lookup.bind(["user-0"])
        #expect(try lookup.step())
        #expect(try !lookup.step())
        try lookup.reset()
    }

    @Test func hundredThousandInsertsInOneTransactionAreFast() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let db = try SQLiteDatabase(path: directory.file("bulk.sqlite"))
        try db.execute("CREATE TABLE t (id INTEGER, name TEXT, at INTEGER)")
        let insert = try db.prepare("INSERT INTO t VALUES (?, ?, ?)")
        let now = Date()

        try db.transaction {
            for index in 0..<100_000 { try insert.run([index, "user-\(index)@contoso.example", now]) }
        }

        // Speed is measured by the benchmark, not asserted here.
        #expect(try db.query("SELECT count(*) FROM t") { $0.int(0) } == [100_000])
    }

    @Test func concurrentTransactionsFromSeveralThreadsDoNotInterleave() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let db = try SQLiteDatabase(path: directory.file("state.sqlite"))
        try db.execute("CREATE TABLE t (thread INTEGER, n INTEGER)")

        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for n in 0..<50 {
                try? db.transaction {
                    try db.run("INSERT INTO t VALUES (?, ?)", [thread, n])
                    try db.run("INSERT INTO t VALUES (?, ?)", [thread, n])
                }
            }
        }

        #expect(try db.query("SELECT count(*) FROM t") { $0.int(0) } == [400])
    }
}
