import Foundation

/// Whether a run may write to the tenant.
public enum RunMode: String, Sendable, Codable, Equatable {
    /// Find drift and fix what LeaverSweep can fix.
    case enforce
    /// Find and report drift; change nothing (`mode = "report"` in the config).
    case report
    /// Like report, chosen for one run on the command line (`--dry-run`).
    case dryRun = "dry-run"

    public var writesToTenant: Bool { self == .enforce }
}

/// The rules of engagement the planner applies.
public struct Policy: Sendable, Equatable {
    public var mode: RunMode
    /// Lower-cased UPNs and object ids that are never acted on.
    public private(set) var exclusions: Set<String>
    /// How long an owner must have been disabled before their devices are disabled; sessions are revoked at once.
    public var deviceGrace: TimeInterval
    /// Delete direct app role assignments of leavers (`policy.remove_app_role_assignments`).
    public var removeAppRoleAssignments = false
    /// Delete leavers' own delegated consents (`policy.remove_user_consent_grants`).
    public var removeUserConsentGrants = false
    /// SCIM apps configured with `deprovision = true`, by name.
    public var deprovisionApps: Set<String> = []
    /// How long a user must have been disabled before app writes (deactivations, removals) are sent.
    public var appGrace: TimeInterval = 0

    public init(mode: RunMode, exclusions: [String] = [], deviceGrace: TimeInterval = 0) {
        self.mode = mode
        self.exclusions = Set(exclusions.map { $0.lowercased() })
        self.deviceGrace = deviceGrace
    }

    public func isExcluded(_ user: DirectoryUser) -> Bool {
        exclusions.contains(user.id.lowercased()) || exclusions.contains(user.userPrincipalName.lowercased())
    }
}
