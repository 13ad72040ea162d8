import Foundation

extension GraphService {
    /// `POST /users/{id}/revokeSignInSessions`: 200 with an Edm.Boolean (Graph's documented known issue: not 204).
    func revokeSignInSessions(_ call: GraphCall, index: Int) throws -> HTTPResponse {
        if !call.request.body.isEmpty { _ = try jsonObject(call.request.body) }
        state.updateUser(at: index) { $0.signInSessionsValidFromDateTime = call.now }
        return GraphJSON.response(200, .object([("@odata.context", .string(Self.metadataBase + "Edm.Boolean")), ("value", .bool(true))]))
    }

    /// `PATCH /devices/{id}`. App-only callers may change only extension attributes on non-Windows devices, and
    /// nothing on devices mastered on-premises; both refusals are 400 Request_BadRequest, as in Graph.
    func patchDevice(_ call: GraphCall, index: Int) throws -> HTTPResponse {
        let body = try jsonObject(call.request.body)
        for name in body.keys where name != "@odata.type" {
            guard DeviceJSON.properties.allNames.contains(name) else { throw undeclaredProperty(name) }
        }
        let device = state.devices[index]
        if device.onPremisesSyncEnabled == true {
            throw GraphError.badRequest("Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.")
        }
        if device.operatingSystem.lowercased() != "windows", body.keys.contains(where: { $0 != "extensionAttributes" }) {
            throw GraphError.badRequest("Properties other than ExtendedAttribute1..15 can be modified only on windows devices.")
        }
        let enabled = try bool(body, "accountEnabled")
        let displayName = try string(body, "displayName")
        state.updateDevice(at: index) { device in
            if let enabled { device.accountEnabled = enabled }
            if let displayName { device.displayName = displayName }
        }
        return HTTPResponse(status: 204)
    }

    /// `PATCH /users/{id}`: used by test harnesses to play HR. A true→false flip of accountEnabled writes a
    /// "Disable account" audit event (false→true "Enable account"), so the audit trail matches the state.
    func patchUser(_ call: GraphCall, index: Int) throws -> HTTPResponse {
        let body = try jsonObject(call.request.body)
        let writable: Set<String> = ["accountEnabled", "displayName", "jobTitle", "givenName", "surname", "mail"]
        for name in body.keys where name != "@odata.type" && !writable.contains(name) {
            guard UserJSON.properties.allNames.contains(name) else { throw undeclaredProperty(name) }
            throw GraphError.badRequest("Property '\(name)' is read-only and cannot be set.")
        }
        let enabled = try bool(body, "accountEnabled")
        let strings = try writable.filter { $0 != "accountEnabled" }.reduce(into: [String: String]()) { found, name in
            if let value = try string(body, name) { found[name] = value }
        }
        let before = state.users[index]
        state.updateUser(at: index) { user in
            if let enabled { user.accountEnabled = enabled }
            if let value = strings["displayName"] { user.displayName = value }
            if let value = strings["jobTitle"] { user.jobTitle = value }
            if let value = strings["givenName"] { user.givenName = value }
            if let value = strings["surname"] { user.surname = value }
            if let value = strings["mail"] { user.mail = value }
        }
        if let enabled, enabled != before.accountEnabled {
            state.appendAudit(EmulatedAuditEvent(
                id: UUID().uuidString.lowercased(), activityDisplayName: enabled ? "Enable account" : "Disable account",
                activityDateTime: call.now, targetUserId: before.id, targetUPN: before.userPrincipalName))
        }
        return HTTPResponse(status: 204)
    }

    // MARK: Body parsing

    private func jsonObject(_ body: Data) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: body), let dictionary = object as? [String: Any] else {
            throw GraphError.malformedJSON
        }
        return dictionary
    }

    private func bool(_ body: [String: Any], _ name: String) throws -> Bool? {
        guard let value = body[name] else { return nil }
        guard !(value is String), let flag = value as? Bool else {
            throw GraphError.badRequest("Cannot convert the literal '\(value)' to the expected type 'Edm.Boolean'.", code: "BadRequest")
        }
        return flag
    }

    private func string(_ body: [String: Any], _ name: String) throws -> String? {
        guard let value = body[name] else { return nil }
        guard let text = value as? String else {
            throw GraphError.badRequest("Cannot convert the literal '\(value)' to the expected type 'Edm.String'.", code: "BadRequest")
        }
        return text
    }

    private func undeclaredProperty(_ name: String) -> GraphError {
        GraphError.badRequest("Property '\(name)' does not exist as a declared property or extension property.", code: "BadRequest")
    }
}
