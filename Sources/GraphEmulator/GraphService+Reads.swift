import Foundation

extension GraphService {
    func listUsers(_ call: GraphCall) throws -> HTTPResponse {
        let names = try UserJSON.properties.resolve(call.query.select)
        let enabled = try FilterClause.accountEnabled(in: call.query.filter, type: "User", properties: UserJSON.properties)
        try rejectUnsupported(call.query)
        let size = min(try call.query.pageSize(default: 100, max: 999), options.pageCapUsers)
        let include: (EmulatedUser) -> Bool = { enabled == nil || $0.accountEnabled == enabled }
        let page = try page(state.users, key: \.id, call: call, collection: "users", size: size, include: include)
        let count = wantsCount(call) ? state.users.lazy.filter(include).count : nil
        return collectionResponse(context: context("users", names, call.query), values: page.items.map { .object(UserJSON.render($0, names)) },
                                  nextLink: page.nextLink, count: count)
    }

    func getUser(_ call: GraphCall, index: Int) throws -> HTTPResponse {
        let names = try UserJSON.properties.resolve(call.query.select)
        let context: JSONMembers = [("@odata.context", .string(Self.metadataBase + context("users", names, call.query) + "/$entity"))]
        return GraphJSON.response(200, .object(context + UserJSON.render(state.users[index], names)))
    }

    func getDevice(_ call: GraphCall, index: Int) throws -> HTTPResponse {
        let names = try DeviceJSON.properties.resolve(call.query.select)
        let context: JSONMembers = [("@odata.context", .string(Self.metadataBase + context("devices", names, call.query) + "/$entity"))]
        return GraphJSON.response(200, .object(context + renderDevice(state.devices[index], names,
                                                                      owners: try ownerExpansion(call.query.expand))))
    }

    func listOwners(_ call: GraphCall, index: Int, navigation: String) throws -> HTTPResponse {
        let names = try UserJSON.properties.resolve(call.query.select)
        try rejectUnsupported(call.query)
        let size = min(try call.query.pageSize(default: 100, max: 999), options.pageCapUsers)
        let device = state.devices[index]
        let owners = device.registeredOwnerIds.compactMap { state.user($0) }.sorted { $0.id < $1.id }
        let page = try page(owners, key: \.id, call: call, collection: "devices/\(device.id)/\(navigation)", size: size)
        return collectionResponse(context: "directoryObjects", values: page.items.map { owner($0, names) },
                                  nextLink: page.nextLink)
    }

    func listAssignments(_ call: GraphCall, _ assignments: [EmulatedAppRoleAssignment], collection: String,
                         count: Int? = nil) throws -> HTTPResponse {
        try rejectUnsupported(call.query)
        let size = min(try call.query.pageSize(default: 100, max: 999), options.pageCapUsers)
        let page = try page(assignments, key: \.id, call: call, collection: collection, size: size)
        return collectionResponse(context: "appRoleAssignments", values: page.items.map(AppAccessJSON.assignment),
                                  nextLink: page.nextLink, count: count)
    }

    /// `GET /users/{id}/appRoleAssignments`: the user's own assignments and those made to groups the user is a
    /// direct member of (graph.md 2.5: "use `ConsistencyLevel: eventual` + `$count=true` for complete results").
    ///
    /// Our reading of that sentence, modelled strictly so clients that skip it are caught: without BOTH the
    /// `ConsistencyLevel: eventual` header and `$count=true`, group-inherited assignments are left out and only
    /// the user's own come back. The rule is applied per page request: `$count=true` travels in the nextLink but
    /// a header cannot, so a client must resend `ConsistencyLevel` on every page or later pages silently lose the
    /// group-inherited items. With both, page 1 also carries `@odata.count` (the total over all pages).
    func listUserAssignments(_ call: GraphCall, index: Int) throws -> HTTPResponse {
        let user = state.users[index]
        let assignments = state.assignments(ofUser: user.id, includeGroups: isAdvancedQuery(call))
        return try listAssignments(call, assignments, collection: "users/\(user.id)/appRoleAssignments",
                                   count: wantsCount(call) ? assignments.count : nil)
    }

    func listGrants(_ call: GraphCall, _ grants: [EmulatedGrant], collection: String) throws -> HTTPResponse {
        try rejectUnsupported(call.query)
        let size = min(try call.query.pageSize(default: 100, max: 999), options.pageCapUsers)
        let page = try page(grants, key: \.id, call: call, collection: collection, size: size)
        return collectionResponse(context: "oauth2PermissionGrants", values: page.items.map { .object(AppAccessJSON.grant($0)) },
                                  nextLink: page.nextLink)
    }

    // MARK: Rendering helpers

    /// `users(id,accountEnabled)` after a `$select`, plain `users` for the default property set, as Graph writes it.
    func context(_ entitySet: String, _ names: [String]?, _ query: ODataQuery) -> String {
        guard query.select != nil, let names else { return entitySet }
        return "\(entitySet)(\(names.joined(separator: ",")))"
    }

    /// Users reached through a navigation property carry their type, as directoryObjects do in Graph.
    func owner(_ user: EmulatedUser, _ names: [String]?) -> JSONValue {
        .object([("@odata.type", .string("#microsoft.graph.user"))] + UserJSON.render(user, names))
    }

    func renderDevice(_ device: EmulatedDevice, _ names: [String]?, owners ownerNames: [String]??) -> JSONMembers {
        var json = DeviceJSON.render(device, names)
        if let ownerNames {
            // Directory $expand returns at most 20 related objects and no nextLink for them.
            json.append(("registeredOwners", .array(device.registeredOwnerIds.prefix(20).compactMap { state.user($0) }
                .map { owner($0, ownerNames) })))
        }
        return json
    }

    /// Parses `$expand=registeredOwners` or `registeredOwners($select=a,b)`.
    /// Returns nil for no expansion, `.some(nil)` for the default owner properties, `.some(names)` for a selection.
    func ownerExpansion(_ expand: String?) throws -> [String]?? {
        guard let expand = expand?.trimmingCharacters(in: .whitespaces) else { return nil }
        let lowered = expand.lowercased()
        guard lowered.hasPrefix("registeredowners") || lowered.hasPrefix("registeredusers") else {
            throw GraphError.badRequest("Could not find a navigation property named '\(expand)' on type 'microsoft.graph.device'.")
        }
        let options = expand.drop { $0 != "(" }
        if options.isEmpty { return .some(UserJSON.properties.defaults) }
        guard options.hasSuffix(")") else { throw GraphError.badRequest("Syntax error in $expand: '\(expand)'.") }
        let inner = options.dropFirst().dropLast()
        let pairs = inner.split(separator: ";").map { URLCoding.parsePairs(String($0)) }.flatMap { $0 }
        let nested = ODataQuery(pairs)
        guard nested.filter == nil, nested.top == nil, nested.expand == nil else {
            throw GraphError.badRequest("Only $select is supported inside $expand=registeredOwners here.")
        }
        return .some(try UserJSON.properties.resolve(nested.select))
    }
}
