import Foundation

/// Which directory collection a change belongs to; delta queries read one collection each.
enum DirectoryCollection: String, Sendable {
    case users
    case devices
}

/// Every mutation of a user or device, numbered by one global sequence, so `/users/delta` and `/devices/delta`
/// can answer "what changed after sequence N" without keeping a copy of the tenant per token.
///
/// Entries are appended in sequence order and never rewritten; reads binary-search the start of a window.
struct ChangeLog {
    struct Entry {
        let sequence: Int
        let collection: DirectoryCollection
        let id: String
        /// Canonical Graph property names that changed; empty for a removal.
        let properties: [String]
        /// `deleted` (gone for good) or `changed` (soft-deleted, restorable), as Graph's `@removed.reason`.
        let removal: String?
    }

    /// What happened to one object inside a window: the union of its changed properties, and whether the
    /// last thing that happened to it was a removal.
    struct Summary {
        var id: String
        var properties: Set<String>
        var removal: String?
    }

    /// The sequence of the latest change; 0 before any change.
    private(set) var sequence = 0
    private(set) var entries: [Entry] = []

    mutating func record(_ collection: DirectoryCollection, id: String, properties: [String]) {
        guard !properties.isEmpty else { return }
        sequence += 1
        entries.append(Entry(sequence: sequence, collection: collection, id: id, properties: properties, removal: nil))
    }

    mutating func recordRemoval(_ collection: DirectoryCollection, id: String, reason: String) {
        sequence += 1
        entries.append(Entry(sequence: sequence, collection: collection, id: id, properties: [], removal: reason))
    }

    /// Objects of `collection` changed in the window `(after, upTo]`, keyed by lower-cased id.
    func summaries(of collection: DirectoryCollection, after: Int, upTo: Int) -> [String: Summary] {
        var low = 0, high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].sequence <= after { low = middle + 1 } else { high = middle }
        }
        var found: [String: Summary] = [:]
        var index = low
        while index < entries.count, entries[index].sequence <= upTo {
            let entry = entries[index]
            index += 1
            guard entry.collection == collection else { continue }
            let key = entry.id.lowercased()
            var summary = found[key] ?? Summary(id: entry.id, properties: [], removal: nil)
            summary.properties.formUnion(entry.properties)
            summary.removal = entry.removal
            found[key] = summary
        }
        return found
    }
}

/// Which Graph properties differ between two versions of a stored object. Derived properties (`mailNickname`,
/// `proxyAddresses`, `profileType`, `mdmAppId`) change with the stored field they are rendered from.
enum PropertyDiff {
    static func user(_ old: EmulatedUser, _ new: EmulatedUser) -> [String] {
        var changed: [String] = []
        if old.userPrincipalName != new.userPrincipalName { changed += ["userPrincipalName", "mailNickname"] }
        if old.displayName != new.displayName { changed.append("displayName") }
        if old.givenName != new.givenName { changed.append("givenName") }
        if old.surname != new.surname { changed.append("surname") }
        if old.mail != new.mail { changed += ["mail", "proxyAddresses"] }
        if old.jobTitle != new.jobTitle { changed.append("jobTitle") }
        if old.accountEnabled != new.accountEnabled { changed.append("accountEnabled") }
        if old.signInSessionsValidFromDateTime != new.signInSessionsValidFromDateTime {
            changed.append("signInSessionsValidFromDateTime")
        }
        if old.onPremisesSyncEnabled != new.onPremisesSyncEnabled { changed.append("onPremisesSyncEnabled") }
        if old.userType != new.userType { changed += ["userType", "creationType"] }
        if old.createdDateTime != new.createdDateTime { changed.append("createdDateTime") }
        return changed
    }

    static func device(_ old: EmulatedDevice, _ new: EmulatedDevice) -> [String] {
        var changed: [String] = []
        if old.deviceId != new.deviceId { changed.append("deviceId") }
        if old.displayName != new.displayName { changed.append("displayName") }
        if old.accountEnabled != new.accountEnabled { changed.append("accountEnabled") }
        if old.operatingSystem != new.operatingSystem { changed.append("operatingSystem") }
        if old.operatingSystemVersion != new.operatingSystemVersion { changed.append("operatingSystemVersion") }
        if old.trustType != new.trustType { changed += ["trustType", "profileType"] }
        if old.isManaged != new.isManaged { changed += ["isManaged", "mdmAppId"] }
        if old.isCompliant != new.isCompliant { changed.append("isCompliant") }
        if old.onPremisesSyncEnabled != new.onPremisesSyncEnabled { changed.append("onPremisesSyncEnabled") }
        if old.approximateLastSignInDateTime != new.approximateLastSignInDateTime {
            changed.append("approximateLastSignInDateTime")
        }
        // registeredOwners is a navigation property: delta does not track it (graph.md 2.3).
        return changed
    }
}
