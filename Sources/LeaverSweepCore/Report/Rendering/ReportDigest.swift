import Foundation

/// The report as a person reads it: sections in order, computed once, rendered as HTML and plain text.
///
/// The HTML and plain-text renderers only lay out what is here, so the two parts of the email always say the same
/// thing and the grouping rules (what is "open", what "needs a person", which app a grant belongs to) live in one
/// place. Strings are kept raw; each renderer escapes them for its own medium.
public struct ReportDigest: Sendable, Equatable {
    public var header: Header
    public var counts: Counts
    /// Whether "new" and "fixed" are known: the history is missing when a run failed before recording findings.
    public var hasHistory: Bool
    /// Tonight's findings first seen in this run; findings of excluded accounts are never new.
    public var newFindings: [Entry]
    /// Findings open after the previous run and gone tonight.
    public var fixedFindings: [FixedEntry]
    /// Open findings seen on an earlier run too, oldest first.
    public var stillOpen: [Entry]
    /// Writes that reached Graph and succeeded during this run.
    public var appliedTonight: [Entry]
    /// Writes applied on an earlier run whose effect the directory does not show yet.
    public var appliedEarlier: [Entry]
    /// Writes Graph refused tonight (or that could not be sent).
    public var failedTonight: [Entry]
    /// Writes LeaverSweep would send; not sent in report mode, a dry run or a run that stopped early.
    public var planned: [Entry]
    public var needsPerson: NeedsPerson
    /// The per-app view: every app with a finding or a check tonight, alphabetically.
    public var apps: [AppSection]
    /// Findings of excluded accounts (and of accounts enabled again during the run): nothing was done.
    public var excluded: [Entry]
    /// Open findings after each of the last runs (up to 14), oldest first, tonight last.
    public var trend: [TrendBar]
    public var footer: Footer
    /// The blast-radius guard kept this run from writing (the reason is the report's first warning).
    public var guardTripped: Bool = false

    /// The first recorded run: there is history, but no earlier run, so every finding is new.
    public var isFirstRun: Bool { hasHistory && header.previousRunId == nil }

    /// Apps that could not be checked or whose provisioning is stalled: the summary names them.
    public var appsWithProblems: [AppSection] { apps.filter { !$0.problems.isEmpty } }

    public struct Header: Sendable, Equatable {
        public var tenant: String
        /// The first DNS label of the tenant (`contoso` for `contoso.onmicrosoft.com`), or the tenant id.
        public var tenantShortName: String
        public var runId: Int64
        public var mode: RunMode
        /// `2026-11-23 02:17 UTC`, or the stored text when it does not parse.
        public var startedAt: String
        public var outcome: String
        /// The failure sentence of a failed run.
        public var failure: String?
        public var warnings: [String]
        public var usersScanned: Int
        public var disabledUsers: Int
        public var devicesScanned: Int
        public var previousRunId: Int64?

        public var runFailed: Bool { outcome != "completed" }
        public var isReportOnly: Bool { !mode.writesToTenant }
    }

    /// The big numbers of the summary block and the subject line.
    public struct Counts: Sendable, Equatable {
        public var findings: Int
        /// Findings first seen tonight, not counting excluded accounts.
        public var new: Int
        /// Findings still needing something after tonight: every status but applied and excluded.
        public var open: Int
        public var fixed: Int
        public var applied: Int
        public var failed: Int
        public var planned: Int
        public var needsPerson: Int
        public var excluded: Int
    }

    /// One finding as listed in a section, with what history says about it.
    public struct Entry: Sendable, Equatable {
        public var finding: ReportedFinding
        public var isNew: Bool
        /// When the finding was first seen (as stored), if it is open tonight.
        public var firstSeen: String?
        /// Whole days since `firstSeen`, relative to the `now` the digest was computed for.
        public var ageDays: Int?

        /// The device, app or client the finding is about, by name when it has one.
        public var objectName: String { finding.object.displayName ?? finding.object.id }

        /// The app the finding belongs to. Reports stored before findings carried `app` name an app role
        /// assignment's or a grant's app only as its object, so that stands in.
        public var appName: String? {
            if let app = finding.app { return app }
            switch finding.kind {
            case .sessionsNotRevoked, .leftoverDevice: return nil
            default: return objectName
            }
        }
    }

    public struct FixedEntry: Sendable, Equatable {
        public var finding: ReportHistory.FixedFinding
        /// Whole days between first seen and `now`.
        public var openDays: Int?
    }

    /// The "needs a person" lists: work LeaverSweep cannot or must not do itself.
    public struct NeedsPerson: Sendable, Equatable {
        /// Devices synced from on-premises AD: a cloud disable would be reverted by the next sync.
        public var disableInOnPremisesAD: [Entry]
        /// Devices Graph will not disable (non-Windows): retire or disable them in Intune.
        public var disableInMDM: [Entry]
        /// Devices someone enabled again after LeaverSweep disabled them.
        public var reEnabledDevices: [Entry]
        /// App access and app accounts a person must take away, grouped by app (listed in the per-app view).
        public var appsByName: [AppGroup]
        /// Writes Graph refused for good, and tonight's failures that no other list covers.
        public var failedWritesToInvestigate: [Entry]

        /// How many findings the lists hold.
        public var count: Int {
            disableInOnPremisesAD.count + disableInMDM.count + reEnabledDevices.count
                + appsByName.reduce(0) { $0 + $1.entries.count }
                + failedWritesToInvestigate.count
        }

        public var isEmpty: Bool { count == 0 }
    }

    /// One app in the per-app view: how its check went, and every leaver with access or an account there.
    public struct AppSection: Sendable, Equatable {
        public var app: String
        /// Tonight's checks of this app (a SCIM lookup, an Entra provisioning job, a manual checklist); empty for
        /// apps known only from app role assignments or grants.
        public var statuses: [AppStatus]
        /// Findings for this app, excluded accounts left out: open ones first (oldest first), then those acted on.
        public var entries: [Entry]

        public var problems: [AppStatus] { statuses.filter(\.isProblem) }
        /// People, not rows.
        public var userCount: Int { Set(entries.map(\.finding.user.id)).count }
        public var openCount: Int { entries.filter { $0.finding.status != .applied }.count }
    }

    public struct AppGroup: Sendable, Equatable {
        /// The app's display name, or its object id when it has none.
        public var app: String
        public var entries: [Entry]

        /// People, not rows: one user can hold an app both directly and through a group.
        public var userCount: Int { Set(entries.map(\.finding.user.id)).count }
    }

    public struct TrendBar: Sendable, Equatable {
        public var runId: Int64
        /// `11-20`: month and day of the run.
        public var label: String
        public var openFindings: Int
        public var isThisRun: Bool
    }

    public struct Footer: Sendable, Equatable {
        /// The command that renders this report again.
        public var reportCommand: String
        public var schemaVersion: Int
        /// When the report was rendered, `2026-11-23 06:00 UTC`.
        public var generatedAt: String
    }
}

extension FindingKind {
    /// The kind in words, for reports.
    public var label: String {
        switch self {
        case .sessionsNotRevoked: return "sessions not revoked"
        case .leftoverDevice: return "device still enabled"
        case .appRoleAssignment: return "app role assignment"
        case .delegatedGrant: return "delegated grant"
        case .appAccountActive: return "app account still active"
        case .provisionedAccountLingering: return "provisioned account not removed"
        case .manualDeprovisioning: return "deprovision by hand"
        }
    }
}
