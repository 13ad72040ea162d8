import Foundation
import LeaverSweepCore

/// One run as `leaversweep history` lists it.
public struct RunSummaryRow: Sendable, Equatable {
    public var id: Int64
    public var startedAt: Date
    public var finishedAt: Date?
    public var mode: String
    public var outcome: String
    public var findings: Int
    public var applied: Int
    public var failed: Int
    public var flagged: Int
    public var guardTripped: Bool
    public var failure: String?
}

/// One journal event as `leaversweep show RUN` lists it: what the robot did, with Graph's request-id.
public struct ActionEventRow: Sendable, Equatable {
    public var at: Date
    public var actionKey: String
    public var kind: String
    public var targetId: String
    public var state: String
    public var httpStatus: Int?
    public var errorCode: String?
    public var message: String?
    public var requestId: String?
    /// What a removal deleted (JSON), so it can be put back by hand.
    public var details: String? = nil
}

extension StateStore {
    public func runs(limit: Int) throws -> [RunSummaryRow] {
        try db.query("""
            SELECT id, started_at, finished_at, mode, outcome, findings, applied, failed, flagged, guard_tripped IS NOT NULL, failure
            FROM runs ORDER BY id DESC LIMIT ?
            """, [limit]) { row in
            RunSummaryRow(id: row.int(0) ?? 0, startedAt: row.date(1) ?? Date(timeIntervalSince1970: 0), finishedAt: row.date(2),
                          mode: row.string(3) ?? "", outcome: row.string(4) ?? "", findings: Int(row.int(5) ?? 0),
                          applied: Int(row.int(6) ?? 0), failed: Int(row.int(7) ?? 0), flagged: Int(row.int(8) ?? 0),
                          guardTripped: row.bool(9) ?? false, failure: row.string(10))
        }
    }

    public func actionEvents(runId: Int64) throws -> [ActionEventRow] {
        try db.query("""
            SELECT e.at, e.action_key, a.kind, a.target_id, e.state, e.http_status, e.error_code, e.error_message, e.request_id, a.details
            FROM action_events e LEFT JOIN actions a ON a.key = e.action_key WHERE e.run_id = ? ORDER BY e.id
            """, [runId]) { row in
            ActionEventRow(at: row.date(0) ?? Date(timeIntervalSince1970: 0), actionKey: row.string(1) ?? "", kind: row.string(2) ?? "",
                           targetId: row.string(3) ?? "", state: row.string(4) ?? "", httpStatus: row.int(5).map(Int.init),
                           errorCode: row.string(6), message: row.string(7), requestId: row.string(8), details: row.string(9))
        }
    }

    public func runExists(_ id: Int64) throws -> Bool {
        try db.query("SELECT 1 FROM runs WHERE id = ?", [id]) { _ in true }.first ?? false
    }
}
