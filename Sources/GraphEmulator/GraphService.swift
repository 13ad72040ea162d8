import Foundation

/// One authenticated, un-faulted Graph call, already split into decoded path segments after `/v1.0`.
struct GraphCall {
    let method: String
    /// The path as sent (percent-encoded), reused when building nextLinks.
    let rawPath: String
    let segments: [String]
    let query: ODataQuery
    let request: HTTPRequest
    let now: Date

    func require(_ methods: String...) throws {
        guard methods.contains(method) else { throw GraphError.methodNotAllowed }
    }
}

/// Graph's routes over the tenant state. Not thread-safe: the emulator calls it with its lock held.
final class GraphService {
    var state: TenantState
    let options: EmulatorOptions
    let skipTokens = SkipTokenCodec()
    let deltaTokens = DeltaTokenCodec()
    /// Bumped by `POST /_emulator/expire-delta-tokens`: every delta token of an older epoch answers 410.
    var deltaEpoch = 0
    /// The last delta window's relevant changes, sorted by id, so paging one round does not rescan the log.
    var deltaWindowCache: (key: String, changes: [ChangeLog.Summary])?
    /// Set when the server binds; nextLinks must point back at this emulator, not at graph.microsoft.com.
    var baseURL = ""
    /// The endless-paging fault, copied from the emulator's fault plan before each call.
    var endlessPaging = false
    /// Numbers the endless pages so each nextLink carries a different token.
    var endlessSerial = 0

    /// `@odata.context` keeps Graph's real host: clients must never follow it.
    static let metadataBase = "https://graph.microsoft.com/v1.0/$metadata#"

    init(tenant: EmulatedTenant, options: EmulatorOptions) {
        state = TenantState(tenant)
        self.options = options
    }

    func handle(_ call: GraphCall) throws -> HTTPResponse {
        guard let first = call.segments.first else { throw GraphError.segmentNotFound("v1.0") }
        let rest = Array(call.segments.dropFirst())
        switch first.lowercased() {
        case "users":
            return try routeUsers(call, rest)
        case "devices":
            return try routeDevices(call, rest)
        case "auditlogs":
            guard rest.count == 1 else { throw GraphError.segmentNotFound(rest.first ?? first) }
            switch rest[0].lowercased() {
            case "directoryaudits":
                try call.require("GET")
                return try listDirectoryAudits(call)
            case "provisioning":
                try call.require("GET")
                return try listProvisioningEvents(call)
            default:
                throw GraphError.segmentNotFound(rest[0])
            }
        case "serviceprincipals":
            return try routeServicePrincipals(call, rest)
        case "oauth2permissiongrants":
            return try routeGrants(call, rest)
        case "groups":
            guard rest.count == 2, ["members", "transitivemembers"].contains(rest[1].lowercased()) else {
                throw GraphError.segmentNotFound(rest.last ?? first)
            }
            try call.require("GET")
            return try listGroupMembers(call, groupId: rest[0], transitive: rest[1].lowercased() == "transitivemembers")
        default:
            // The alternate key form `devices(deviceId='…')`.
            if first.lowercased().hasPrefix("devices(deviceid="), first.hasSuffix(")") {
                let key = first.dropFirst("devices(deviceId=".count).dropLast()
                let deviceId = key.trimmingCharacters(in: CharacterSet(charactersIn: "'"))
                guard let index = state.deviceIndex(deviceId: deviceId) else { throw GraphError.notFound(deviceId) }
                return try routeDevice(call, index: index, rest)
            }
            if let key = ServicePrincipalKey.appId(in: first) {
                guard let index = state.servicePrincipalByAppId[key.lowercased()] else { throw GraphError.notFound(key) }
                return try routeServicePrincipal(call, index: index, rest)
            }
            throw GraphError.segmentNotFound(first)
        }
    }

    private func routeGrants(_ call: GraphCall, _ rest: [String]) throws -> HTTPResponse {
        switch rest.count {
        case 0:
            try call.require("GET")
            return try listGrants(call, try allGrants(filter: call.query.filter), collection: "oauth2PermissionGrants")
        case 1:
            try call.require("GET", "DELETE")
            guard let grant = state.grants[rest[0].lowercased()] else { throw GraphError.notFound(rest[0]) }
            if call.method == "GET" {
                return GraphJSON.response(200, .object(
                    [("@odata.context", .string(Self.metadataBase + "oauth2PermissionGrants/$entity"))] + AppAccessJSON.grant(grant)))
            }
            state.removeGrant(id: grant.id)
            return HTTPResponse(status: 204)
        default:
            throw GraphError.segmentNotFound(rest[1])
        }
    }

    /// `GET /oauth2PermissionGrants` filters on `clientId`/`consentType`/`principalId` with eq, as documented.
    private func allGrants(filter: String?) throws -> [EmulatedGrant] {
        var grants = state.grants.values.sorted { $0.id < $1.id }
        guard let filter else { return grants }
        for clause in try FilterParser.parse(filter) {
            guard case .compare(let property, "eq", .string(let value)) = clause else {
                throw FilterParser.unsupported(filter)
            }
            switch property.lowercased() {
            case "clientid": grants = grants.filter { $0.clientId.lowercased() == value.lowercased() }
            case "consenttype": grants = grants.filter { $0.consentType == value }
            case "principalid": grants = grants.filter { $0.principalId?.lowercased() == value.lowercased() }
            case "resourceid": grants = grants.filter { $0.resourceId.lowercased() == value.lowercased() }
            default: throw GraphError.unknownProperty(property, type: "oAuth2PermissionGrant")
            }
        }
        return grants
    }
}
