import Foundation

/// What the identity reports (`/auditLogs/directoryAudits`, `/auditLogs/provisioning`) share: activityDateTime
/// comparisons in `$filter`, the `$orderby` they accept, and keys that page newest-first or oldest-first.
enum ReportQuery {
    /// A predicate over a timestamp for `activityDateTime {op} value`; the value may be quoted or not.
    static func dateComparison(_ op: String, _ value: FilterValue, property: String) throws -> (Date) -> Bool {
        let text: String
        switch value {
        case .literal(let literal): text = literal
        case .string(let quoted): text = quoted
        }
        guard let bound = GraphTime.parse(text) else {
            throw GraphError.badRequest("Invalid filter clause: '\(text)' is not a valid DateTimeOffset.")
        }
        switch op {
        case "ge": return { $0 >= bound }
        case "gt": return { $0 > bound }
        case "le": return { $0 <= bound }
        case "lt": return { $0 < bound }
        case "eq": return { $0 == bound }
        default: throw FilterParser.unsupported("\(property) \(op) \(text)")
        }
    }

    /// True for `$orderby=activityDateTime asc` (or bare); false for none or `desc`, the reports' default order.
    static func ascending(_ orderBy: String?) throws -> Bool {
        switch orderBy?.lowercased().split(separator: " ").map(String.init) {
        case nil, ["activitydatetime", "desc"]: return false
        case ["activitydatetime"], ["activitydatetime", "asc"]: return true
        default: throw GraphError.unsupportedQuery("Sorting is supported only on activityDateTime.")
        }
    }

    /// A keyset paging key that sorts like the served order: ticks (inverted when newest-first), then the id.
    static func key(_ time: Date, id: String, ascending: Bool) -> String {
        let ticks = Int64((time.timeIntervalSince1970 * 10_000_000).rounded())
        return String(ascending ? ticks : Int64.max - ticks).leftPadded(to: 20) + id
    }
}

extension GraphService {
    /// One page of a report: filtered by `predicates`, newest first unless `$orderby=activityDateTime asc`,
    /// `$top` up to 1000 (the reports' maximum; the emulator's user page cap stands in for the service's).
    /// `events` must be ascending by (time, id).
    func reportPage<Event>(_ events: [Event], call: GraphCall, collection: String, predicates: [(Event) -> Bool],
                           time: (Event) -> Date, id: (Event) -> String) throws -> (items: [Event], nextLink: String?) {
        try rejectUnsupported(call.query, allowOrderBy: true)
        let ascending = try ReportQuery.ascending(call.query.orderBy)
        let size = min(try call.query.pageSize(default: 1000, max: 1000), options.pageCapUsers)
        let matching = events.filter { event in predicates.allSatisfy { $0(event) } }
        let ordered = ascending ? matching : matching.reversed()
        return try page(ordered, key: { ReportQuery.key(time($0), id: id($0), ascending: ascending) }, call: call,
                        collection: collection, size: size)
    }
}
