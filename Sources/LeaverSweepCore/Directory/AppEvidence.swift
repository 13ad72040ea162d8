import Foundation

/// A leaver's account in a SCIM app, as the app last reported it.
public struct AppAccount: Sendable, Equatable {
    public var app: String
    /// The SCIM resource id the app assigned.
    public var accountId: String
    public var userName: String?
    public var active: Bool
    /// When the app last answered for this user.
    public var checkedAt: Date
    /// False when the app could not be checked tonight and this is the last known state.
    public var checkedTonight: Bool
    /// Why the account may be someone else's (the match value is shared, or several accounts or leavers match):
    /// such an account is reported for a person and never deactivated by LeaverSweep.
    public var ambiguity: String?

    public init(app: String, accountId: String, userName: String?, active: Bool, checkedAt: Date, checkedTonight: Bool) {
        self.app = app
        self.accountId = accountId
        self.userName = userName
        self.active = active
        self.checkedAt = checkedAt
        self.checkedTonight = checkedTonight
    }
}

/// What Entra's provisioning logs say about a leaver's account in an app Entra provisions.
public struct ProvisionedAccount: Sendable, Equatable {
    public var servicePrincipalId: String
    public var app: String
    /// The latest successful create or update in the app; nil when the logs (kept 30 days) only show a failed removal.
    public var placedAt: Date?
    /// The latest successful disable, delete or staged delete in the app.
    public var removedAt: Date?
    /// The latest failed disable or delete: why Entra could not take the account away.
    public var removalFailure: String?
    public var removalFailedAt: Date?
    /// The app's provisioning job is in quarantine or failing: deprovisioning is stalled for everyone.
    public var jobStalled: String?
    /// An admin removed the account by hand and said so (`leaversweep ack APP USER`); the logs cannot show that.
    public var acknowledgedAt: Date?

    public init(servicePrincipalId: String, app: String, placedAt: Date?, removedAt: Date? = nil, removalFailure: String? = nil,
                removalFailedAt: Date? = nil, jobStalled: String? = nil) {
        self.servicePrincipalId = servicePrincipalId
        self.app = app
        self.placedAt = placedAt
        self.removedAt = removedAt
        self.removalFailure = removalFailure
        self.removalFailedAt = removalFailedAt ?? (removalFailure == nil ? nil : placedAt)
        self.jobStalled = jobStalled
    }

    /// The logs show the account put in place and not taken away since, and no admin has said it was removed by hand
    /// since it was last put in place.
    public var stillInPlace: Bool {
        let lastEvidence = [placedAt, removalFailedAt].compactMap { $0 }.max() ?? .distantPast
        if let acknowledged = acknowledgedAt, acknowledged >= lastEvidence { return false }
        if let placed = placedAt { return removedAt.map { $0 < placed } ?? true }
        // Placed before the logs' 30 days, and Entra's attempt to take it away failed with nothing removing it since.
        guard let failed = removalFailedAt else { return false }
        return removedAt.map { $0 < failed } ?? true
    }
}

/// A manual app's checklist line for one leaver: open until an admin acknowledges it (`leaversweep ack`).
public struct ManualDeprovisioning: Sendable, Equatable {
    public var app: String
    public var owner: String?
    /// When an admin marked it done, if they did.
    public var acknowledgedAt: Date?
    /// Only users disabled on or after this instant belong on the checklist.
    public var since: Date?

    public init(app: String, owner: String?, acknowledgedAt: Date? = nil, since: Date? = nil) {
        self.app = app
        self.owner = owner
        self.acknowledgedAt = acknowledgedAt
        self.since = since
    }
}
