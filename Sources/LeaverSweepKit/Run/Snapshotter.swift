import Foundation
import LeaverSweepCore

#if canImport(Glibc)
import Glibc
#endif

/// Reads the tenant into the state database, one page at a time.
struct Snapshotter {
    let graph: GraphClient
    let store: StateStore
    let log: RunLog
    /// Test hook: SIGKILL after this many pages were staged, to prove a snapshot killed half-way loses nothing.
    var crashAfterPages: Int? = nil

    /// The window of audit events read on a first run; Entra keeps them 7 days (Free) or 30 days (P1/P2).
    static let firstAuditWindow: TimeInterval = 30 * 86_400
    /// Later runs re-read an hour before the previous run's start, so events logged late are not missed.
    static let auditOverlap: TimeInterval = 3600

    struct Summary {
        /// Data that could not be read but does not stop the run.
        var warnings: [String] = []
        /// Members of `policy.exclude_groups`, never acted on.
        var excludedMembers: [String] = []
        /// Users disabled since the previous snapshot, and all users; nil on the first run.
        var newlyDisabled: (count: Int, users: Int)?
    }

    func snapshot(runId: Int64, runStart: Date, excludeGroups: [String] = []) throws -> Summary {
        var summary = Summary()
        summary.excludedMembers = try excludedGroupMembers(excludeGroups)
        summary.newlyDisabled = try snapshotUsers(runId: runId, runStart: runStart)
        try stopIfAsked()
        if let warning = try readAuditDisables(runStart: runStart) { summary.warnings.append(warning) }
        try snapshotDevices()
        try stopIfAsked()
        try snapshotAppAccess()
        return summary
    }

    /// User ids in the excluded groups, transitively (nested groups included). Fails the run when a group can't
    /// be read: acting without knowing who is excluded could disable a break-glass account.
    func excludedGroupMembers(_ groupIds: [String]) throws -> [String] {
        struct Member: Decodable {
            var id: String
            var type: String?
            enum CodingKeys: String, CodingKey { case id, type = "@odata.type" }
        }
        var members: [String] = []
        for group in groupIds {
            let path = "/groups/\(GraphQuery.segment(group))/transitiveMembers?$select=id&$top=999"
            do {
                try graph.forEachPage(path, as: Member.self) { page in
                    members += page.filter { $0.type == nil || $0.type == "#microsoft.graph.user" }.map(\.id)
                }
            } catch RunFailure.graph(let error) {
                throw RunFailure.unexpectedResponse("cannot read the members of excluded group \(group) (policy.exclude_groups): \(error.info.code ?? "HTTP \(error.info.httpStatus ?? 0)"): \(error.info.message) (request-id \(error.info.requestId ?? "none")); nothing was written")
            }
        }
        log.debug("snapshot: \(members.count) members of excluded groups")
        return members
    }

    func stopIfAsked() throws {
        if StopSignal.requested { throw RunFailure.stopped("stopped by SIGTERM during the snapshot; nothing was written") }
    }

    func snapshotUsers(runId: Int64, runStart: Date) throws -> (count: Int, users: Int)? {
        try store.beginStaging([.users])
        var count = 0
        let path = GraphQuery.path("/users", [("$select", UserPayload.select), ("$top", "999")])
        var pages = 0
        try graph.forEachPage(path, as: UserPayload.self) { page in
            try stopIfAsked()
            try store.stageUsers(page.map { try $0.model() })
            count += page.count
            pages += 1
            if let limit = crashAfterPages, pages >= limit { kill(getpid(), SIGKILL) }
        }
        let newlyDisabled = try store.newlyDisabledInStaging()
        try store.commitStaging([.users])
        try store.updateDisabledSince(now: runStart, runId: runId)
        log.debug("snapshot: \(count) users")
        return newlyDisabled.map { (count: $0.newlyDisabled, users: $0.users) }
    }

    /// Reads "Disable account" events to learn when accounts were disabled, and "Enable account" events to know
    /// when a disable belongs to an earlier episode. Needs AuditLog.Read.All and, in most tenants, a P1 licence:
    /// when refused, the run goes on with first-seen-disabled times and says so.
    func readAuditDisables(runStart: Date) throws -> String? {
        let since = try store.syncValue("audit_read_from").flatMap(GraphTimestamp.parse) ?? runStart.addingTimeInterval(-Self.firstAuditWindow)
        var events = 0
        do {
            for activity in ["Disable account", "Enable account"] {
                let filter = "activityDisplayName eq '\(activity)' and activityDateTime ge \(GraphTimestamp.formatForFilter(since))"
                let path = GraphQuery.path("/auditLogs/directoryAudits", [("$filter", filter), ("$top", "999")])
                try graph.forEachPage(path, as: DirectoryAuditPayload.self) { page in
                    for event in page where event.result?.lowercased() ?? "success" == "success" {
                        guard event.activityDisplayName == activity, let when = event.activityDateTime.flatMap(GraphTimestamp.parse) else { continue }
                        for target in event.targetResources ?? [] where target.type?.lowercased() ?? "user" == "user" {
                            guard let id = target.id else { continue }
                            if activity == "Disable account" {
                                try store.recordAuditDisable(userId: id, at: when)
                            } else {
                                try store.recordAuditEnable(userId: id, at: when)
                            }
                        }
                        events += 1
                    }
                }
            }
        } catch RunFailure.graph(let error) where error.info.httpStatus == 403 {
            return "the directory audit log could not be read (\(error.info.code ?? "403")): \(error.info.message) Disable times fall back to when LeaverSweep first saw each account disabled. Grant AuditLog.Read.All (needs Entra ID P1/P2) to use audit times."
        }
        try store.setSyncValue("audit_read_from", GraphTimestamp.format(runStart.addingTimeInterval(-Self.auditOverlap)))
        log.debug("snapshot: \(events) account enable/disable audit events")
        return nil
    }

    func snapshotDevices() throws {
        try store.beginStaging([.devices, .deviceOwners])
        var count = 0
        let path = GraphQuery.path("/devices", [
            ("$select", DevicePayload.select), ("$expand", "registeredOwners($select=id)"), ("$top", "999"),
        ])
        try graph.forEachPage(path, as: DevicePayload.self) { page in
            try store.stageDevices(page.map { try $0.model() })
            count += page.count
        }
        try store.commitStaging([.devices, .deviceOwners])
        log.debug("snapshot: \(count) devices")
    }

    /// App role assignments and the user's own delegated grants, read only for disabled users.
    func snapshotAppAccess() throws {
        try store.beginStaging([.appRoleAssignments, .grants])
        for userId in try store.disabledUserIds() {
            let user = GraphQuery.segment(userId)
            var assignments: [AppRoleAssignment] = []
            var grants: [DelegatedGrant] = []
            do {
                // Group-inherited assignments come back completely only as an advanced query; the header is not
                // carried by nextLink, so forEachPage resends it on every page.
                try graph.forEachPage("/users/\(user)/appRoleAssignments?$count=true&$top=999", as: AppRoleAssignmentPayload.self,
                                      headers: [("ConsistencyLevel", "eventual")]) { page in
                    assignments += page.map { $0.model(userId: userId) }
                }
                try graph.forEachPage("/users/\(user)/oauth2PermissionGrants?$top=999", as: GrantPayload.self) { page in
                    grants += page.map { $0.model() }
                }
            } catch RunFailure.graph(let error) where error.info.httpStatus == 404 {
                continue  // deleted since the users snapshot: nothing left to hold access
            }
            try store.stageAppAccess(userId: userId, assignments: assignments, grants: grants)
        }
        try store.commitStaging([.appRoleAssignments, .grants])
    }
}
