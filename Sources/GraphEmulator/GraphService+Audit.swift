import Foundation

extension GraphService {
    /// `GET /auditLogs/directoryAudits`: newest first unless `$orderby=activityDateTime asc`.
    func listDirectoryAudits(_ call: GraphCall) throws -> HTTPResponse {
        let page = try reportPage(state.auditEvents, call: call, collection: "auditLogs/directoryAudits",
                                  predicates: try auditPredicates(call.query.filter), time: \.activityDateTime, id: \.id)
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
                let matches = try ReportQuery.dateComparison(op, value, property: property)
                return { matches($0.activityDateTime) }
            default:
                throw GraphError.unsupportedQuery("Unsupported or invalid query filter clause specified for directoryAudits.")
            }
        }
    }
}
