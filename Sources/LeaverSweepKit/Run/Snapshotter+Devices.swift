import Foundation
import LeaverSweepCore

extension Snapshotter {
    struct DevicesRead: CollectionRead {
        var full: Bool
        /// Devices whose owners must be read one by one: new in tonight's delta, or left over by a killed run.
        var needOwners: [String] = []
        var warning: String?
    }

    /// Reads devices in 16 shards at once, by the first hex digit of `deviceId`.
    static let shards = Array("0123456789abcdef").map(String.init)

    func readDevices(runStart: Date) throws -> DevicesRead {
        try readIncrementally("devices", runStart: runStart, delta: readDevicesDelta, full: { try readDevicesFull(runStart: runStart) })
    }

    /// With `$expand=registeredOwners` Graph caps pages at 100 devices, so one chain of nextLinks for 150,000 devices
    /// is 1,500 round trips in a row. Sharding by `startswith(deviceId,…)` runs 16 shorter chains side by side; the
    /// shards are then checked against `/devices/$count`, and a device no shard matched (no deviceId, say) sends the
    /// night back to one plain chain rather than missing it.
    private func readDevicesFull(runStart: Date) throws -> DevicesRead {
        let started = Date()
        let link = latestDeltaLink("devices", select: DevicePayload.select)
        var warning: String?
        try store.beginStaging([.devices, .deviceOwners])
        do {
            try ParallelWork.forEach(Self.shards, threads: Self.shards.count) { prefix in
                try readDevicePages(filter: "startswith(deviceId,'\(prefix)')")
            }
            let staged = try store.stagedCount(.devices)
            let expected = try deviceCount()
            if staged < expected {
                warning = "device shards held \(staged) of \(expected) devices; read them again in one pass"
                try store.beginStaging([.devices, .deviceOwners])
                try readDevicePages(filter: nil)
            }
        } catch RunFailure.graph(let error) where error.info.httpStatus == 400 {
            log.info("sharded device read refused (\(error.info.code ?? "400")); reading devices in one pass")
            try store.beginStaging([.devices, .deviceOwners])
            try readDevicePages(filter: nil)
        }
        if let warning { log.warning(warning) }
        var sync = ["devices_full_at": GraphTimestamp.format(runStart), "devices_pending_owners": "[]"]
        sync["devices_delta_link"] = link
        if link == nil { try store.clearSyncValue("devices_delta_link") }
        try store.commitStaging([.devices, .deviceOwners], syncValues: sync)
        log.debug("snapshot: devices read in full, \(RunLog.elapsed(since: started))")
        return DevicesRead(full: true)
    }

    private func readDevicePages(filter: String?) throws {
        var query = [("$select", DevicePayload.select), ("$expand", "registeredOwners($select=id)"), ("$top", "999")]
        if let filter { query.insert(("$filter", filter), at: 0) }
        try graph.forEachPage(GraphQuery.path("/devices", query), as: DevicePayload.self) { page in
            try stopIfAsked()
            try store.stageDevices(page.map { try $0.model() })
        }
    }

    /// `GET /devices/$count` is an advanced query: it needs `ConsistencyLevel: eventual` and answers in plain text.
    private func deviceCount() throws -> Int {
        let response = try graph.send("GET", "/devices/$count", headers: [("ConsistencyLevel", "eventual")])
        let text = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let count = Int(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text) else {
            throw RunFailure.unexpectedResponse("Graph GET /devices/$count answered \"\(text.prefix(40))\", not a number (request-id \(response.requestId ?? "none"))")
        }
        return count
    }

    private func readDevicesDelta(_ link: String) throws -> DevicesRead {
        var latest: [String: DeltaEntry<DevicePayload>] = [:]
        var order: [String] = []
        let next = try graph.readDelta(link, collection: "devices", as: DevicePayload.self) { page in
            try stopIfAsked()
            for entry in page {
                if latest.updateValue(entry, forKey: entry.id) == nil { order.append(entry.id) }
            }
        }
        let entries = order.compactMap { latest[$0] }
        let changed = try entries.filter { $0.removed == nil }.map { try $0.payload.model() }
        let removed = entries.filter { $0.removed != nil }.map(\.id)
        // The owners of known devices are kept; new devices get theirs read one by one after the snapshot.
        let pending = try pendingIds("devices_pending_owners")
        let added = try store.applyDeviceChanges(changed, removed: removed) { added in
            ["devices_delta_link": next, "devices_pending_owners": Self.encodeIds(Array(Set(pending + added)).sorted())]
        }
        let needOwners = Array(Set(pending + added)).sorted()
        log.debug("snapshot: devices delta with \(entries.count) changes, \(added.count) new")
        return DevicesRead(full: false, needOwners: needOwners)
    }
}
