import Foundation
import LeaverSweepCore

/// An action as the journal holds it, with what an auditor asks about.
public struct JournaledAction: Sendable, Equatable {
    public var entry: JournalEntry
    public var kind: ActionKind?
    public var targetId: String
    public var appliedAt: Date?
    public var requestId: String?
    public var error: GraphErrorInfo?
    /// The finding the write was for.
    public var findingKey: String = ""
}

extension StateStore {
    /// Every action ever journaled, by key (the planner's view of the past).
    public func journal() throws -> [String: JournaledAction] {
        let rows = try db.query("SELECT key, state, http_status, error_code, error_message, request_id, client_request_id, applied_at, kind, target_id, finding_key FROM actions", []) { row -> JournaledAction in
            let key = row.string(0) ?? ""
            let state = JournalEntry.State(rawValue: row.string(1) ?? "") ?? .inFlight
            let status = row.int(2).map(Int.init)
            let error = state == .failed
                ? GraphErrorInfo(httpStatus: status, code: row.string(3), message: row.string(4) ?? "", requestId: row.string(5), clientRequestId: row.string(6))
                : nil
            let appliedAt = row.date(7)
            return JournaledAction(entry: JournalEntry(key: key, state: state, httpStatus: status, errorCode: row.string(3), appliedAt: appliedAt),
                                   kind: ActionKind(rawValue: row.string(8) ?? ""), targetId: row.string(9) ?? "",
                                   appliedAt: appliedAt, requestId: row.string(5), error: error, findingKey: row.string(10) ?? "")
        }
        return Dictionary(rows.map { ($0.entry.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Runs several journal updates as one transaction (one disk sync for a whole batch of answers).
    func journalTogether(_ body: () throws -> Void) throws {
        try db.transaction(body)
    }

    /// Journals a write as in flight *before* it is sent, durably, so a crash leaves a trace to reconcile.
    public func markInFlight(_ action: PlannedAction, runId: Int64, at: Date) throws {
        try db.transaction {
            try db.run("""
                INSERT INTO actions (key, kind, target_id, finding_key, state, attempts, first_run, last_run, updated_at, details)
                VALUES (?, ?, ?, ?, 'in_flight', 1, ?, ?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET state = 'in_flight', attempts = attempts + 1, last_run = excluded.last_run, updated_at = excluded.updated_at
                """, [action.key, action.kind.rawValue, action.targetId, action.findingKey, runId, runId, at, action.details])
            try db.run("INSERT INTO action_events (run_id, action_key, state, at) VALUES (?, ?, 'in_flight', ?)", [runId, action.key, at])
        }
    }

    public func markApplied(_ actionKey: String, runId: Int64, at: Date, requestId: String?, clientRequestId: String?, note: String? = nil) throws {
        try db.transaction {
            try db.run("""
                UPDATE actions SET state = 'applied', applied_at = ?, request_id = ?, client_request_id = ?, http_status = NULL,
                    error_code = NULL, error_message = ?, updated_at = ? WHERE key = ?
                """, [at, requestId, clientRequestId, note, at, actionKey])
            try db.run("INSERT INTO action_events (run_id, action_key, state, at, request_id, client_request_id, error_message) VALUES (?, ?, 'applied', ?, ?, ?, ?)",
                       [runId, actionKey, at, requestId, clientRequestId, note])
        }
    }

    public func markFailed(_ actionKey: String, runId: Int64, at: Date, error: GraphErrorInfo) throws {
        try db.transaction {
            try db.run("""
                UPDATE actions SET state = 'failed', http_status = ?, error_code = ?, error_message = ?, request_id = ?,
                    client_request_id = ?, updated_at = ? WHERE key = ?
                """, [error.httpStatus, error.code, error.message, error.requestId, error.clientRequestId, at, actionKey])
            try db.run("INSERT INTO action_events (run_id, action_key, state, at, http_status, error_code, error_message, request_id, client_request_id) VALUES (?, ?, 'failed', ?, ?, ?, ?, ?, ?)",
                       [runId, actionKey, at, error.httpStatus, error.code, error.message, error.requestId, error.clientRequestId])
        }
    }

    /// Updates the findings history: tonight's findings are seen (new ones get this run as first seen), and
    /// open findings not seen tonight are resolved by this run.
    public func recordFindings(_ findings: [ReportedFinding], runId: Int64) throws {
        try db.transaction {
            let upsert = try db.prepare("""
                INSERT INTO findings (key, kind, user_id, upn, object_id, object_name, status, first_seen_run, last_seen_run, resolved_run)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
                ON CONFLICT(key) DO UPDATE SET status = excluded.status, upn = excluded.upn, object_name = excluded.object_name,
                    last_seen_run = excluded.last_seen_run,
                    first_seen_run = CASE WHEN findings.resolved_run IS NULL THEN findings.first_seen_run ELSE excluded.first_seen_run END,
                    resolved_run = NULL
                """)
            for finding in findings {
                try upsert.run([finding.key, finding.kind.rawValue, finding.user.id, finding.user.userPrincipalName, finding.object.id,
                                finding.object.displayName, finding.status.rawValue, runId, runId])
            }
            try db.run("UPDATE findings SET resolved_run = ? WHERE resolved_run IS NULL AND last_seen_run < ?", [runId, runId])
            // History compares with the last run that recorded findings, whatever its outcome.
            try db.run("UPDATE runs SET recorded_findings = 1 WHERE id = ?", [runId])
        }
    }
}
