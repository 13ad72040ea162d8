import Foundation

/// A value as SQLite stores it. There is no blob case: nothing LeaverSweep keeps needs one.
public enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

/// A Swift value that can be bound to a `?` parameter.
public protocol SQLiteBindable {
    var sqliteValue: SQLiteValue { get }
}

extension SQLiteValue: SQLiteBindable {
    public var sqliteValue: SQLiteValue { self }
}

extension Int: SQLiteBindable {
    public var sqliteValue: SQLiteValue { .integer(Int64(self)) }
}

extension Int32: SQLiteBindable {
    public var sqliteValue: SQLiteValue { .integer(Int64(self)) }
}

extension Int64: SQLiteBindable {
    public var sqliteValue: SQLiteValue { .integer(self) }
}

extension Double: SQLiteBindable {
    public var sqliteValue: SQLiteValue { .real(self) }
}

extension String: SQLiteBindable {
    public var sqliteValue: SQLiteValue { .text(self) }
}

/// Stored as INTEGER 0 or 1, SQLite's own convention for booleans.
extension Bool: SQLiteBindable {
    public var sqliteValue: SQLiteValue { .integer(self ? 1 : 0) }
}

/// Stored as INTEGER milliseconds since 1970-01-01 UTC, rounded to the nearest millisecond.
///
/// Integers compare and index exactly, survive a round trip unchanged and read plainly in the
/// sqlite3 shell; REAL seconds would pick up binary-fraction noise. Read back with `SQLiteRow.date(_:)`.
extension Date: SQLiteBindable {
    public var sqliteValue: SQLiteValue { .integer(millisecondsSince1970) }

    var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}

extension Optional: SQLiteBindable where Wrapped: SQLiteBindable {
    public var sqliteValue: SQLiteValue { self?.sqliteValue ?? .null }
}
