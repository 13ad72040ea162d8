import Foundation

/// The report of one run: what was found, what was done, what is left for people.
///
/// Encoded as the versioned JSON report (`schemaVersion` 1, documented in the README); the text summary is rendered
/// from the same value so the two never disagree.
public struct RunReport: Sendable, Codable, Equatable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var run: RunInfo
    public var summary: Summary
    public var warnings: [String]
    public var findings: [ReportedFinding]
    /// New / fixed / still open since earlier runs; nil when the run failed before findings were recorded.
    public var history: ReportHistory?
    /// Per-app checks (SCIM apps, Entra provisioning jobs, manual apps) and their problems.
    public var apps: [AppStatus]

    public init(run: RunInfo, warnings: [String], findings: [ReportedFinding], history: ReportHistory? = nil, apps: [AppStatus] = []) {
        self.schemaVersion = Self.currentSchemaVersion
        self.run = run
        self.warnings = warnings
        self.findings = findings
        self.summary = Summary(findings: findings)
        self.history = history
        self.apps = apps
    }

    enum CodingKeys: String, CodingKey { case schemaVersion, run, summary, warnings, findings, history, apps }

    /// Reports stored before per-app checks existed have no `apps`.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try container.decode(Int.self, forKey: .schemaVersion)
        run = try container.decode(RunInfo.self, forKey: .run)
        summary = try container.decode(Summary.self, forKey: .summary)
        warnings = try container.decode([String].self, forKey: .warnings)
        findings = try container.decode([ReportedFinding].self, forKey: .findings)
        history = try container.decodeIfPresent(ReportHistory.self, forKey: .history)
        apps = try container.decodeIfPresent([AppStatus].self, forKey: .apps) ?? []
    }

    /// Apps that could not be checked or whose provisioning is stalled.
    public var appProblems: [AppStatus] { apps.filter(\.isProblem) }

    /// Findings still needing something after tonight: all but those applied or excluded.
    public var openFindings: Int { summary.open }

    public struct RunInfo: Sendable, Codable, Equatable {
        public var id: Int64
        public var tenant: String
        public var mode: RunMode
        public var startedAt: String
        public var finishedAt: String?
        /// `completed` or `failed`; a failed run's report still lists what was and was not done.
        public var outcome: String
        public var failure: String?
        /// Why the blast-radius guard stopped this run from writing, if it did.
        public var guardTripped: String?
        public var disabledUsers: Int
        public var usersScanned: Int
        public var devicesScanned: Int

        public init(id: Int64, tenant: String, mode: RunMode, startedAt: Date, finishedAt: Date?, outcome: String, failure: String? = nil, disabledUsers: Int, usersScanned: Int, devicesScanned: Int) {
            self.id = id
            self.tenant = tenant
            self.mode = mode
            self.startedAt = GraphTimestamp.format(startedAt)
            self.finishedAt = finishedAt.map(GraphTimestamp.format)
            self.outcome = outcome
            self.failure = failure
            self.guardTripped = nil
            self.disabledUsers = disabledUsers
            self.usersScanned = usersScanned
            self.devicesScanned = devicesScanned
        }
    }

    public struct Summary: Sendable, Codable, Equatable {
        public var findings: Int
        public var planned: Int
        public var applied: Int
        public var failed: Int
        public var flagged: Int
        public var excluded: Int

        /// Findings still needing something: all but those applied or excluded.
        public var open: Int { findings - applied - excluded }

        public init(findings: [ReportedFinding]) {
            func count(_ status: FindingStatus) -> Int { findings.filter { $0.status == status }.count }
            self.findings = findings.count
            self.planned = count(.planned)
            self.applied = count(.applied)
            self.failed = count(.failed)
            self.flagged = count(.flagged)
            self.excluded = count(.excluded)
        }
    }
}

/// Where a finding stands at the end of the run. Raw values are part of the JSON schema.
public enum FindingStatus: String, Sendable, Codable, Equatable {
    /// A write LeaverSweep would send; not sent because of report mode, dry run, or a run that stopped early.
    case planned
    /// The write reached Graph and succeeded, in this run or an earlier one.
    case applied
    /// Graph refused the write or it could not be sent; `error` says why.
    case failed
    /// Left for a person; `humanTask` says what to do.
    case flagged
    /// The user is excluded by policy; nothing was done.
    case excluded
}

/// Graph's answer to a failed request, as an auditor needs it: status, code, message and request-id.
public struct GraphErrorInfo: Sendable, Codable, Equatable {
    public var httpStatus: Int?
    public var code: String?
    public var message: String
    public var requestId: String?
    public var clientRequestId: String?
    public var date: String?

    public init(httpStatus: Int?, code: String?, message: String, requestId: String?, clientRequestId: String?, date: String? = nil) {
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
        self.requestId = requestId
        self.clientRequestId = clientRequestId
        self.date = date
    }
}

public struct ReportedFinding: Sendable, Codable, Equatable {
    public struct UserRef: Sendable, Codable, Equatable {
        public var id: String
        public var userPrincipalName: String
        public var displayName: String?
    }

    public struct ObjectRef: Sendable, Codable, Equatable {
        public var id: String
        public var displayName: String?
    }

    public var key: String
    public var kind: FindingKind
    public var user: UserRef
    public var object: ObjectRef
    public var detail: String
    /// The app the finding belongs to (app role assignments, grants, app accounts); absent for sessions and devices.
    public var app: String?
    /// The write LeaverSweep sends for this finding, if any.
    public var action: ActionKind?
    public var actionKey: String?
    public var status: FindingStatus
    public var humanTask: HumanTask?
    /// When the write was applied (this run or an earlier one).
    public var appliedAt: String?
    public var requestId: String?
    public var error: GraphErrorInfo?
}
