import Foundation

/// `servicePrincipals(appId='…')`, the alternate key Graph documents next to `/servicePrincipals/{id}`.
enum ServicePrincipalKey {
    static func appId(in segment: String) -> String? {
        let prefix = "serviceprincipals(appid="
        guard segment.lowercased().hasPrefix(prefix), segment.hasSuffix(")") else { return nil }
        return segment.dropFirst(prefix.count).dropLast().trimmingCharacters(in: CharacterSet(charactersIn: "'"))
    }
}

/// Routes under `/servicePrincipals`: the collection, one object, its `appRoleAssignedTo` and its provisioning
/// (`synchronization/jobs`).
extension GraphService {
    func routeServicePrincipals(_ call: GraphCall, _ rest: [String]) throws -> HTTPResponse {
        guard let key = rest.first else {
            try call.require("GET")
            return try listServicePrincipals(call)
        }
        let tail = Array(rest.dropFirst())
        if let index = state.servicePrincipalIndex[key.lowercased()] {
            return try routeServicePrincipal(call, index: index, tail)
        }
        // Tenants built without service principal objects still serve the assignments that name a resource id.
        if tail.first?.lowercased() == "approleassignedto", !state.assignments(ofResource: key).isEmpty {
            return try routeAssignedTo(call, resourceId: key, tail)
        }
        if key.hasPrefix("$") { throw GraphError.segmentNotFound(key) }
        throw GraphError.notFound(key)
    }

    func routeServicePrincipal(_ call: GraphCall, index: Int, _ rest: [String]) throws -> HTTPResponse {
        let principal = state.servicePrincipals[index]
        switch rest.map({ $0.lowercased() }) {
        case []:
            try call.require("GET")
            let names = try ServicePrincipalJSON.properties.resolve(call.query.select)
            let context: JSONMembers = [("@odata.context", .string(Self.metadataBase + context("servicePrincipals", names, call.query) + "/$entity"))]
            return GraphJSON.response(200, .object(context + ServicePrincipalJSON.render(principal, names)))
        case let path where path.first == "approleassignedto":
            return try routeAssignedTo(call, resourceId: principal.id, rest)
        case ["synchronization", "jobs"]:
            try call.require("GET")
            let jobs = state.synchronizationJobs[principal.id.lowercased()] ?? []
            return collectionResponse(context: "servicePrincipals('\(principal.id)')/synchronization/jobs",
                                      values: jobs.map { .object(ServicePrincipalJSON.job($0)) }, nextLink: nil)
        case let path where path.count == 3 && path[0] == "synchronization" && path[1] == "jobs":
            try call.require("GET")
            guard let job = state.synchronizationJobs[principal.id.lowercased()]?.first(where: { $0.id.lowercased() == path[2] }) else {
                throw GraphError.notFound(rest[2])
            }
            let context: JSONMembers = [("@odata.context", .string(Self.metadataBase + "servicePrincipals('\(principal.id)')/synchronization/jobs/$entity"))]
            return GraphJSON.response(200, .object(context + ServicePrincipalJSON.job(job)))
        default:
            throw GraphError.segmentNotFound(rest.last ?? principal.id)
        }
    }

    /// `GET …/appRoleAssignedTo` lists every assignment to the resource; `DELETE …/appRoleAssignedTo/{id}` removes
    /// one, whoever holds it (user, group or service principal), as graph.md 3 documents.
    private func routeAssignedTo(_ call: GraphCall, resourceId: String, _ rest: [String]) throws -> HTTPResponse {
        switch rest.count {
        case 1:
            try call.require("GET")
            return try listAssignments(call, state.assignments(ofResource: resourceId),
                                       collection: "servicePrincipals/\(resourceId)/appRoleAssignedTo")
        case 2:
            try call.require("DELETE")
            guard let assignment = state.assignments[rest[1].lowercased()],
                  assignment.resourceId.lowercased() == resourceId.lowercased() else { throw GraphError.notFound(rest[1]) }
            state.removeAssignment(id: assignment.id)
            return HTTPResponse(status: 204)
        default:
            throw GraphError.segmentNotFound(rest.last ?? resourceId)
        }
    }

    /// `GET /servicePrincipals`: `$select`, `$top`, `$count` (with ConsistencyLevel) and `$filter` on id, appId,
    /// displayName, servicePrincipalType (eq) and accountEnabled (eq true|false), joined with `and`.
    func listServicePrincipals(_ call: GraphCall) throws -> HTTPResponse {
        let names = try ServicePrincipalJSON.properties.resolve(call.query.select)
        let predicates = try servicePrincipalPredicates(call.query.filter)
        try rejectUnsupported(call.query)
        let size = min(try call.query.pageSize(default: 100, max: 999), options.pageCapUsers)
        let include: (EmulatedServicePrincipal) -> Bool = { principal in predicates.allSatisfy { $0(principal) } }
        let page = try page(state.servicePrincipals, key: \.id, call: call, collection: "servicePrincipals", size: size,
                            include: include)
        let count = wantsCount(call) ? state.servicePrincipals.lazy.filter(include).count : nil
        return collectionResponse(context: context("servicePrincipals", names, call.query),
                                  values: page.items.map { .object(ServicePrincipalJSON.render($0, names)) },
                                  nextLink: page.nextLink, count: count)
    }

    private func servicePrincipalPredicates(_ filter: String?) throws -> [(EmulatedServicePrincipal) -> Bool] {
        guard let filter else { return [] }
        return try FilterParser.parse(filter).map { clause in
            guard case .compare(let property, "eq", let value) = clause else { throw FilterParser.unsupported(filter) }
            let name = try ServicePrincipalJSON.properties.resolve([property])?.first ?? property
            switch (name, value) {
            // Directory ids and appIds compare case-insensitively, as GUIDs do in Graph.
            case ("id", .string(let wanted)): return { $0.id.lowercased() == wanted.lowercased() }
            case ("appId", .string(let wanted)): return { $0.appId.lowercased() == wanted.lowercased() }
            case ("displayName", .string(let wanted)): return { $0.displayName == wanted }
            case ("servicePrincipalType", .string(let wanted)): return { $0.servicePrincipalType == wanted }
            case ("accountEnabled", .literal(let literal)):
                guard let wanted = Bool(literal.lowercased()) else { throw FilterParser.unsupported(filter) }
                return { $0.accountEnabled == wanted }
            default:
                throw GraphError.unsupportedQuery(
                    "Unsupported or invalid query filter clause specified for property '\(property)' of resource 'ServicePrincipal'.")
            }
        }
    }
}
