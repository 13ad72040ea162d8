import Foundation
import LeaverSweepCore

extension Snapshotter {
    /// Reads that are one request per user, sent in JSON batches: details of users the delta said changed, and app
    /// access (of every disabled user after a full read, else of the changed ones). They need only the users, so they
    /// start as soon as the users are read, while the devices may still be on the wire. App role assignments need
    /// `ConsistencyLevel: eventual` + `$count` to include group-inherited ones; the header goes inside the batch
    /// item, where Graph reads it.
    func readUserObjects(_ users: UsersRead) throws {
        try stopIfAsked()
        let accessUsers = users.full ? try store.disabledUserIds() : users.access
        var items = users.details.map { GraphBatchItem.user($0) }
        for id in accessUsers {
            let user = GraphQuery.segment(id)
            items.append(GraphBatchItem("GET", "/users/\(user)/appRoleAssignments?$count=true&$top=999", headers: [("ConsistencyLevel", "eventual")]))
            items.append(GraphBatchItem("GET", "/users/\(user)/oauth2PermissionGrants?$top=999"))
        }
        let results = graph.batch(items)

        var refreshed: [DirectoryUser] = []
        var gone: [String] = []
        for (id, result) in zip(users.details, results) {
            guard let response = try Self.found(result) else { gone.append(id); continue }
            refreshed.append(try Self.decode(UserPayload.self, response, what: "user \(id)").model())
        }
        try store.replaceUsers(refreshed)
        try store.removeUsers(gone)

        if users.full { try store.beginStaging([.appRoleAssignments, .grants]) }
        let access = Array(results.dropFirst(users.details.count))
        for (offset, userId) in accessUsers.enumerated() {
            guard let assignmentsResponse = try Self.found(access[offset * 2]), let grantsResponse = try Self.found(access[offset * 2 + 1]) else {
                continue  // deleted since the users snapshot: nothing left to hold access
            }
            let assignments = try collect(AppRoleAssignmentPayload.self, assignmentsResponse, path: "/users/\(userId)/appRoleAssignments",
                                          headers: [("ConsistencyLevel", "eventual")]).map { $0.model(userId: userId) }
            let grants = try collect(GrantPayload.self, grantsResponse, path: "/users/\(userId)/oauth2PermissionGrants").map { $0.model() }
            if users.full {
                try store.stageAppAccess(userId: userId, assignments: assignments, grants: grants)
            } else {
                try store.replaceAppAccess(userId: userId, assignments: assignments, grants: grants)
            }
        }
        if users.full { try store.commitStaging([.appRoleAssignments, .grants]) }
        try store.setSyncValues(["users_pending_refresh": "[]"])
        log.debug("snapshot: \(items.count) per-user reads in batches")
    }

    /// Owners of the devices tonight's delta brought (or a killed run left), one request each, in JSON batches.
    func readDeviceOwners(_ devices: DevicesRead) throws {
        try stopIfAsked()
        let results = graph.batch(devices.needOwners.map { GraphBatchItem("GET", "/devices/\(GraphQuery.segment($0))/registeredOwners?$select=id") })
        var owners: [String: [String]] = [:]
        for (id, result) in zip(devices.needOwners, results) {
            guard let response = try Self.found(result) else { continue }  // deleted since the delta
            owners[id] = try collect(OwnerPayload.self, response, path: "/devices/\(id)/registeredOwners")
                .filter { $0.type == nil || $0.type == "#microsoft.graph.user" }.map(\.id)
        }
        try store.setDeviceOwners(owners)
        try store.setSyncValues(["devices_pending_owners": "[]"])
    }

    /// The response, nil for 404 (the object is gone), or the error.
    static func found(_ result: Result<GraphResponse, Error>) throws -> GraphResponse? {
        switch result {
        case .success(let response): return response
        case .failure(RunFailure.graph(let error)) where error.info.httpStatus == 404: return nil
        case .failure(let error): throw error
        }
    }

    static func decode<Item: Decodable>(_: Item.Type, _ response: GraphResponse, what: String) throws -> Item {
        do {
            return try JSONDecoder().decode(Item.self, from: response.body)
        } catch {
            throw RunFailure.unexpectedResponse("Graph returned \(what) in a form LeaverSweep could not read (request-id \(response.requestId ?? "none")): \(DecodingErrorText.describe(error))")
        }
    }

    /// A collection's first page came back inside a batch; any further pages are read directly.
    func collect<Item: Decodable & Sendable>(_: Item.Type, _ response: GraphResponse, path: String, headers: [(String, String)] = []) throws -> [Item] {
        let page = try Self.decode(GraphPage<Item>.self, response, what: "a page of \(path)")
        var items = page.value
        if let next = page.nextLink {
            try graph.forEachPage(next, as: Item.self, headers: headers) { items += $0 }
        }
        return items
    }
}
