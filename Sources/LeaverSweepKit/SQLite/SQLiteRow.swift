import CSQLite
import Foundation

/// The current row of a statement, read by column index (0-based).
///
/// Only valid inside the closure passed to `query`: it points into the statement, which moves on
/// to the next row as soon as the closure returns. Copy values out; do not keep the row.
/// Accessors return nil for SQL NULL and otherwise use SQLite's own type conversions.
public struct SQLiteRow {
    let statement: OpaquePointer

    public var columnCount: Int32 { sqlite3_column_count(statement) }

    public func isNull(_ index: Int32) -> Bool {
        sqlite3_column_type(statement, index) == SQLITE_NULL
    }

    public func int(_ index: Int32) -> Int64? {
        isNull(index) ? nil : sqlite3_column_int64(statement, index)
    }

    public func double(_ index: Int32) -> Double? {
        isNull(index) ? nil : sqlite3_column_double(statement, index)
    }

    public func string(_ index: Int32) -> String? {
        guard !isNull(index), let text = sqlite3_column_text(statement, index) else { return nil }
        // Length first, then bytes: the text may contain NUL, and this avoids a strlen.
        let length = Int(sqlite3_column_bytes(statement, index))
        return String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self)
    }

    /// Any non-zero integer is true.
    public func bool(_ index: Int32) -> Bool? {
        int(index).map { $0 != 0 }
    }

    /// Reads INTEGER milliseconds since 1970, as `Date` is bound.
    public func date(_ index: Int32) -> Date? {
        int(index).map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    public func value(_ index: Int32) -> SQLiteValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, index))
        case SQLITE_NULL: return .null
        default: return .text(string(index) ?? "")  // TEXT, and BLOB read as UTF-8 text
        }
    }
}
