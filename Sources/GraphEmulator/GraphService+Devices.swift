import Foundation

/// A `$filter` on `/devices`: `accountEnabled eq true|false` and `startswith(deviceId,'prefix')`, alone or
/// joined with `and`. The prefix match is case-insensitive, as Graph's string comparisons are.
struct DeviceFilter {
    var accountEnabled: Bool?
    /// Lower-cased; nil when the filter has no startswith clause.
    var deviceIdPrefix: String?

    init(_ filter: String?) throws {
        guard let filter else { return }
        for clause in try FilterParser.splitOnAnd(filter) {
            if clause.lowercased().hasPrefix("startswith(") {
                guard deviceIdPrefix == nil else { throw FilterParser.unsupported(filter) }
                deviceIdPrefix = try Self.startsWithPrefix(clause)
            } else {
                guard accountEnabled == nil else { throw FilterParser.unsupported(filter) }
                accountEnabled = try FilterClause.accountEnabled(in: clause, type: "Device", properties: DeviceJSON.properties)
            }
        }
    }

    func includes(_ device: EmulatedDevice) -> Bool {
        if let accountEnabled, device.accountEnabled != accountEnabled { return false }
        if let deviceIdPrefix, !device.deviceId.lowercased().hasPrefix(deviceIdPrefix) { return false }
        return true
    }

    /// `startswith(deviceId,'ab')` (spaces allowed after the comma) → `ab`.
    private static func startsWithPrefix(_ clause: String) throws -> String {
        let inner = clause.dropFirst("startswith(".count)
        guard inner.hasSuffix(")"), let comma = inner.firstIndex(of: ",") else { throw FilterParser.unsupported(clause) }
        let property = inner[..<comma].trimmingCharacters(in: .whitespaces)
        let literal = inner[inner.index(after: comma)...].dropLast().trimmingCharacters(in: .whitespaces)
        _ = try DeviceJSON.properties.resolve([property])
        guard property.lowercased() == "deviceid" else {
            throw GraphError.unsupportedQuery(
                "Unsupported or invalid query filter clause specified for property '\(property)' of resource 'Device'.")
        }
        guard literal.count >= 2, literal.hasPrefix("'"), literal.hasSuffix("'") else { throw FilterParser.unsupported(clause) }
        return String(literal.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'").lowercased()
    }
}

extension GraphService {
    /// `GET /devices`, optionally one shard of it: with `startswith(deviceId,'a')` only the devices whose
    /// deviceId starts with that character are scanned (a prebuilt index), so paging a shard of a 150k-device
    /// tenant never walks the other shards.
    func listDevices(_ call: GraphCall) throws -> HTTPResponse {
        let names = try DeviceJSON.properties.resolve(call.query.select)
        let filter = try DeviceFilter(call.query.filter)
        try rejectUnsupported(call.query, allowExpand: true)
        let ownerNames = try ownerExpansion(call.query.expand)
        let cap = ownerNames == nil ? options.pageCapDevices : options.pageCapWithExpand
        let size = min(try call.query.pageSize(default: 100, max: 999), cap)
        let devices = state.devices
        guard let initial = filter.deviceIdPrefix?.first.map(String.init) else {
            return try devicePage(call, devices, filter: filter, names: names, owners: ownerNames, size: size)
        }
        let shard = state.deviceLookup.positions(deviceIdInitial: initial).lazy.map { devices[$0] }
        return try devicePage(call, shard, filter: filter, names: names, owners: ownerNames, size: size)
    }

    private func devicePage<Devices: RandomAccessCollection>(
        _ call: GraphCall, _ devices: Devices, filter: DeviceFilter, names: [String]?, owners: [String]??, size: Int
    ) throws -> HTTPResponse where Devices.Element == EmulatedDevice, Devices.Index == Int {
        let page = try page(devices, key: \.id, call: call, collection: "devices", size: size, include: filter.includes)
        let count = wantsCount(call) ? devices.lazy.filter(filter.includes).count : nil
        let values = page.items.map { device in JSONValue.object(renderDevice(device, names, owners: owners)) }
        return collectionResponse(context: context("devices", names, call.query), values: values, nextLink: page.nextLink,
                                  count: count)
    }

    /// `GET /users/{id}/registeredDevices` and `/ownedDevices`: the user's devices as typed directory objects.
    /// (Graph documents these as delegated-only; admins' scripts call them anyway, so they are served.)
    func listUserDevices(_ call: GraphCall, index: Int, navigation: String) throws -> HTTPResponse {
        let names = try DeviceJSON.properties.resolve(call.query.select)
        try rejectUnsupported(call.query)
        let size = min(try call.query.pageSize(default: 100, max: 999), options.pageCapDevices)
        let user = state.users[index]
        let page = try page(state.devices(ownedBy: user.id), key: \.id, call: call,
                            collection: "users/\(user.id)/\(navigation)", size: size)
        let values = page.items.map { JSONValue.object([("@odata.type", .string("#microsoft.graph.device"))] + DeviceJSON.render($0, names)) }
        return collectionResponse(context: "directoryObjects", values: values, nextLink: page.nextLink)
    }

    /// `GET /users/$count` and `/devices/$count`: a bare number as text/plain, only as an advanced query
    /// (`ConsistencyLevel: eventual`); without the header Graph answers 400 "$count is not currently supported.".
    func countCollection(_ call: GraphCall, _ collection: DirectoryCollection) throws -> HTTPResponse {
        guard call.request.header("ConsistencyLevel")?.trimmingCharacters(in: .whitespaces).lowercased() == "eventual" else {
            throw GraphError.badRequest("$count is not currently supported.")
        }
        try rejectUnsupported(call.query)
        let count: Int
        switch collection {
        case .users:
            let enabled = try FilterClause.accountEnabled(in: call.query.filter, type: "User", properties: UserJSON.properties)
            count = enabled.map { wanted in state.users.lazy.filter { $0.accountEnabled == wanted }.count } ?? state.users.count
        case .devices:
            let filter = try DeviceFilter(call.query.filter)
            if let initial = filter.deviceIdPrefix?.first.map(String.init) {
                count = state.deviceLookup.positions(deviceIdInitial: initial).lazy.filter { filter.includes(self.state.devices[$0]) }.count
            } else {
                count = state.devices.lazy.filter(filter.includes).count
            }
        }
        return HTTPResponse(status: 200, headers: [HTTPHeader(name: "Content-Type", value: "text/plain")],
                            body: Data(String(count).utf8))
    }
}
