import Foundation

extension GraphService {
    /// `GET /auditLogs/directoryAudits`: newest first unless `$orderby=activityDateTime asc`.
    func listDirectoryAudits(_ call: GraphCall) throws -> HTTPResponse {
        let predicates = try auditPredicates(call.query.filter)
        try rejectUnsupported(call.query, allowOrderBy: true)
        let ascending: Bool
        switch call.query.orderBy?.lowercased().split(separator: " ").map(String.init) {
        case nil, ["activitydatetime", "desc"]: ascending = false
        case ["activitydatetime"], ["activitydatetime", "asc"]: ascending = true
        default: throw GraphError.unsupportedQuery("Sorting is supported only on activityDateTime.")
        }
        // Reports allow up to 1000 per page; the emulator's cap stands in for the service's.
        let size = min(try call.query.pageSize(default: 1000, max: 1000), options.pageCapUsers)
        let events = state.auditEvents.filter { event in predicates.allSatisfy { $0(event) } }
        let ordered = ascending ? events : events.reversed()
        let key: (EmulatedAuditEvent) -> String = { event in
            let ticks = Int64((event.activityDateTime.timeIntervalSince1970 * 10_000_000).rounded())
            return String(ascending ? ticks : Int64.max - ticks).leftPadded(to: 20) + event.id
        }
        let page = try page(ordered, key: key, call: call, collection: "auditLogs/directoryAudits", size: size)
        let values = page.items.map {
            AuditJSON.record($0, displayName: state.user($0.targetUserId)?.displayName, appId: options.clientId)
        }
        return collectionResponse(context: "auditLogs/directoryAudits", values: values, nextLink: page.nextLink)
    }

    /// The documented filterable fields this emulator serves: activityDisplayName, activityDateTime ranges,
    /// category, loggedByService and `targetResources/any(t:t/id eq '…')`, joined with `and`.
    private func auditPredicates(_ filter: String?) throws -> [(EmulatedAuditEvent) -> Bool] {
        guard let filter else { return [] }
        return try FilterParser.parse(filter).map { clause in
            switch clause {
            case .any(let collection, let member, let value)
                where collection.lowercased() == "targetresources" && member.lowercased() == "id":
                return { $0.targetUserId.lowercased() == value.lowercased() }
            case .compare(let property, "eq", .string(let value)) where property.lowercased() == "activitydisplayname":
                return { $0.activityDisplayName == value }
            case .compare(let property, "eq", .string(let value)) where property.lowercased() == "category":
                return { _ in value == "UserManagement" }
            case .compare(let property, "eq", .string(let value)) where property.lowercased() == "loggedbyservice":
                return { _ in value == "Core Directory" }
            case .compare(let property, let op, let value) where property.lowercased() == "activitydatetime":
                let text: String
                switch value {
                case .literal(let literal): text = literal
                case .string(let quoted): text = quoted
                }
                guard let bound = GraphTime.parse(text) else {
                    throw GraphError.badRequest("Invalid filter clause: '\(text)' is not a valid DateTimeOffset.")
                }
                switch op {
                case "ge": return { $0.activityDateTime >= bound }
                case "gt": return { $0.activityDateTime > bound }
                case "le": return { $0.activityDateTime <= bound }
                case "lt": return { $0.activityDateTime < bound }
                case "eq": return { $0.activityDateTime == bound }
                default: throw FilterParser.unsupported("\(property) \(op) \(text)")
                }
            default:
                throw GraphError.unsupportedQuery("Unsupported or invalid query filter clause specified for directoryAudits.")
            }
        }
    }
}
