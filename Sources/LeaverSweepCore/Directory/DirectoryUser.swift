import Foundation

/// A user as snapshotted from Graph: only the properties the drift rules need.
public struct DirectoryUser: Sendable, Equatable, Hashable {
    public var id: String
    public var userPrincipalName: String
    public var displayName: String?
    public var accountEnabled: Bool
    /// Refresh tokens and session cookies issued before this instant are invalid (set by revokeSignInSessions).
    public var signInSessionsValidFrom: Date?
    /// `true` while synced from on-premises AD; such accounts are disabled in AD, not in the cloud.
    public var onPremisesSyncEnabled: Bool?
    /// Matched against SCIM `emails` (`match = "email"`).
    public var mail: String?
    /// Matched against SCIM `externalId` (`match = "externalId"`), Entra's default mapping.
    public var mailNickname: String?

    public init(
        id: String,
        userPrincipalName: String,
        displayName: String? = nil,
        accountEnabled: Bool,
        signInSessionsValidFrom: Date? = nil,
        onPremisesSyncEnabled: Bool? = nil,
        mail: String? = nil,
        mailNickname: String? = nil
    ) {
        self.id = id
        self.userPrincipalName = userPrincipalName
        self.displayName = displayName
        self.accountEnabled = accountEnabled
        self.signInSessionsValidFrom = signInSessionsValidFrom
        self.onPremisesSyncEnabled = onPremisesSyncEnabled
        self.mail = mail
        self.mailNickname = mailNickname
    }
}
