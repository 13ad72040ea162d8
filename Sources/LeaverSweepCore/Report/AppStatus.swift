import Foundation

/// How one app's check went tonight: a SCIM app answered or not, an Entra provisioning job runs or is stalled,
/// a manual app has a checklist. Problems here are per app, not per user: "could not check" must never look
/// like "nothing found", and a quarantined job stalls deprovisioning for every leaver.
public struct AppStatus: Sendable, Codable, Equatable {
    public enum Source: String, Sendable, Codable, Equatable {
        case scim
        case manual
        /// A service principal with an Entra provisioning (synchronization) job.
        case entraProvisioning = "entra_provisioning"
    }

    public enum Health: String, Sendable, Codable, Equatable {
        case ok
        /// The SCIM app could not be checked (down, slow, 401/403/429, malformed answers); last known state is kept.
        case notChecked = "not_checked"
        /// The provisioning job is in quarantine.
        case quarantine
        /// The provisioning job's recent runs failed completely.
        case failing
        /// The provisioning job was paused by an admin.
        case paused
    }

    public var app: String
    public var source: Source
    public var health: Health
    /// Why, in one sentence: the SCIM error or the quarantine reason.
    public var detail: String?
    /// Since when the job has been stalled (quarantine series began, or the last successful run).
    public var since: String?
    /// Leavers looked up tonight (SCIM).
    public var usersChecked: Int?
    public var owner: String?

    public init(app: String, source: Source, health: Health, detail: String? = nil, since: Date? = nil, usersChecked: Int? = nil, owner: String? = nil) {
        self.app = app
        self.source = source
        self.health = health
        self.detail = detail
        self.since = since.map(GraphTimestamp.format)
        self.usersChecked = usersChecked
        self.owner = owner
    }

    public var isProblem: Bool { health != .ok }

    /// Stable across runs, like finding keys.
    public var key: String { "\(source.rawValue):\(app)" }
}
