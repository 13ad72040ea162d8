import Foundation

/// The writes LeaverSweep knows how to send. Raw values are part of the JSON report schema.
public enum ActionKind: String, Sendable, Codable, CaseIterable {
    /// `POST /users/{id}/revokeSignInSessions`
    case revokeSessions = "revoke_sessions"
    /// `PATCH /devices/{id}` with `{"accountEnabled": false}`
    case disableDevice = "disable_device"
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

    public init(key: String, kind: ActionKind, targetId: String, userId: String, findingKey: String, ifRefused: HumanTask = .investigateFailedAction) {
        self.key = key
        self.kind = kind
        self.targetId = targetId
        self.userId = userId
        self.findingKey = findingKey
        self.ifRefused = ifRefused
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
