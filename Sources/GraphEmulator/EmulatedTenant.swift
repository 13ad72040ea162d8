import Foundation

/// A user as the emulator stores it; rendered to Graph JSON by the emulator only.
public struct EmulatedUser: Sendable, Equatable {
    public var id: String
    public var userPrincipalName: String
    public var displayName: String
    public var givenName: String?
    public var surname: String?
    public var mail: String?
    public var jobTitle: String?
    public var accountEnabled: Bool
    public var signInSessionsValidFromDateTime: Date
    /// true = synced from AD now, false = was synced, nil = cloud-only (Graph's meaning).
    public var onPremisesSyncEnabled: Bool?
    /// "Member" or "Guest".
    public var userType: String
    /// nil for some accounts created before June 2018, as in Graph.
    public var createdDateTime: Date?

    public init(id: String, userPrincipalName: String, displayName: String, givenName: String? = nil,
                surname: String? = nil, mail: String? = nil, jobTitle: String? = nil, accountEnabled: Bool = true,
                signInSessionsValidFromDateTime: Date = Date(timeIntervalSince1970: 1_700_000_000),
                onPremisesSyncEnabled: Bool? = nil, userType: String = "Member", createdDateTime: Date? = nil) {
        self.id = id
        self.userPrincipalName = userPrincipalName
        self.displayName = displayName
        self.givenName = givenName
        self.surname = surname
        self.mail = mail
        self.jobTitle = jobTitle
        self.accountEnabled = accountEnabled
        self.signInSessionsValidFromDateTime = signInSessionsValidFromDateTime
        self.onPremisesSyncEnabled = onPremisesSyncEnabled
        self.userType = userType
        self.createdDateTime = createdDateTime
    }
}

/// A directory device object; `id` is the object id used in `/devices/{id}`, `deviceId` the DRS id.
public struct EmulatedDevice: Sendable, Equatable {
    public var id: String
    public var deviceId: String
    public var displayName: String
    public var accountEnabled: Bool
    /// "Windows", "iOS", "Android", "MacMDM".
    public var operatingSystem: String
    public var operatingSystemVersion: String
    /// "AzureAd" (joined), "Workplace" (registered), "ServerAd" (hybrid joined).
    public var trustType: String
    public var isManaged: Bool?
    public var isCompliant: Bool?
    public var onPremisesSyncEnabled: Bool?
    public var registeredOwnerIds: [String]
    public var approximateLastSignInDateTime: Date?

    public init(id: String, deviceId: String, displayName: String, accountEnabled: Bool = true,
                operatingSystem: String = "Windows", operatingSystemVersion: String = "10.0.22631.4460",
                trustType: String = "AzureAd", isManaged: Bool? = nil, isCompliant: Bool? = nil,
                onPremisesSyncEnabled: Bool? = nil, registeredOwnerIds: [String] = [],
                approximateLastSignInDateTime: Date? = nil) {
        self.id = id
        self.deviceId = deviceId
        self.displayName = displayName
        self.accountEnabled = accountEnabled
        self.operatingSystem = operatingSystem
        self.operatingSystemVersion = operatingSystemVersion
        self.trustType = trustType
        self.isManaged = isManaged
        self.isCompliant = isCompliant
        self.onPremisesSyncEnabled = onPremisesSyncEnabled
        self.registeredOwnerIds = registeredOwnerIds
        self.approximateLastSignInDateTime = approximateLastSignInDateTime
    }
}

/// An app role assignment granted to a user (or a group) on a resource service principal.
public struct EmulatedAppRoleAssignment: Sendable, Equatable {
    public var id: String
    public var appRoleId: String
    public var principalId: String
    /// "User" or "Group".
    public var principalType: String
    public var principalDisplayName: String
    public var resourceId: String
    public var resourceDisplayName: String
    public var creationTimestamp: Date

    public init(id: String, appRoleId: String = "00000000-0000-0000-0000-000000000000", principalId: String,
                principalType: String = "User", principalDisplayName: String, resourceId: String,
                resourceDisplayName: String, creationTimestamp: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        self.id = id
        self.appRoleId = appRoleId
        self.principalId = principalId
        self.principalType = principalType
        self.principalDisplayName = principalDisplayName
        self.resourceId = resourceId
        self.resourceDisplayName = resourceDisplayName
        self.creationTimestamp = creationTimestamp
    }
}

/// A security group with direct members only (nested groups are not modelled). Assignments whose
/// `principalId` is the group's id reach its members through `/users/{id}/appRoleAssignments`.
public struct EmulatedGroup: Sendable, Equatable {
    public var id: String
    public var displayName: String
    /// User object ids of the direct members.
    public var memberIds: [String]

    public init(id: String, displayName: String, memberIds: [String] = []) {
        self.id = id
        self.displayName = displayName
        self.memberIds = memberIds
    }
}

/// A delegated permission grant; `principalId` is nil for tenant-wide ("AllPrincipals") consent.
public struct EmulatedGrant: Sendable, Equatable {
    public var id: String
    public var clientId: String
    /// "Principal" or "AllPrincipals".
    public var consentType: String
    public var principalId: String?
    public var resourceId: String
    public var scope: String

    public init(id: String, clientId: String, consentType: String = "Principal", principalId: String?,
                resourceId: String, scope: String = "User.Read") {
        self.id = id
        self.clientId = clientId
        self.consentType = consentType
        self.principalId = principalId
        self.resourceId = resourceId
        self.scope = scope
    }
}

/// A directory audit record about one user, e.g. "Disable account".
public struct EmulatedAuditEvent: Sendable, Equatable {
    public var id: String
    public var activityDisplayName: String
    public var activityDateTime: Date
    public var targetUserId: String
    public var targetUPN: String
    /// Empty when an app (not a person) made the change; the record then names the app in `initiatedBy.app`.
    public var initiatedByUPN: String

    public init(id: String, activityDisplayName: String = "Disable account", activityDateTime: Date,
                targetUserId: String, targetUPN: String, initiatedByUPN: String = "") {
        self.id = id
        self.activityDisplayName = activityDisplayName
        self.activityDateTime = activityDateTime
        self.targetUserId = targetUserId
        self.targetUPN = targetUPN
        self.initiatedByUPN = initiatedByUPN
    }
}

/// Everything the emulator serves; order does not matter (the emulator sorts by id).
public struct EmulatedTenant: Sendable, Equatable {
    public var users: [EmulatedUser]
    public var devices: [EmulatedDevice]
    public var appRoleAssignments: [EmulatedAppRoleAssignment]
    public var grants: [EmulatedGrant]
    public var auditEvents: [EmulatedAuditEvent]
    public var groups: [EmulatedGroup]
    public var servicePrincipals: [EmulatedServicePrincipal]
    public var synchronizationJobs: [EmulatedSynchronizationJob]
    public var provisioningEvents: [EmulatedProvisioningEvent]

    public init(users: [EmulatedUser] = [], devices: [EmulatedDevice] = [],
                appRoleAssignments: [EmulatedAppRoleAssignment] = [], grants: [EmulatedGrant] = [],
                auditEvents: [EmulatedAuditEvent] = [], groups: [EmulatedGroup] = [],
                servicePrincipals: [EmulatedServicePrincipal] = [], synchronizationJobs: [EmulatedSynchronizationJob] = [],
                provisioningEvents: [EmulatedProvisioningEvent] = []) {
        self.users = users
        self.devices = devices
        self.appRoleAssignments = appRoleAssignments
        self.grants = grants
        self.auditEvents = auditEvents
        self.groups = groups
        self.servicePrincipals = servicePrincipals
        self.synchronizationJobs = synchronizationJobs
        self.provisioningEvents = provisioningEvents
    }
}
