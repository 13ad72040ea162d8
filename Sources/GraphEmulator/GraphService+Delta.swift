import Foundation

/// `GET /users/delta` and `GET /devices/delta` (graph.md 2.3).
///
/// The first round lists every object (id + selected properties) in pages of `pageCapDelta`, linked by
/// `@odata.nextLink` (`$skiptoken`), and ends with an `@odata.deltaLink` (`$deltatoken`). Following a deltaLink
/// starts a round over the change log: only objects with a change to a tracked property (the `$select` list,
/// or the default property set) since the previous round, or removed since. Objects are rendered as they are
/// now, so a change made during a round may be reported twice — Graph warns of such replays too.
extension GraphService {
    static let deltaTokenLifetime = 7 * 86_400

    func delta(_ call: GraphCall, _ collection: DirectoryCollection) throws -> HTTPResponse {
        let query = call.query
        for (option, value) in [("$top", query.top), ("$expand", query.expand), ("$orderby", query.orderBy),
                                ("$search", query.search), ("$count", query.count), ("$filter", query.filter)] where value != nil {
            throw GraphError.badRequest("The query option '\(option)' is not supported with delta queries on '\(collection.rawValue)'.")
        }
        let properties = collection == .users ? UserJSON.properties : DeviceJSON.properties
        let now = Int(call.now.timeIntervalSince1970)
        // Only a first call carries $select; links carry just their token.
        let select = query.select == nil ? "" : (try properties.resolve(query.select) ?? []).joined(separator: ",")
        var cursor: DeltaCursor
        if let token = query.deltaToken, token.lowercased() == "latest" {
            let latest = DeltaCursor(kind: .delta, collection: collection, select: select, from: state.changes.sequence,
                                     upTo: state.changes.sequence, afterKey: "", epoch: deltaEpoch, issuedAt: now)
            return deltaResponse(call, latest, values: [], more: false)
        } else if let token = query.deltaToken {
            let stored = try redeem(token, kind: .delta, collection: collection, now: now)
            cursor = DeltaCursor(kind: .skip, collection: collection, select: stored.select, from: stored.upTo,
                                 upTo: state.changes.sequence, afterKey: "", epoch: deltaEpoch, issuedAt: now)
        } else if let token = query.skipToken {
            cursor = try redeem(token, kind: .skip, collection: collection, now: now)
        } else {
            cursor = DeltaCursor(kind: .skip, collection: collection, select: select, from: -1,
                                 upTo: state.changes.sequence, afterKey: "", epoch: deltaEpoch, issuedAt: now)
        }
        var names = cursor.select.isEmpty ? (properties.defaults ?? properties.allNames)
                                          : cursor.select.split(separator: ",").map(String.init)
        names = ["id"] + names.filter { $0 != "id" }
        let size = options.pageCapDelta
        let (values, lastKey, more) = cursor.from < 0
            ? initialPage(collection, names: names, after: cursor.afterKey, size: size)
            : changesPage(collection, cursor, names: names, after: cursor.afterKey, size: size,
                          minimal: call.request.header("Prefer")?.lowercased().contains("return=minimal") == true)
        cursor.afterKey = lastKey ?? cursor.afterKey
        cursor.issuedAt = now
        return deltaResponse(call, cursor, values: values, more: more)
    }

    /// A token of the wrong kind or collection is a client bug (400); one this emulator cannot authenticate,
    /// one issued before the last expiry, or one older than 7 days has no sync state left: 410 Gone with
    /// `syncStateNotFound` and a `Location` to start over from.
    private func redeem(_ token: String, kind: DeltaCursor.Kind, collection: DirectoryCollection, now: Int) throws -> DeltaCursor {
        let restart = "\(baseURL)/v1.0/\(collection.rawValue)/delta"
        guard let cursor = deltaTokens.decode(token) else { throw Self.syncStateNotFound(location: restart) }
        guard cursor.kind == kind, cursor.collection == collection else {
            throw GraphError.badRequest("The \(kind == .delta ? "$deltatoken" : "$skiptoken") was not issued for this delta query. Follow the links as returned.")
        }
        let location = cursor.select.isEmpty ? restart : restart + "?$select=" + URLCoding.encodeQueryComponent(cursor.select)
        guard cursor.epoch == deltaEpoch, now - cursor.issuedAt <= Self.deltaTokenLifetime else {
            throw Self.syncStateNotFound(location: location)
        }
        return cursor
    }

    private static func syncStateNotFound(location: String) -> GraphError {
        GraphError(status: 410, code: "syncStateNotFound",
                   message: "The sync state of this delta token was not found or has expired. Start a full synchronization from the Location URL.",
                   headers: [HTTPHeader(name: "Location", value: location)])
    }

    /// Round one: every object, ascending by id, after the last one delivered.
    private func initialPage(_ collection: DirectoryCollection, names: [String], after: String, size: Int)
        -> (values: [JSONValue], lastKey: String?, more: Bool) {
        switch collection {
        case .users:
            let slice = Self.keysetSlice(state.users, after: after, size: size, key: \.id)
            return (slice.items.map { .object(UserJSON.render($0, names)) }, slice.items.last?.id, slice.more)
        case .devices:
            let slice = Self.keysetSlice(state.devices, after: after, size: size, key: \.id)
            return (slice.items.map { .object(DeviceJSON.render($0, names)) }, slice.items.last?.id, slice.more)
        }
    }

    /// Later rounds: objects changed in the cursor's window whose changes touch a tracked property.
    private func changesPage(_ collection: DirectoryCollection, _ cursor: DeltaCursor, names: [String], after: String,
                             size: Int, minimal: Bool) -> (values: [JSONValue], lastKey: String?, more: Bool) {
        let tracked = Set(names)
        let cacheKey = "\(collection.rawValue)|\(cursor.from)|\(cursor.upTo)|\(names.joined(separator: ","))"
        let window: [ChangeLog.Summary]
        if let cached = deltaWindowCache, cached.key == cacheKey {
            window = cached.changes
        } else {
            window = state.changes.summaries(of: collection, after: cursor.from, upTo: cursor.upTo).values
                .filter { $0.removal != nil || !$0.properties.isDisjoint(with: tracked) }
                .sorted { $0.id < $1.id }
            deltaWindowCache = (cacheKey, window)
        }
        let slice = Self.keysetSlice(window, after: after, size: size, key: \.id)
        let values = slice.items.map { change -> JSONValue in
            let shown = minimal ? names.filter { $0 == "id" || change.properties.contains($0) } : names
            switch collection {
            case .users:
                if change.removal == nil, let user = state.user(change.id) { return .object(UserJSON.render(user, shown)) }
                return Self.removed(change.id, reason: change.removal ?? "changed")
            case .devices:
                if change.removal == nil, let index = state.deviceIndex(objectId: change.id) {
                    return .object(DeviceJSON.render(state.devices[index], shown))
                }
                return Self.removed(change.id, reason: change.removal ?? "deleted")
            }
        }
        return (values, slice.items.last?.id, slice.more)
    }

    private static func removed(_ id: String, reason: String) -> JSONValue {
        .object([("id", .string(id)), ("@removed", .object([("reason", .string(reason))]))])
    }

    /// Up to `size` items after `after` in an array sorted ascending by `key`, and whether more follow.
    private static func keysetSlice<Item>(_ items: [Item], after: String, size: Int, key: (Item) -> String)
        -> (items: ArraySlice<Item>, more: Bool) {
        var low = 0, high = items.count
        while low < high {
            let middle = (low + high) / 2
            if key(items[middle]) <= after { low = middle + 1 } else { high = middle }
        }
        let end = min(items.count, low + size)
        return (items[low..<end], end < items.count)
    }

    /// A page with `@odata.nextLink` while the round has more, else `@odata.deltaLink` for the next round.
    private func deltaResponse(_ call: GraphCall, _ cursor: DeltaCursor, values: [JSONValue], more: Bool) -> HTTPResponse {
        let entitySet = cursor.select.isEmpty ? cursor.collection.rawValue : "\(cursor.collection.rawValue)(\(cursor.select))"
        var body: JSONMembers = [("@odata.context", .string(Self.metadataBase + entitySet))]
        if more {
            var next = cursor
            next.kind = .skip
            body.append(("@odata.nextLink", .string(baseURL + call.rawPath + "?$skiptoken=" + deltaTokens.encode(next))))
        } else {
            let link = DeltaCursor(kind: .delta, collection: cursor.collection, select: cursor.select, from: cursor.upTo,
                                   upTo: cursor.upTo, afterKey: "", epoch: cursor.epoch, issuedAt: cursor.issuedAt)
            body.append(("@odata.deltaLink", .string(baseURL + call.rawPath + "?$deltatoken=" + deltaTokens.encode(link))))
        }
        body.append(("value", .array(values)))
        return GraphJSON.response(200, .object(body))
    }
}
