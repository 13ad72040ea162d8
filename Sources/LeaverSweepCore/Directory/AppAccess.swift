import Foundation

/// An app role assignment held by a user, directly or through a group it is a direct member of.
public struct AppRoleAssignment: Sendable, Equatable, Hashable {
    public var id: String
    public var appRoleId: String?
    public var principalId: String
    /// `User` for a direct assignment, `Group` when inherited from a group membership.
    public var principalType: String?
    public var principalDisplayName: String?
    /// Object id of the resource application's service principal.
    public var resourceId: String
    public var resourceDisplayName: String?

    public init(
        id: String, appRoleId: String? = nil, principalId: String, principalType: String? = nil,
        principalDisplayName: String? = nil, resourceId: String, resourceDisplayName: String? = nil
    ) {
        self.id = id
        self.appRoleId = appRoleId
        self.principalId = principalId
        self.principalType = principalType
        self.principalDisplayName = principalDisplayName
        self.resourceId = resourceId
        self.resourceDisplayName = resourceDisplayName
    }

    public var isInheritedFromGroup: Bool { principalType?.caseInsensitiveCompare("Group") == .orderedSame }
}

/// A delegated permission grant (`oauth2PermissionGrant`).
public struct DelegatedGrant: Sendable, Equatable, Hashable {
    public var id: String
    /// Object id of the client application's service principal.
    public var clientId: String
    /// `Principal` (one user consented) or `AllPrincipals` (tenant-wide admin consent).
    public var consentType: String
    public var principalId: String?
    public var resourceId: String
    public var scope: String?
    /// The client app's name, when LeaverSweep has looked it up (grants carry only the client's object id).
    public var clientDisplayName: String?

    public init(id: String, clientId: String, consentType: String, principalId: String?, resourceId: String, scope: String? = nil,
                clientDisplayName: String? = nil) {
        self.id = id
        self.clientId = clientId
        self.consentType = consentType
        self.principalId = principalId
        self.resourceId = resourceId
        self.scope = scope
        self.clientDisplayName = clientDisplayName
    }

    /// Only a user's own consent is that user's access; tenant-wide consent covers everyone and is never attributed.
    public func isUserConsent(of userId: String) -> Bool {
        consentType.caseInsensitiveCompare("Principal") == .orderedSame && principalId == userId
    }
}
