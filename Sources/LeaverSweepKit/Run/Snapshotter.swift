import Foundation
import LeaverSweepCore

#if canImport(Glibc)
import Glibc
#endif

/// Reads the tenant into the state database.
///
/// The first night (and one night a week, or after Graph rejects a delta link) reads users and devices in full;
/// other nights follow the delta links stored the night before and read only what changed. Collections that
/// don't depend on each other are read at the same time, and per-user reads go out in JSON batches.
struct Snapshotter: @unchecked Sendable {
    let graph: GraphClient
    let store: StateStore
    let log: RunLog
    /// Test hook: SIGKILL after this many pages of users were staged, to prove a snapshot killed half-way loses nothing.
    var crashAfterPages: Int? = nil
    /// `leaversweep run --full-snapshot`: ignore stored delta links tonight.
    var forceFull = false

    /// A full read at least this often: delta does not track device owners or app access of unchanged users.
    static let fullSnapshotInterval: TimeInterval = 7 * 86_400
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
        /// "full" or "delta", per collection, for the log and the benchmark.
        var usersRead = "full"
        var devicesRead = "full"
    }

    func snapshot(runId: Int64, runStart: Date, excludeGroups: [String] = []) throws -> Summary {
        let results = SnapshotResults()
        let started = Date()
        // Per-user reads follow the users read on its own thread, and device owners the devices read, so neither
        // waits for the slower collection.
        try ParallelWork.all([
            { results.set(\.excluded, try excludedGroupMembers(excludeGroups)) },
            {
                let users = try readUsers(runStart: runStart)
                results.set(\.users, users)
                try readUserObjects(users)
                log.debug("snapshot: users and per-user reads done at \(RunLog.elapsed(since: started))")
            },
            {
                let devices = try readDevices(runStart: runStart)
                results.set(\.devices, devices)
                try readDeviceOwners(devices)
            },
            { results.set(\.audit, try readAuditEvents(runStart: runStart)) },
        ])
        let users = results.users!, devices = results.devices!, audit = results.audit!
        log.debug("snapshot: collections and per-object reads done at \(RunLog.elapsed(since: started))")
        try stopIfAsked()
        try store.updateDisabledSince(now: runStart, runId: runId)
        try recordAudit(audit, runStart: runStart)

        var summary = Summary()
        summary.excludedMembers = results.excluded ?? []
        summary.newlyDisabled = users.newlyDisabled
        summary.warnings = [users.warning, devices.warning, audit.warning].compactMap { $0 }
        summary.usersRead = users.full ? "full" : "delta"
        summary.devicesRead = devices.full ? "full" : "delta"
        log.debug("snapshot: users \(summary.usersRead), devices \(summary.devicesRead), \(graph.traffic.requests) requests so far")
        return summary
    }

    func stopIfAsked() throws {
        if StopSignal.requested { throw RunFailure.stopped("stopped by SIGTERM during the snapshot; nothing was written") }
    }

    /// Whether tonight may follow a stored delta link for `collection`, and which.
    func storedDeltaLink(_ collection: String, runStart: Date) throws -> String? {
        guard !forceFull, let link = try store.syncValue("\(collection)_delta_link"),
              let fullAt = try store.syncValue("\(collection)_full_at").flatMap(GraphTimestamp.parse),
              runStart.timeIntervalSince(fullAt) < Self.fullSnapshotInterval else { return nil }
        return link
    }

    /// Tonight's read of one collection: through the stored delta link when there is a usable one, else in full;
    /// a link Graph rejects falls back to the full read, and the report says so.
    func readIncrementally<Read: CollectionRead>(_ collection: String, runStart: Date, delta: (String) throws -> Read,
                                                 full: () throws -> Read) throws -> Read {
        guard let link = try storedDeltaLink(collection, runStart: runStart) else { return try full() }
        do {
            return try delta(link)
        } catch let rejected as DeltaLinkRejected {
            var read = try full()
            read.warning = "\(rejected)"
            return read
        }
    }

    /// `…/delta?$deltatoken=latest`: a link from now, taken before a full read so that changes made during the read
    /// come back in tomorrow's delta. Nil (and a full read again tomorrow) when Graph refuses.
    func latestDeltaLink(_ collection: String, select: String) -> String? {
        do {
            return try graph.readDelta("/\(collection)/delta?$select=\(select)&$deltatoken=latest", collection: collection, as: IdOnly.self) { _ in }
        } catch {
            log.info("no delta link for \(collection) (\(error)); tomorrow reads it in full again")
            return nil
        }
    }

    /// Excluded users by group, transitively (nested groups included). Fails the run when a group can't be read:
    /// acting without knowing who is excluded could disable a break-glass account.
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
}

struct IdOnly: Decodable { var id: String }

/// What reading one collection tonight left to say in the report.
protocol CollectionRead {
    var warning: String? { get set }
}

/// What the parallel reads hand back; each field is written once, by one job.
final class SnapshotResults: @unchecked Sendable {
    private let lock = NSLock()
    var excluded: [String]?
    var users: Snapshotter.UsersRead?
    var devices: Snapshotter.DevicesRead?
    var audit: Snapshotter.AuditRead?

    func set<Value>(_ field: ReferenceWritableKeyPath<SnapshotResults, Value?>, _ value: Value) {
        lock.withLock { self[keyPath: field] = value }
    }
}
