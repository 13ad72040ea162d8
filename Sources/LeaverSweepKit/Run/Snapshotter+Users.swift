import Foundation
import LeaverSweepCore

#if canImport(Glibc)
import Glibc
#endif

extension Snapshotter {
    struct UsersRead: CollectionRead {
        var full: Bool
        var newlyDisabled: (count: Int, users: Int)?
        /// Users whose full record to read one by one tonight: disabled ones the delta says changed, ones a killed
        /// run left to read, and ones whose revocation is not yet confirmed. Empty after a full read.
        var details: [String] = []
        /// Users whose app access to read again (not the revocation-only ones). After a full read: every disabled user.
        var access: [String] = []
        var warning: String?
    }

    func readUsers(runStart: Date) throws -> UsersRead {
        try readIncrementally("users", runStart: runStart, delta: readUsersDelta, full: { try readUsersFull(runStart: runStart) })
    }

    private func readUsersFull(runStart: Date) throws -> UsersRead {
        let started = Date()
        let link = latestDeltaLink("users", select: UserPayload.deltaSelect)
        try store.beginStaging([.users])
        var count = 0
        var pages = 0
        let path = GraphQuery.path("/users", [("$select", UserPayload.select), ("$top", "999")])
        try graph.forEachPage(path, as: UserPayload.self) { page in
            try stopIfAsked()
            try store.stageUsers(page.map { try $0.model() })
            count += page.count
            pages += 1
            if let limit = crashAfterPages, pages >= limit { kill(getpid(), SIGKILL) }
        }
        let newlyDisabled = try store.newlyDisabledInStaging()
        var sync = ["users_full_at": GraphTimestamp.format(runStart), "users_pending_refresh": "[]"]
        sync["users_delta_link"] = link
        if link == nil { try store.clearSyncValue("users_delta_link") }
        try store.commitStaging([.users], syncValues: sync)
        log.debug("snapshot: \(count) users in \(pages) pages, \(RunLog.elapsed(since: started))")
        return UsersRead(full: true, newlyDisabled: newlyDisabled.map { (count: $0.newlyDisabled, users: $0.users) })
    }

    /// Applies one delta round. The new link and the list of users still to read are stored in the same
    /// transaction as the changes, so a run killed before reading them reads them next time.
    private func readUsersDelta(_ link: String) throws -> UsersRead {
        var latest: [String: DeltaEntry<UserPayload>] = [:]
        var order: [String] = []
        var pages = 0
        let next = try graph.readDelta(link, collection: "users", as: UserPayload.self) { page in
            try stopIfAsked()
            pages += 1
            if let limit = crashAfterPages, pages >= limit { kill(getpid(), SIGKILL) }
            // Delta may replay or repeat objects; the last entry for an id is its state.
            for entry in page {
                if latest.updateValue(entry, forKey: entry.id) == nil { order.append(entry.id) }
            }
        }
        let entries = order.compactMap { latest[$0] }
        let changed = entries.filter { $0.removed == nil }
        let pending = try pendingIds("users_pending_refresh")
        // Only users that are (or may be) disabled need their sessions time and app access read; so do users whose
        // revocation a killed or cut-off run may or may not have delivered: tonight's sessions time tells.
        let uncertain = try store.revocationsToConfirm()
        let changedDisabled = changed.filter { $0.payload.accountEnabled != true }.map(\.id)
        let toRead = Array(Set(pending + uncertain + changedDisabled)).sorted()
        let applied = try store.applyUserChanges(changed.map(\.payload), removed: entries.filter { $0.removed != nil }.map(\.id),
                                                 syncValues: ["users_delta_link": next, "users_pending_refresh": Self.encodeIds(toRead)])
        log.debug("snapshot: users delta with \(entries.count) changes, \(toRead.count) to read")
        return UsersRead(full: false, newlyDisabled: (applied.newlyDisabled, applied.users), details: toRead,
                         access: Array(Set(pending + changedDisabled)).sorted())
    }

    func pendingIds(_ name: String) throws -> [String] {
        guard let text = try store.syncValue(name), let ids = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else { return [] }
        return ids
    }

    static func encodeIds(_ ids: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(ids)) ?? Data("[]".utf8), as: UTF8.self)
    }
}
