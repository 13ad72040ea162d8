import Foundation

extension GraphService {
    /// One page of `items`, which must be sorted ascending by `key`, resuming after the skiptoken's key.
    ///
    /// Keyset paging (not offsets) keeps pages stable when a write lands between two page requests, and
    /// `include` filters while scanning so `$filter` pages are full without materialising the whole set.
    /// With `endlessPaging` on, the last page still links on, to empty pages that link on forever.
    func page<Items: RandomAccessCollection>(
        _ items: Items, key: (Items.Element) -> String, call: GraphCall, collection: String, size: Int,
        include: (Items.Element) -> Bool = { _ in true }
    ) throws -> (items: [Items.Element], nextLink: String?) where Items.Index == Int {
        let canonical = call.query.canonical
        let scope = collection.lowercased()
        var start = items.startIndex
        if let token = call.query.skipToken {
            guard let position = skipTokens.decode(token, collection: scope, canonicalQuery: canonical) else {
                throw GraphError.badRequest("Invalid skip token: '\(token.prefix(40))'. Follow @odata.nextLink as returned.")
            }
            var high = items.endIndex
            while start < high {
                let middle = (start + high) / 2
                if key(items[middle]) <= position.afterKey { start = middle + 1 } else { high = middle }
            }
        }
        var found: [Items.Element] = []
        found.reserveCapacity(min(size, items.count))
        var more = false
        var index = start
        while index < items.endIndex {
            let item = items[index]
            index += 1
            guard include(item) else { continue }
            if found.count == size {
                more = true
                break
            }
            found.append(item)
        }
        if more, let last = found.last {
            let token = skipTokens.encode(.init(collection: scope, afterKey: key(last), canonicalQuery: canonical))
            return (found, nextLink(call, token: token))
        }
        guard endlessPaging else { return (found, nil) }
        // Everything was scanned: resuming after the last item yields an empty page, which links on again.
        endlessSerial += 1
        let token = skipTokens.encode(.init(collection: scope, afterKey: items.last.map(key) ?? "",
                                            canonicalQuery: canonical, serial: endlessSerial))
        return (found, nextLink(call, token: token))
    }

    /// The whole nextLink: this emulator's base URL, the path as sent, the original options, then `$skiptoken`.
    private func nextLink(_ call: GraphCall, token: String) -> String {
        var parts = call.query.carried.map {
            "\(URLCoding.encodeQueryComponent($0.0))=\(URLCoding.encodeQueryComponent($0.1))"
        }
        parts.append("$skiptoken=\(token)")
        return baseURL + call.rawPath + "?" + parts.joined(separator: "&")
    }

    /// A collection page: `@odata.context` always, `@odata.nextLink` while more remain, `@odata.count` on request.
    func collectionResponse(context: String, values: [JSONValue], nextLink: String?, count: Int? = nil) -> HTTPResponse {
        var body: JSONMembers = [("@odata.context", .string(Self.metadataBase + context))]
        if let count { body.append(("@odata.count", .int(count))) }
        if let nextLink { body.append(("@odata.nextLink", .string(nextLink))) }
        body.append(("value", .array(values)))
        return GraphJSON.response(200, .object(body))
    }

    /// `$count=true` is honoured only with `ConsistencyLevel: eventual` and only on page 1, as Graph does.
    func wantsCount(_ call: GraphCall) -> Bool {
        isAdvancedQuery(call) && call.query.skipToken == nil
    }

    /// This request (any page) carries both `ConsistencyLevel: eventual` and `$count=true`.
    func isAdvancedQuery(_ call: GraphCall) -> Bool {
        call.query.count?.lowercased() == "true"
            && call.request.header("ConsistencyLevel")?.trimmingCharacters(in: .whitespaces).lowercased() == "eventual"
    }

    /// Options this emulator does not serve on a collection; better a loud 400 than a silently ignored option.
    func rejectUnsupported(_ query: ODataQuery, allowOrderBy: Bool = false, allowExpand: Bool = false) throws {
        if query.search != nil {
            throw GraphError.badRequest("Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'")
        }
        if query.orderBy != nil && !allowOrderBy { throw GraphError.unsupportedQuery("Sorting not supported for current query.") }
        if let expand = query.expand, !allowExpand {
            throw GraphError.badRequest("Could not find a navigation property named '\(expand)'.")
        }
    }
}
