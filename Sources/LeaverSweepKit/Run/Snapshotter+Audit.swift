import Foundation
import LeaverSweepCore

extension Snapshotter {
    struct AuditRead {
        var disables: [(userId: String, at: Date)] = []
        var enables: [(userId: String, at: Date)] = []
        var warning: String?
    }

    /// Reads "Disable account" events to learn when accounts were disabled, and "Enable account" events to know
    /// when a disable belongs to an earlier episode. Needs AuditLog.Read.All and, in most tenants, a P1 licence:
    /// when refused, the run goes on with first-seen-disabled times and says so. Read alongside the users and
    /// recorded after them (`recordAudit`), because events attach to users' disable episodes.
    func readAuditEvents(runStart: Date) throws -> AuditRead {
        let since = try store.syncValue("audit_read_from").flatMap(GraphTimestamp.parse) ?? runStart.addingTimeInterval(-Self.firstAuditWindow)
        var read = AuditRead()
        do {
            for activity in ["Disable account", "Enable account"] {
                let filter = "activityDisplayName eq '\(activity)' and activityDateTime ge \(GraphTimestamp.formatForFilter(since))"
                let path = GraphQuery.path("/auditLogs/directoryAudits", [("$filter", filter), ("$top", "999")])
                try graph.forEachPage(path, as: DirectoryAuditPayload.self) { page in
                    for event in page where event.result?.lowercased() ?? "success" == "success" {
                        guard event.activityDisplayName == activity, let when = event.activityDateTime.flatMap(GraphTimestamp.parse) else { continue }
                        for target in event.targetResources ?? [] where target.type?.lowercased() ?? "user" == "user" {
                            guard let id = target.id else { continue }
                            if activity == "Disable account" { read.disables.append((id, when)) } else { read.enables.append((id, when)) }
                        }
                    }
                }
            }
        } catch RunFailure.graph(let error) where error.info.httpStatus == 403 {
            read.warning = "the directory audit log could not be read (\(error.info.code ?? "403")): \(error.info.message) Disable times fall back to when LeaverSweep first saw each account disabled. Grant AuditLog.Read.All (needs Entra ID P1/P2) to use audit times."
        }
        return read
    }

    func recordAudit(_ read: AuditRead, runStart: Date) throws {
        guard read.warning == nil else { return }
        for event in read.disables { try store.recordAuditDisable(userId: event.userId, at: event.at) }
        for event in read.enables { try store.recordAuditEnable(userId: event.userId, at: event.at) }
        try store.setSyncValue("audit_read_from", GraphTimestamp.format(runStart.addingTimeInterval(-Self.auditOverlap)))
        log.debug("snapshot: \(read.disables.count + read.enables.count) account enable/disable audit events")
    }
}
