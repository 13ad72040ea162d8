import Foundation

/// What a correct client should do to a tenant on its first run, derived from the tenant by the rules alone.
///
/// The emulator encodes the rules independently of the client, so an end-to-end test can compare the writes
/// that reached the emulator with this manifest.
public struct DriftManifest: Sendable, Equatable {
    public var disabledUserIds: Set<String>
    /// Disabled users whose sessions predate their last "Disable account" audit event, or who have no such event.
    public var expectedRevocations: Set<String>
    /// Enabled, not on-premises-synced devices owned by a disabled user; includes the non-Windows ones.
    public var expectedDeviceDisables: Set<String>
    /// The subset of `expectedDeviceDisables` the emulator refuses with 400 (app-only PATCH on non-Windows).
    public var nonWindowsLeftoverDevices: Set<String>
    /// Enabled devices with onPremisesSyncEnabled == true owned by a disabled user: flag for AD, never PATCH.
    public var syncedLeftoverDevices: Set<String>
    /// Disabled users holding app role assignments (their own or through a group they are a direct member of)
    /// or Principal (per-user) delegated grants.
    public var usersWithAppAccess: Set<String>
    /// Disabled user id → ids of the app role assignments they hold through groups they are a direct member of.
    /// The same assignment id appears under every such member, as Graph returns the same object to each.
    public var groupInheritedAccess: [String: Set<String>]
    /// Direct (principalType User) app role assignments of disabled users: what a client with assignment removal
    /// switched on deletes. Group-inherited ones are never among them.
    public var removableAppRoleAssignments: Set<String>
    /// Principal (per-user) delegated grants of disabled users: what a client with grant removal switched on
    /// deletes. AllPrincipals grants are never among them.
    public var removableUserConsentGrants: Set<String>
    /// Provisioning jobs in quarantine or failing: deprovisioning through them is stalled for everyone.
    public var provisioningJobIssues: Set<ProvisioningJobIssue>
    /// (disabled user, app) pairs whose last successful provisioning action in the logs created or updated the
    /// account, with no later successful disable or delete: the account may still let the leaver in.
    public var lingeringProvisionedAccounts: Set<ProvisionedAccount>

    public init(disabledUserIds: Set<String> = [], expectedRevocations: Set<String> = [],
                expectedDeviceDisables: Set<String> = [], nonWindowsLeftoverDevices: Set<String> = [],
                syncedLeftoverDevices: Set<String> = [], usersWithAppAccess: Set<String> = [],
                groupInheritedAccess: [String: Set<String>] = [:], removableAppRoleAssignments: Set<String> = [],
                removableUserConsentGrants: Set<String> = [], provisioningJobIssues: Set<ProvisioningJobIssue> = [],
                lingeringProvisionedAccounts: Set<ProvisionedAccount> = []) {
        self.disabledUserIds = disabledUserIds
        self.expectedRevocations = expectedRevocations
        self.expectedDeviceDisables = expectedDeviceDisables
        self.nonWindowsLeftoverDevices = nonWindowsLeftoverDevices
        self.syncedLeftoverDevices = syncedLeftoverDevices
        self.usersWithAppAccess = usersWithAppAccess
        self.groupInheritedAccess = groupInheritedAccess
        self.removableAppRoleAssignments = removableAppRoleAssignments
        self.removableUserConsentGrants = removableUserConsentGrants
        self.provisioningJobIssues = provisioningJobIssues
        self.lingeringProvisionedAccounts = lingeringProvisionedAccounts
    }

    /// Applies the reconciliation rules to `tenant` (ignoring any client-side exclusions such as break-glass).
    public init(deriving tenant: EmulatedTenant) {
        let disabled = Set(tenant.users.lazy.filter { !$0.accountEnabled }.map(\.id))
        var lastDisable: [String: Date] = [:]
        for event in tenant.auditEvents where event.activityDisplayName == "Disable account" && disabled.contains(event.targetUserId) {
            lastDisable[event.targetUserId] = max(lastDisable[event.targetUserId] ?? .distantPast, event.activityDateTime)
        }
        let revocations = tenant.users.lazy.filter { user in
            guard !user.accountEnabled else { return false }
            guard let disabledAt = lastDisable[user.id] else { return true }
            return user.signInSessionsValidFromDateTime < disabledAt
        }.map(\.id)

        var expected = Set<String>(), nonWindows = Set<String>(), synced = Set<String>()
        for device in tenant.devices where device.accountEnabled && device.registeredOwnerIds.contains(where: disabled.contains) {
            if device.onPremisesSyncEnabled == true {
                synced.insert(device.id)
            } else {
                expected.insert(device.id)
                if device.operatingSystem != "Windows" { nonWindows.insert(device.id) }
            }
        }
        var withAccess = Set<String>(), removableAssignments = Set<String>(), removableGrants = Set<String>()
        for assignment in tenant.appRoleAssignments where assignment.principalType == "User" && disabled.contains(assignment.principalId) {
            withAccess.insert(assignment.principalId)
            removableAssignments.insert(assignment.id)
        }
        for grant in tenant.grants where grant.consentType == "Principal" {
            if let principal = grant.principalId, disabled.contains(principal) {
                withAccess.insert(principal)
                removableGrants.insert(grant.id)
            }
        }
        var inherited: [String: Set<String>] = [:]
        let disabledMembers = Dictionary(tenant.groups.map { group in (group.id, group.memberIds.filter(disabled.contains)) }) { a, b in a + b }
        for assignment in tenant.appRoleAssignments {
            for member in disabledMembers[assignment.principalId] ?? [] { inherited[member, default: []].insert(assignment.id) }
        }
        withAccess.formUnion(inherited.keys)
        self.init(disabledUserIds: disabled, expectedRevocations: Set(revocations), expectedDeviceDisables: expected,
                  nonWindowsLeftoverDevices: nonWindows, syncedLeftoverDevices: synced, usersWithAppAccess: withAccess,
                  groupInheritedAccess: inherited, removableAppRoleAssignments: removableAssignments,
                  removableUserConsentGrants: removableGrants,
                  provisioningJobIssues: Self.provisioningJobIssues(tenant.synchronizationJobs),
                  lingeringProvisionedAccounts: Self.lingeringAccounts(tenant.provisioningEvents, disabled: disabled))
    }
}

/// Shape of a generated tenant. Same spec (including `now`) → same tenant.
public struct TenantSpec: Sendable {
    public var users: Int
    public var disabledFraction: Double
    public var devicesPerUser: Double
    public var seed: UInt64
    /// The generator's "now"; every timestamp is relative to it.
    public var now: Date
    public var domain: String
    /// Sprinkles hostile display names (HTML, CSV formulas, RTL marks, 300 characters) over users and devices.
    public var hostileNames: Bool
    /// Salesforce and Workday quarantined, GitHub failing; false makes every provisioning job healthy (a quiet tenant).
    public var stalledProvisioning = true

    public init(users: Int = 200, disabledFraction: Double = 0.05, devicesPerUser: Double = 1.5, seed: UInt64 = 42,
                now: Date = Date(), domain: String = "contoso.com", hostileNames: Bool = false) {
        self.users = users
        self.disabledFraction = disabledFraction
        self.devicesPerUser = devicesPerUser
        self.seed = seed
        self.now = now
        self.domain = domain
        self.hostileNames = hostileNames
    }
}
