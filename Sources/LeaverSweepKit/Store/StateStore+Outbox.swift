import Foundation
import LeaverSweepCore

/// A report email waiting to be handed to the mail server.
public struct OutboxMessage: Sendable, Equatable {
    public var id: Int64
    public var runId: Int64
    public var subject: String
    public var sender: String
    public var recipients: [String]
    /// The complete RFC 5322 message (ASCII: headers are encoded, bodies base64).
    public var message: Data
    public var attempts: Int
    /// Nil for the admins' report (sent to tonight's `email.to`); `owner` for an app owner's notice (sent to
    /// `recipients`, as queued).
    public var audience: String? = nil
}

extension StateStore {
    /// Keeps a rendered report until it is sent: a mail outage never loses a night's report.
    @discardableResult
    public func enqueueMail(runId: Int64, at: Date, subject: String, sender: String, recipients: [String], message: Data,
                            audience: String? = nil) throws -> Int64 {
        let recipientsJSON = String(decoding: try JSONEncoder().encode(recipients), as: UTF8.self)
        try db.run("INSERT INTO outbox (run_id, created_at, subject, sender, recipients, message, audience) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [runId, at, subject, sender, recipientsJSON, String(decoding: message, as: UTF8.self), audience])
        return db.lastInsertRowID
    }

    /// Unsent, undead messages, oldest first (the order they should reach the admins).
    public func pendingMail() throws -> [OutboxMessage] {
        try db.query("SELECT id, run_id, subject, sender, recipients, message, attempts, audience FROM outbox WHERE sent_at IS NULL AND dead_at IS NULL ORDER BY id", []) { row in
            OutboxMessage(
                id: row.int(0) ?? 0, runId: row.int(1) ?? 0, subject: row.string(2) ?? "", sender: row.string(3) ?? "",
                recipients: (try? JSONDecoder().decode([String].self, from: Data((row.string(4) ?? "[]").utf8))) ?? [],
                message: Data((row.string(5) ?? "").utf8), attempts: Int(row.int(6) ?? 0), audience: row.string(7)
            )
        }
    }

    /// Keeps the record of the send, not the body: the report itself is in `runs.report_json`.
    public func markMailSent(_ id: Int64, at: Date) throws {
        try db.run("UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_attempt_at = ?, last_error = NULL, message = '' WHERE id = ?", [at, at, id])
    }

    /// Gives up on a message the server refused for good (or after too many nights), so it never blocks the queue.
    public func markMailDead(_ id: Int64, at: Date, error: String) throws {
        try db.run("UPDATE outbox SET dead_at = ?, attempts = attempts + 1, last_attempt_at = ?, last_error = ? WHERE id = ?", [at, at, error, id])
    }

    public func markMailFailed(_ id: Int64, at: Date, error: String) throws {
        try db.run("UPDATE outbox SET attempts = attempts + 1, last_attempt_at = ?, last_error = ? WHERE id = ?", [at, error, id])
    }
}
