import CSQLite
import Foundation

/// A prepared statement, reusable with new values; finalized in `deinit`.
///
/// Preparing once and running many times is what makes bulk writes fast: SQLite parses and plans
/// the SQL a single time. The statement keeps its database alive and takes the database's lock
/// for each call, so it is safe to use while other threads use the same database.
public final class SQLiteStatement {
    let database: SQLiteDatabase
    private let handle: OpaquePointer
    public let sql: String

    init(database: SQLiteDatabase, handle: OpaquePointer, sql: String) {
        self.database = database
        self.handle = handle
        self.sql = sql
    }

    deinit {
        // sqlite3_finalize repeats the last step's error, which was already reported by step().
        sqlite3_finalize(handle)
    }

    /// Binds `values` to the `?` parameters in order; the count must match exactly.
    public func bind(_ values: [SQLiteBindable?]) throws {
        try database.withLock {
            let expected = sqlite3_bind_parameter_count(handle)
            guard expected == values.count else {
                throw SQLiteError(code: SQLITE_RANGE, message: "expected \(expected) bound values, got \(values.count)", sql: sql)
            }
            for (offset, value) in values.enumerated() {
                try bind(value?.sqliteValue ?? .null, at: Int32(offset + 1))
            }
        }
    }

    /// Advances one step: true when a row is available, false when the statement is done.
    public func step() throws -> Bool {
        try database.withLock {
            let code = sqlite3_step(handle)
            switch code {
            case SQLITE_ROW: return true
            case SQLITE_DONE: return false
            default: throw database.error(code, sql: sql)
            }
        }
    }

    /// Rewinds the statement so it can run again; bindings are kept.
    ///
    /// `sqlite3_reset` returns the error of the previous `step`, which `step` has already thrown,
    /// so that code is deliberately not reported a second time: the statement is reusable either way.
    public func reset() throws {
        database.withLock { _ = sqlite3_reset(handle) }
    }

    /// Resets, binds `values` and steps until done, discarding any rows.
    public func run(_ values: [SQLiteBindable?] = []) throws {
        try database.withLock {
            _ = sqlite3_reset(handle)
            // Reset again afterwards even on failure, so no read transaction or lock stays open.
            defer { _ = sqlite3_reset(handle) }
            try bind(values)
            while try step() {}
        }
    }

    /// Resets, binds `values` and maps every row through `row`.
    public func query<T>(_ values: [SQLiteBindable?] = [], _ row: (SQLiteRow) throws -> T) throws -> [T] {
        try database.withLock {
            _ = sqlite3_reset(handle)
            defer { _ = sqlite3_reset(handle) }
            try bind(values)
            var results: [T] = []
            let current = SQLiteRow(statement: handle)
            while try step() {
                results.append(try row(current))
            }
            return results
        }
    }

    private func bind(_ value: SQLiteValue, at index: Int32) throws {
        let code: Int32
        switch value {
        case .null:
            code = sqlite3_bind_null(handle, index)
        case .integer(let integer):
            code = sqlite3_bind_int64(handle, index, integer)
        case .real(let real):
            code = sqlite3_bind_double(handle, index, real)
        case .text(var text):
            code = text.withUTF8 { bytes in
                // An empty buffer may have no address, and a NULL pointer would bind NULL, not "".
                guard let base = bytes.baseAddress else { return sqlite3_bind_text(handle, index, "", 0, csqlite_transient()) }
                return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    sqlite3_bind_text64(handle, index, $0, UInt64(bytes.count), csqlite_transient(), UInt8(SQLITE_UTF8))
                }
            }
        }
        guard code == SQLITE_OK else { throw database.error(code, sql: sql) }
    }
}
