import Foundation

/// One provisioning-log record (`provisioningObjectSummary`, graph.md 2.6): what the provisioning service did to
/// one user in one app during one cycle. Outbound only: the source is Entra, the target the app.
public struct EmulatedProvisioningEvent: Sendable, Equatable {
    public var id: String
    public var activityDateTime: Date
    public var servicePrincipalId: String
    public var servicePrincipalName: String
    public var jobId: String
    public var cycleId: String
    public var changeId: String
    /// "create", "update", "delete", "stagedDelete", "disable" or "other".
    public var action: String
    /// "success", "failure", "skipped" or "warning".
    public var status: String
    /// The Entra user's object id (`sourceIdentity.id`).
    public var userId: String
    public var userDisplayName: String
    public var userPrincipalName: String
    /// The account's id in the app (`targetIdentity.id`); empty when the app never answered with one.
    public var targetId: String
    /// `provisioningStatusInfo.errorInformation`, for failures.
    public var errorCode: String?
    public var errorReason: String?
    public var durationInMilliseconds: Int

    public init(id: String, activityDateTime: Date, servicePrincipalId: String, servicePrincipalName: String,
                jobId: String, cycleId: String, changeId: String, action: String, status: String = "success",
                userId: String, userDisplayName: String, userPrincipalName: String, targetId: String = "",
                errorCode: String? = nil, errorReason: String? = nil, durationInMilliseconds: Int = 1_500) {
        self.id = id
        self.activityDateTime = activityDateTime
        self.servicePrincipalId = servicePrincipalId
        self.servicePrincipalName = servicePrincipalName
        self.jobId = jobId
        self.cycleId = cycleId
        self.changeId = changeId
        self.action = action
        self.status = status
        self.userId = userId
        self.userDisplayName = userDisplayName
        self.userPrincipalName = userPrincipalName
        self.targetId = targetId
        self.errorCode = errorCode
        self.errorReason = errorReason
        self.durationInMilliseconds = durationInMilliseconds
    }

    /// A successful create or update: the account exists in the app and reflects an enabled user.
    var placesAccount: Bool { status == "success" && (action == "create" || action == "update") }

    /// A successful disable or delete: the account no longer lets the user in.
    var removesAccount: Bool { status == "success" && (action == "disable" || action == "delete") }
}
