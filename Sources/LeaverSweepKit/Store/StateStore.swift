import Foundation
import LeaverSweepCore

/// LeaverSweep's memory between nights: snapshot, journal of writes, findings history and run log, in SQLite.
///
/// All SQL lives in this type's files, with bound parameters only.
public final class StateStore: @unchecked Sendable {
    let db: SQLiteDatabase

    public init(path: String) throws {
        do {
            db = try SQLiteDatabase(path: path)
            try StateSchema.migrator.migrate(db)
        } catch let error as SQLiteError {
            throw RunFailure.store("\(path): \(error)")
        }
    }

    // MARK: Runs

    /// Records a new run. Runs left `running` by a process that died are marked `interrupted` first.
    public func beginRun(startedAt: Date, mode: RunMode) throws -> Int64 {
        try db.transaction {
            try db.run("UPDATE runs SET outcome = 'interrupted' WHERE outcome = 'running'", [])
            try db.run("INSERT INTO runs (started_at, mode) VALUES (?, ?)", [startedAt, mode.rawValue])
            return db.lastInsertRowID
        }
    }

    public func finishRun(_ id: Int64, report: RunReport, finishedAt: Date) throws {
        let json = String(decoding: try ReportJSON.encode(report), as: UTF8.self)
        let s = report.summary
        try db.run("""
            UPDATE runs SET finished_at = ?, outcome = ?, failure = ?, users_scanned = ?, devices_scanned = ?,
                disabled_users = ?, findings = ?, applied = ?, failed = ?, flagged = ?, planned = ?, excluded = ?,
                open_findings = ?, guard_tripped = ?, report_json = ?
            WHERE id = ?
            """, [finishedAt, report.run.outcome, report.run.failure, report.run.usersScanned, report.run.devicesScanned,
                  report.run.disabledUsers, s.findings, s.applied, s.failed, s.flagged, s.planned, s.excluded,
                  report.openFindings, report.run.guardTripped, json, id])
    }

    /// The stored report of a run, exactly as it was written that night.
    public func report(runId: Int64) throws -> RunReport? {
        guard let json = try db.query("SELECT report_json FROM runs WHERE id = ?", [runId], { $0.string(0) }).first ?? nil else { return nil }
        return try JSONDecoder().decode(RunReport.self, from: Data(json.utf8))
    }

    /// The newest run that wrote a report.
    public func latestReportedRunId() throws -> Int64? {
        try db.query("SELECT id FROM runs WHERE report_json IS NOT NULL ORDER BY id DESC LIMIT 1", []) { $0.int(0) }.first ?? nil
    }

    public func syncValue(_ name: String) throws -> String? {
        try db.query("SELECT value FROM sync_state WHERE name = ?", [name]) { $0.string(0) }.first ?? nil
    }

    public func setSyncValue(_ name: String, _ value: String) throws {
        try db.run("INSERT INTO sync_state (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value", [name, value])
    }
}

public enum ReportJSON {
    public static func encode(_ report: RunReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(report)
    }
}
