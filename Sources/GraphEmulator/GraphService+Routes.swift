import Foundation

/// Routes under `/users` and `/devices`: collections, `delta`, `$count`, single objects and their navigations.
extension GraphService {
    /// `/users/delta`, `/users/$count` and the same under `/devices`; nil when `segment` is an object key.
    func collectionSegment(_ call: GraphCall, _ segment: String, _ collection: DirectoryCollection) throws -> HTTPResponse? {
        switch segment.lowercased() {
        case "delta":
            try call.require("GET")
            return try delta(call, collection)
        case "$count":
            try call.require("GET")
            return try countCollection(call, collection)
        default:
            return nil
        }
    }

    func routeUsers(_ call: GraphCall, _ rest: [String]) throws -> HTTPResponse {
        guard let key = rest.first else {
            try call.require("GET")
            return try listUsers(call)
        }
        if rest.count == 1, let response = try collectionSegment(call, key, .users) { return response }
        guard let index = state.userIndex(key) else {
            if key.lowercased() == "delta" || key.hasPrefix("$") { throw GraphError.segmentNotFound(key) }
            throw GraphError.notFound(key)
        }
        let tail = rest.dropFirst().map { $0.lowercased() }
        let keyed = tail.count == 2 && ["approleassignments", "oauth2permissiongrants"].contains(tail[0])
        switch keyed ? [tail[0], "{id}"] : tail {
        case []:
            try call.require("GET", "PATCH", "DELETE")
            switch call.method {
            case "GET": return try getUser(call, index: index)
            case "PATCH": return try patchUser(call, index: index)
            default:
                state.deleteUser(at: index)
                return HTTPResponse(status: 204)
            }
        case ["registereddevices"], ["owneddevices"]:
            try call.require("GET")
            return try listUserDevices(call, index: index, navigation: rest[1])
        case ["revokesigninsessions"]:
            try call.require("POST")
            return try revokeSignInSessions(call, index: index)
        case ["approleassignments"]:
            try call.require("GET")
            return try listUserAssignments(call, index: index)
        case ["approleassignments", "{id}"]:
            // Only the user's own assignments are in this collection's key space: one the user holds through a
            // group is the group's object and is removed at the group or resource, so it is not found here.
            try call.require("DELETE")
            let assignmentId = rest[2]
            guard let assignment = state.assignments[assignmentId.lowercased()],
                  assignment.principalId.lowercased() == state.users[index].id.lowercased() else {
                throw GraphError.notFound(assignmentId)
            }
            state.removeAssignment(id: assignmentId)
            return HTTPResponse(status: 204)
        case ["oauth2permissiongrants", "{id}"]:
            // Graph's answer to DELETE through the user's navigation (docs-contrib #2690): grants are deleted at
            // `/oauth2PermissionGrants/{id}`.
            try call.require("GET", "DELETE")
            if call.method == "GET" {
                guard let grant = state.principalGrants(of: state.users[index].id).first(where: { $0.id.lowercased() == tail[1] }) else {
                    throw GraphError.notFound(rest[2])
                }
                return GraphJSON.response(200, .object(
                    [("@odata.context", .string(Self.metadataBase + "oauth2PermissionGrants/$entity"))] + AppAccessJSON.grant(grant)))
            }
            throw GraphError.badRequest("Write requests are only supported on contained entities or navigation properties with bindings.",
                                        code: "BadRequest")
        case ["oauth2permissiongrants"]:
            try call.require("GET")
            return try listGrants(call, state.principalGrants(of: state.users[index].id),
                                  collection: "users/\(state.users[index].id)/oauth2PermissionGrants")
        default:
            throw GraphError.segmentNotFound(rest.last ?? key)
        }
    }

    func routeDevices(_ call: GraphCall, _ rest: [String]) throws -> HTTPResponse {
        guard let key = rest.first else {
            try call.require("GET")
            return try listDevices(call)
        }
        if rest.count == 1, let response = try collectionSegment(call, key, .devices) { return response }
        guard let index = state.deviceIndex(objectId: key) else {
            if key.lowercased() == "delta" || key.hasPrefix("$") { throw GraphError.segmentNotFound(key) }
            throw GraphError.notFound(key)
        }
        return try routeDevice(call, index: index, Array(rest.dropFirst()))
    }

    func routeDevice(_ call: GraphCall, index: Int, _ rest: [String]) throws -> HTTPResponse {
        switch rest.map({ $0.lowercased() }) {
        case []:
            try call.require("GET", "PATCH", "DELETE")
            switch call.method {
            case "GET": return try getDevice(call, index: index)
            case "PATCH": return try patchDevice(call, index: index)
            default:
                state.deleteDevice(at: index)
                return HTTPResponse(status: 204)
            }
        case ["registeredowners"], ["registeredusers"]:
            try call.require("GET")
            return try listOwners(call, index: index, navigation: rest[0])
        default:
            throw GraphError.segmentNotFound(rest.last ?? "")
        }
    }
}
