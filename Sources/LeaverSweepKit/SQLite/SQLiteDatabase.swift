import CSQLite
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One connection to a SQLite file, safe to share between threads.
///
/// Every call takes a recursive lock, and `transaction` holds it for the whole closure, so one
/// thread's transaction never interleaves with another thread's statements (as with GRDB's
/// `DatabaseQueue`). The connection closes when the last reference — including statements — goes.
///
/// `@unchecked Sendable`: the connection handle and `savepointDepth` are only touched under `lock`.
public final class SQLiteDatabase: @unchecked Sendable {
    private let handle: OpaquePointer
    private let lock = NSRecursiveLock()
    /// Nesting depth of `transaction` calls made inside an open transaction; guarded by `lock`.
    private var savepointDepth = 0

    /// Opens (creating if needed) the database at `path`, or an in-memory one for ":memory:".
    ///
    /// A new file is created with mode 0600 by `open(2)` before SQLite sees it, so the user data it
    /// will hold is never readable by others, not even briefly. SQLite gives the -wal and -shm files
    /// the database file's mode. An existing file keeps its mode. Then: WAL journal (readers do not
    /// block the writer), synchronous=FULL (every commit is on disk before it returns: a journal entry that
    /// says a write is in flight must survive a power cut, not just a killed process),
    /// foreign keys on, and a 5 s busy timeout so a concurrent `sqlite3` shell does not fail a run.
    public init(path: String) throws {
        let inMemory = path == ":memory:"
        if !inMemory { try Self.createPrivateFileIfMissing(path) }
        var opened: OpaquePointer?
        let code = sqlite3_open_v2(path, &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nil)
        guard code == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(opened)  // a failed open may still allocate a handle
            throw SQLiteError(code: code, message: "cannot open database \(path): \(message)")
        }
        handle = opened
        // From here a throw still runs deinit, which closes the handle.
        sqlite3_extended_result_codes(handle, 1)
        let busy = sqlite3_busy_timeout(handle, 5000)
        guard busy == SQLITE_OK else { throw error(busy, sql: nil) }
        let mode = try query("PRAGMA journal_mode=WAL") { $0.string(0) }.first ?? nil
        guard mode == (inMemory ? "memory" : "wal") else {
            throw SQLiteError(code: SQLITE_ERROR, message: "could not enable WAL journal mode (got \(mode ?? "nothing"))", sql: "PRAGMA journal_mode=WAL")
        }
        try execute("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON")
    }

    deinit {
        // Statements retain the database, so none is left to finalize and close cannot be busy.
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements separated by semicolons. No parameters: for schema and pragmas.
    public func execute(_ sql: String) throws {
        try withLock {
            var message: UnsafeMutablePointer<CChar>?
            let code = sqlite3_exec(handle, sql, nil, nil, &message)
            defer { sqlite3_free(message) }
            guard code == SQLITE_OK else {
                let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
                throw SQLiteError(code: code, extendedCode: sqlite3_extended_errcode(handle), message: text, sql: sql)
            }
        }
    }

    /// Prepares exactly one statement for repeated use.
    public func prepare(_ sql: String) throws -> SQLiteStatement {
        try prepare(sql, persistent: true)
    }

    /// `persistent` tells SQLite the statement will be reused, so it is kept out of the small
    /// lookaside memory meant for short-lived ones.
    private func prepare(_ sql: String, persistent: Bool) throws -> SQLiteStatement {
        try withLock {
            var statement: OpaquePointer?
            var rest = ""
            let code = sql.withCString { text in
                var tail: UnsafePointer<CChar>?
                let code = sqlite3_prepare_v3(handle, text, -1, persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0, &statement, &tail)
                if let tail { rest = String(cString: tail) }
                return code
            }
            guard code == SQLITE_OK else { throw error(code, sql: sql) }
            guard let statement else {
                throw SQLiteError(code: SQLITE_MISUSE, message: "no SQL statement to prepare", sql: sql)
            }
            // A second statement would be silently ignored; make the mistake loud instead.
            guard rest.allSatisfy({ $0.isWhitespace || $0 == ";" }) else {
                sqlite3_finalize(statement)
                throw SQLiteError(code: SQLITE_MISUSE, message: "prepare() takes one statement; use execute() for several", sql: sql)
            }
            return SQLiteStatement(database: self, handle: statement, sql: sql)
        }
    }

    /// Prepares, binds and runs one statement to completion. In a loop, `prepare` once instead.
    public func run(_ sql: String, _ values: [SQLiteBindable?] = []) throws {
        try prepare(sql, persistent: false).run(values)
    }

    /// Prepares, binds and maps every result row through `row`.
    public func query<T>(_ sql: String, _ values: [SQLiteBindable?] = [], _ row: (SQLiteRow) throws -> T) throws -> [T] {
        try prepare(sql, persistent: false).query(values, row)
    }

    /// Runs `body` in a transaction: `BEGIN IMMEDIATE` … `COMMIT`, rolled back if `body` throws.
    ///
    /// IMMEDIATE takes the write lock up front, so a busy database fails (after the busy timeout)
    /// before any work, not at COMMIT. Nested calls become savepoints: an inner failure that the
    /// outer closure catches undoes only the inner work. The lock is held throughout, so other
    /// threads wait rather than slip statements into this transaction.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try withLock {
            if sqlite3_get_autocommit(handle) == 0 { return try savepoint(body) }
            try execute("BEGIN IMMEDIATE")
            do {
                let result = try body()
                try execute("COMMIT")
                return result
            } catch {
                // SQLite may already have rolled back (e.g. on SQLITE_FULL); then there is nothing to undo.
                // A failing ROLLBACK is not reported: the body's error is the one that explains what happened.
                if sqlite3_get_autocommit(handle) == 0 { _ = sqlite3_exec(handle, "ROLLBACK", nil, nil, nil) }
                throw error
            }
        }
    }

    /// Rows changed by the latest INSERT, UPDATE or DELETE. Read it inside `transaction` when other
    /// threads share the database, so their statements cannot run in between.
    public var changes: Int {
        withLock { Int(sqlite3_changes64(handle)) }
    }

    /// The rowid of the latest successful INSERT; same caveat as `changes`.
    public var lastInsertRowID: Int64 {
        withLock { sqlite3_last_insert_rowid(handle) }
    }

    // MARK: Internals shared with SQLiteStatement

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// The error for `code`, with SQLite's message for this connection. Call with the lock held.
    func error(_ code: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: code, extendedCode: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    private func savepoint<T>(_ body: () throws -> T) throws -> T {
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let name = "leaversweep_savepoint_\(savepointDepth)"
        try execute("SAVEPOINT \(name)")
        do {
            let result = try body()
            try execute("RELEASE \(name)")
            return result
        } catch {
            // Undo the inner work but leave the outer transaction open for its owner to decide.
            if sqlite3_get_autocommit(handle) == 0 {
                _ = sqlite3_exec(handle, "ROLLBACK TO \(name); RELEASE \(name)", nil, nil, nil)
            }
            throw error
        }
    }

    /// `O_CREAT | O_EXCL` with mode 0600: creates the file private, or leaves an existing one alone.
    private static func createPrivateFileIfMissing(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            close(descriptor)
            return
        }
        let reason = errno
        guard reason == EEXIST else {
            throw SQLiteError(code: SQLITE_CANTOPEN, message: "cannot create database file \(path): \(String(cString: strerror(reason)))")
        }
    }
}
