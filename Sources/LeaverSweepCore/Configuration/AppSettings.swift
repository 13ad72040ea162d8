import Foundation

/// One `[[apps]]` entry: an app that keeps its own accounts, and how LeaverSweep finds a leaver's account there.
public struct AppSettings: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Looked up (and, with `deprovision`, deactivated) through the app's SCIM 2.0 endpoint.
        case scim(SCIMAppSettings)
        /// No API: every leaver is on the app's "deprovision by hand" checklist until `leaversweep ack`.
        case manual
    }

    /// Unique among the apps (case-insensitively); the name in reports, action keys and `leaversweep ack`.
    public var name: String
    public var kind: Kind
    /// Who runs the app; shown in the report, and mailed the app's own list when `notifyOwner` is set.
    public var owner: MailAddress?
    public var notifyOwner: Bool
    /// Manual apps: only users disabled on or after this day are put on the checklist (the app's go-live with
    /// LeaverSweep), so years of old leavers do not bury the new ones.
    public var since: Date?

    public init(name: String, kind: Kind, owner: MailAddress? = nil, notifyOwner: Bool = false, since: Date? = nil) {
        self.name = name
        self.kind = kind
        self.owner = owner
        self.notifyOwner = notifyOwner
        self.since = since
    }

    public var isManual: Bool { if case .manual = kind { true } else { false } }
    public var scim: SCIMAppSettings? { if case .scim(let settings) = kind { settings } else { nil } }
}

/// Which directory value identifies the leaver in the app.
public enum AppAccountMatch: String, Sendable, Equatable, CaseIterable {
    /// SCIM `userName` = the user principal name (Entra's default mapping).
    case userName
    /// SCIM `externalId` = `mailNickname` (Entra's default mapping).
    case externalId
    /// SCIM `emails.value` = `mail`, or the UPN when the user has no mail.
    case email
}

public struct SCIMAppSettings: Sendable, Equatable {
    /// The SCIM base URL (without `/Users`), e.g. `https://contoso.service-now.com/api/now/scim`.
    public var baseURL: URL
    public var token: SecretSource
    public var match: AppAccountMatch
    /// Send `PATCH active=false` for accounts still active (journaled); false only reports them.
    public var deprovision: Bool

    public init(baseURL: URL, token: SecretSource, match: AppAccountMatch = .userName, deprovision: Bool = false) {
        self.baseURL = baseURL
        self.token = token
        self.match = match
        self.deprovision = deprovision
    }
}
