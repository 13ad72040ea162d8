import Foundation

extension GraphService {
    /// `GET /groups/{id}/members` and `/transitiveMembers`: the users in a group, each with `@odata.type`
    /// (directory objects of several types share these collections). Nested groups are expanded for
    /// `transitiveMembers` and listed as groups for `members`.
    func listGroupMembers(_ call: GraphCall, groupId: String, transitive: Bool) throws -> HTTPResponse {
        guard let group = state.groups[groupId.lowercased()] else { throw GraphError.notFound(groupId) }
        let names = try UserJSON.properties.resolve(call.query.select)
        try rejectUnsupported(call.query)
        let size = min(try call.query.pageSize(default: 100, max: 999), options.pageCapUsers)

        var userIds = Set<String>()
        var visited = Set<String>()
        var queue = [group]
        while let current = queue.popLast() {
            guard visited.insert(current.id.lowercased()).inserted else { continue }
            for member in current.memberIds {
                if let nested = state.groups[member.lowercased()] {
                    if transitive { queue.append(nested) }
                } else {
                    userIds.insert(member.lowercased())
                }
            }
        }
        let members = userIds.compactMap { state.user($0) }.sorted { $0.id < $1.id }
        let page = try page(members, key: \.id, call: call, collection: "groups/\(group.id)/\(transitive ? "transitiveMembers" : "members")", size: size)
        return collectionResponse(context: "directoryObjects", values: page.items.map { owner($0, names) }, nextLink: page.nextLink)
    }
}
