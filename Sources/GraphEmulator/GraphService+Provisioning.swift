import Foundation

extension GraphService {
    /// `GET /auditLogs/provisioning` (graph.md 2.6): newest first unless `$orderby=activityDateTime asc`; `$top` up
    /// to 1000, as for the other identity reports; `$select` on the top-level properties; keyset nextLinks.
    func listProvisioningEvents(_ call: GraphCall) throws -> HTTPResponse {
        let names = try ProvisioningJSON.properties.resolve(call.query.select)
        let page = try reportPage(state.provisioningEvents, call: call, collection: "auditLogs/provisioning",
                                  predicates: try provisioningPredicates(call.query.filter), time: \.activityDateTime, id: \.id)
        let values = page.items.map { event in
            let appId = state.servicePrincipalIndex[event.servicePrincipalId.lowercased()].map { state.servicePrincipals[$0].appId }
            return ProvisioningJSON.record(event, names: names, tenantId: options.tenantGUID, appId: appId)
        }
        return collectionResponse(context: "auditLogs/provisioning", values: values, nextLink: page.nextLink)
    }

    /// The filterable attributes of the documented table a reconciler needs, with `eq` (ids compare
    /// case-insensitively, the rest case-sensitively except status, as documented) and activityDateTime ranges.
    /// The table lists `eq, gt, lt` for activityDateTime; `ge` and `le` are served too, since scripts in the
    /// wild use `activityDateTime ge …` against the service.
    private func provisioningPredicates(_ filter: String?) throws -> [(EmulatedProvisioningEvent) -> Bool] {
        guard let filter else { return [] }
        return try FilterParser.parse(filter).map { clause in
            guard case .compare(let property, let op, let value) = clause else { throw Self.unsupportedProvisioningFilter(filter) }
            if property.lowercased() == "activitydatetime" {
                let matches = try ReportQuery.dateComparison(op, value, property: property)
                return { matches($0.activityDateTime) }
            }
            guard op == "eq", case .string(let wanted) = value else { throw Self.unsupportedProvisioningFilter(filter) }
            let id = wanted.lowercased()
            switch property.lowercased() {
            case "id": return { $0.id.lowercased() == id }
            case "jobid": return { $0.jobId == wanted }
            case "cycleid": return { $0.cycleId == wanted }
            case "changeid": return { $0.changeId == wanted }
            case "provisioningaction": return { $0.action == wanted }
            case "provisioningstatusinfo/status": return { $0.status.lowercased() == id }
            case "serviceprincipal/id": return { $0.servicePrincipalId.lowercased() == id }
            case "serviceprincipal/displayname": return { $0.servicePrincipalName == wanted }
            case "sourceidentity/id": return { $0.userId.lowercased() == id }
            case "sourceidentity/displayname": return { $0.userDisplayName == wanted }
            case "targetidentity/id": return { $0.targetId.lowercased() == id }
            default: throw Self.unsupportedProvisioningFilter(filter)
            }
        }
    }

    private static func unsupportedProvisioningFilter(_ filter: String) -> GraphError {
        GraphError.unsupportedQuery("Unsupported or invalid query filter clause specified for provisioning logs: '\(filter)'.")
    }
}
