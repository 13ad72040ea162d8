import Foundation
import LeaverSweepCore

extension StateStore {
    /// How many earlier runs the trend shows, besides tonight's.
    static let trendLength = 14

    /// New, fixed and still-open findings of `runId` against earlier runs, and the trend of open findings.
    /// Call after `recordFindings` for the run.
    public func history(runId: Int64, startedAt: Date, openTonight: Int) throws -> ReportHistory {
        let previous = try db.query("SELECT id FROM runs WHERE id < ? AND recorded_findings = 1 ORDER BY id DESC LIMIT 1", [runId]) { $0.int(0) }.first ?? nil
        // Excluded accounts are reported, but they are not drift: never "new", never "fixed".
        let newKeys = try db.query("SELECT key FROM findings WHERE first_seen_run = ? AND last_seen_run = ? AND status != 'excluded' ORDER BY key", [runId, runId]) { $0.string(0) ?? "" }
        let fixed = try db.query("""
            SELECT f.key, f.kind, f.upn, f.object_name, r.started_at FROM findings f JOIN runs r ON r.id = f.first_seen_run
            WHERE f.resolved_run = ? AND f.status != 'excluded' ORDER BY f.key
            """, [runId]) { row in
            ReportHistory.FixedFinding(
                key: row.string(0) ?? "", kind: FindingKind(rawValue: row.string(1) ?? "") ?? .sessionsNotRevoked,
                userPrincipalName: row.string(2) ?? "", objectDisplayName: row.string(3),
                firstSeenAt: GraphTimestamp.format(row.date(4) ?? startedAt)
            )
        }
        let firstSeenRows = try db.query("""
            SELECT f.key, r.started_at FROM findings f JOIN runs r ON r.id = f.first_seen_run
            WHERE f.last_seen_run = ? AND f.resolved_run IS NULL
            """, [runId]) { ($0.string(0) ?? "", GraphTimestamp.format($0.date(1) ?? startedAt)) }
        let earlier = try db.query("""
            SELECT id, started_at, open_findings FROM runs WHERE id < ? AND recorded_findings = 1 ORDER BY id DESC LIMIT ?
            """, [runId, Self.trendLength - 1]) { row in
            ReportHistory.TrendPoint(runId: row.int(0) ?? 0, startedAt: GraphTimestamp.format(row.date(1) ?? startedAt), openFindings: Int(row.int(2) ?? 0))
        }
        let trend = earlier.reversed() + [ReportHistory.TrendPoint(runId: runId, startedAt: GraphTimestamp.format(startedAt), openFindings: openTonight)]
        return ReportHistory(previousRunId: previous, newKeys: newKeys, fixed: fixed,
                             firstSeen: Dictionary(firstSeenRows, uniquingKeysWith: { a, _ in a }), trend: Array(trend))
    }
}
