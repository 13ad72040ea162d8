import Foundation

/// When an account was disabled, and how we know.
public struct DisabledTime: Sendable, Equatable, Hashable {
    public enum Source: String, Sendable, Codable {
        /// The directory audit log's "Disable account" event.
        case auditLog = "audit_log"
        /// The first snapshot in which LeaverSweep saw the account disabled (audit logs are kept 7–30 days).
        case firstSeenDisabled = "first_seen_disabled"
    }

    public var at: Date
    public var source: Source

    public init(at: Date, source: Source) {
        self.at = at
        self.source = source
    }
}

/// Everything the planner needs to know about one disabled user: the unit the drift rules work on.
public struct LeaverCase: Sendable, Equatable {
    public var user: DirectoryUser
    /// The best known time the account was disabled, or nil when neither the audit log nor a snapshot tells.
    public var disabledAt: DisabledTime?
    /// When LeaverSweep first saw the account disabled; stable while the account stays disabled, so
    /// action keys built from it identify one "disable episode" (a rehire and a second leave is a new one).
    public var firstSeenDisabled: Date
    public var devices: [DirectoryDevice]
    public var appRoleAssignments: [AppRoleAssignment]
    public var delegatedGrants: [DelegatedGrant]
    /// Accounts found in SCIM apps (active or not), tonight or, for apps that could not be checked, earlier.
    public var appAccounts: [AppAccount] = []
    /// Accounts Entra's provisioning logs show in apps Entra provisions.
    public var provisionedAccounts: [ProvisionedAccount] = []
    /// One line per manual app.
    public var manualApps: [ManualDeprovisioning] = []

    public init(
        user: DirectoryUser,
        disabledAt: DisabledTime?,
        firstSeenDisabled: Date,
        devices: [DirectoryDevice] = [],
        appRoleAssignments: [AppRoleAssignment] = [],
        delegatedGrants: [DelegatedGrant] = []
    ) {
        self.user = user
        self.disabledAt = disabledAt
        self.firstSeenDisabled = firstSeenDisabled
        self.devices = devices
        self.appRoleAssignments = appRoleAssignments
        self.delegatedGrants = delegatedGrants
    }
}
