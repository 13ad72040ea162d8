import Foundation

/// The writes LeaverSweep knows how to send. Raw values are part of the JSON report schema.
public enum ActionKind: String, Sendable, Codable, CaseIterable {
    /// `POST /users/{id}/revokeSignInSessions`
    case revokeSessions = "revoke_sessions"
    /// `PATCH /devices/{id}` with `{"accountEnabled": false}`
    case disableDevice = "disable_device"
    /// SCIM `PATCH /Users/{id}` setting `active` to false, in the app named by `app`.
    case deactivateAppAccount = "deactivate_app_account"
    /// `DELETE /users/{userId}/appRoleAssignments/{id}`
    case removeAppRoleAssignment = "remove_app_role_assignment"
    /// `DELETE /oauth2PermissionGrants/{id}`
    case removeDelegatedGrant = "remove_delegated_grant"

    /// Sent to Microsoft Graph (in JSON batches); the others go to the app's own API.
    public var isGraphWrite: Bool { self != .deactivateAppAccount }
    /// A DELETE: "not found" means someone else removed it already, which is the outcome wanted.
    public var isRemoval: Bool { self == .removeAppRoleAssignment || self == .removeDelegatedGrant }
}

/// A write the executor will send, identified by an idempotency key that is journaled before the request goes out.
public struct PlannedAction: Sendable, Equatable, Hashable {
    /// Identifies the write across runs: the same key is never sent twice once it has taken effect.
    public var key: String
    public var kind: ActionKind
    /// The user id (revocation) or device object id (disable).
    public var targetId: String
    /// The disabled user the write is for; checked to be still disabled right before sending.
    public var userId: String
    public var findingKey: String
    /// Who must act if Graph refuses this write for good (e.g. the MDM admin for a non-Windows device).
    public var ifRefused: HumanTask
    /// The configured app a SCIM write goes to.
    public var app: String?
    /// For a removal: the deleted object's properties (JSON), journaled so it can be put back by hand.
    public var details: String?

    public init(key: String, kind: ActionKind, targetId: String, userId: String, findingKey: String, ifRefused: HumanTask = .investigateFailedAction, app: String? = nil) {
        self.key = key
        self.kind = kind
        self.targetId = targetId
        self.userId = userId
        self.findingKey = findingKey
        self.ifRefused = ifRefused
        self.app = app
    }

    public static func revokeSessions(userId: String, episodeStart: Date, findingKey: String) -> PlannedAction {
        PlannedAction(
            key: "revoke_sessions:\(userId):\(Self.episodeStamp(episodeStart))",
            kind: .revokeSessions, targetId: userId, userId: userId, findingKey: findingKey
        )
    }

    public static func disableDevice(deviceObjectId: String, ownerId: String, episodeStart: Date, findingKey: String, ifRefused: HumanTask) -> PlannedAction {
        PlannedAction(
            key: "disable_device:\(deviceObjectId):\(ownerId):\(Self.episodeStamp(episodeStart))",
            kind: .disableDevice, targetId: deviceObjectId, userId: ownerId, findingKey: findingKey, ifRefused: ifRefused
        )
    }

    public static func deactivateAppAccount(app: String, accountId: String, userId: String, episodeStart: Date, findingKey: String) -> PlannedAction {
        PlannedAction(
            key: "deactivate_app_account:\(app):\(accountId):\(userId):\(Self.episodeStamp(episodeStart))",
            kind: .deactivateAppAccount, targetId: accountId, userId: userId, findingKey: findingKey,
            ifRefused: .deprovisionInApp, app: app
        )
    }

    public static func removeAppRoleAssignment(assignmentId: String, userId: String, episodeStart: Date, findingKey: String,
                                               restore: AppRoleAssignment? = nil) -> PlannedAction {
        var action = PlannedAction(
            key: "remove_app_role_assignment:\(assignmentId):\(userId):\(Self.episodeStamp(episodeStart))",
            kind: .removeAppRoleAssignment, targetId: assignmentId, userId: userId, findingKey: findingKey, ifRefused: .reviewAppAccess
        )
        // The body of `POST /users/{id}/appRoleAssignments` that would put it back.
        action.details = restore.map { Self.json(["principalId": $0.principalId, "resourceId": $0.resourceId, "appRoleId": $0.appRoleId ?? "",
                                                  "resourceDisplayName": $0.resourceDisplayName ?? ""]) }
        return action
    }

    public static func removeDelegatedGrant(grantId: String, userId: String, episodeStart: Date, findingKey: String,
                                            restore: DelegatedGrant? = nil) -> PlannedAction {
        var action = PlannedAction(
            key: "remove_delegated_grant:\(grantId):\(userId):\(Self.episodeStamp(episodeStart))",
            kind: .removeDelegatedGrant, targetId: grantId, userId: userId, findingKey: findingKey, ifRefused: .reviewAppAccess
        )
        // The body of `POST /oauth2PermissionGrants` that would put it back.
        action.details = restore.map { Self.json(["clientId": $0.clientId, "consentType": $0.consentType, "principalId": $0.principalId ?? "",
                                                  "resourceId": $0.resourceId, "scope": $0.scope ?? ""]) }
        return action
    }

    private static func json(_ fields: [String: String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func episodeStamp(_ date: Date) -> String {
        String(Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }
}

/// What the journal remembers about an action from earlier runs.
public struct JournalEntry: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        /// Journaled before sending; the run ended before the outcome was recorded. Outcome unknown.
        case inFlight = "in_flight"
        case applied
        case failed
    }

    public var key: String
    public var state: State
    public var httpStatus: Int?
    public var errorCode: String?
    /// When Graph accepted the write (state `applied`).
    public var appliedAt: Date?

    public init(key: String, state: State, httpStatus: Int? = nil, errorCode: String? = nil, appliedAt: Date? = nil) {
        self.key = key
        self.state = state
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.appliedAt = appliedAt
    }

    /// Graph answered that the request itself is wrong for this object (400, 404, 405, 409): sending it again
    /// tomorrow gets the same answer. 401/403 (permissions can be granted), 429 and 5xx are worth retrying.
    public var failedPermanently: Bool {
        guard state == .failed, let status = httpStatus else { return false }
        return [400, 404, 405, 409, 422].contains(status)
    }
}
