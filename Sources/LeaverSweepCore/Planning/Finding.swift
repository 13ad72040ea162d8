import Foundation

/// The kinds of drift LeaverSweep recognises. Raw values are part of the JSON report schema.
public enum FindingKind: String, Sendable, Codable, CaseIterable {
    /// A disabled user whose refresh tokens and session cookies were issued before it was disabled.
    case sessionsNotRevoked = "sessions_not_revoked"
    /// An enabled device whose registered owner is disabled.
    case leftoverDevice = "leftover_device"
    /// A disabled user still holding an app role assignment.
    case appRoleAssignment = "app_role_assignment"
    /// A disabled user's own consent to a client app (`consentType: Principal`).
    case delegatedGrant = "delegated_grant"
    /// A disabled user's account is still active in a SCIM app.
    case appAccountActive = "app_account_active"
    /// Entra's provisioning logs show an account created or updated in an app and never disabled or deleted since.
    case provisionedAccountLingering = "provisioned_account_lingering"
    /// A manual app's account to deprovision by hand, open until acknowledged with `leaversweep ack`.
    case manualDeprovisioning = "manual_deprovisioning"
}

/// Why a finding is left to a person instead of being fixed by LeaverSweep. Raw values are in the JSON report.
public enum HumanTask: String, Sendable, Codable, Equatable {
    /// The device is synced from AD: a cloud disable would be reverted by the next sync.
    case disableInOnPremisesAD = "disable_in_on_premises_ad"
    /// Graph refuses app-only updates of non-Windows devices; the MDM (Intune) admin must retire or disable it.
    case disableInMDM = "disable_in_mdm"
    /// App access LeaverSweep reports but does not remove unless configured to.
    case reviewAppAccess = "review_app_access"
    /// A previous attempt was refused by Graph in a way a retry will not change.
    case investigateFailedAction = "investigate_failed_action"
    /// LeaverSweep disabled the device and someone enabled it again: find out who and why rather than fight them.
    case reviewReenabledDevice = "review_re_enabled_device"
    /// The account is still usable in an app: deactivate or delete it there (or fix what stops provisioning).
    case deprovisionInApp = "deprovision_in_app"
    /// A manual app: deprovision by hand, then `leaversweep ack APP USER`.
    case deprovisionByHand = "deprovision_by_hand"
}

/// What LeaverSweep does about a finding, decided by the planner.
public enum Reaction: Sendable, Equatable {
    /// Send a write to Graph (or, in report mode, say it would).
    case act(PlannedAction)
    /// Report it for a person.
    case flag(HumanTask)
    /// The user is excluded by policy (break-glass, service accounts): never acted on, reported as skipped.
    case excluded
    /// A write already reached Graph on an earlier run; its effect is not visible in the snapshot yet.
    case alreadyApplied(actionKey: String)
    /// Graph refused this write on an earlier run in a way a retry will not change; a person must act.
    case refusedEarlier(HumanTask, actionKey: String)
    /// The write waits for the grace period (`policy.device_grace`) to pass: protection against rehires and
    /// mistaken disables. Sent by the first run after `until`.
    case deferred(PlannedAction, until: Date)
}

/// One piece of drift: what is wrong, for whom, and what LeaverSweep will do about it.
public struct Finding: Sendable, Equatable {
    /// Stable across runs (`kind:objectId`), so history can tell new, still open and fixed findings apart.
    public var key: String
    public var kind: FindingKind
    public var user: DirectoryUser
    public var objectId: String
    public var objectDisplayName: String?
    /// The app the finding belongs to, for the report's per-app view; nil for sessions and devices.
    public var app: String?
    /// One sentence for the report, e.g. "sessions valid from 2026-10-01, account disabled 2026-11-20".
    public var detail: String
    public var reaction: Reaction

    public init(key: String, kind: FindingKind, user: DirectoryUser, objectId: String, objectDisplayName: String?, detail: String, reaction: Reaction, app: String? = nil) {
        self.key = key
        self.kind = kind
        self.user = user
        self.objectId = objectId
        self.objectDisplayName = objectDisplayName
        self.detail = detail
        self.reaction = reaction
        self.app = app
    }
}
