/// A failed SQLite call: the result code, SQLite's message and the SQL text.
///
/// Bound values are never part of it: they hold user principal names and tokens, and errors end
/// up in logs and in the nightly report. The SQL carries only `?` placeholders.
public struct SQLiteError: Error, CustomStringConvertible, Equatable {
    /// The primary result code (`SQLITE_CONSTRAINT` is 19, `SQLITE_BUSY` 5…).
    public let code: Int32
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE` is 2067); equals `code` when there is none.
    public let extendedCode: Int32
    public let message: String
    public let sql: String?

    public init(code: Int32, extendedCode: Int32? = nil, message: String, sql: String? = nil) {
        self.code = code & 0xFF
        self.extendedCode = extendedCode ?? code
        self.message = message
        self.sql = sql
    }

    public var description: String {
        var text = "SQLite error \(extendedCode): \(message)"
        if let sql { text += " — while running: \(sql)" }
        return text
    }
}
