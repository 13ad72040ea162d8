import Foundation

/// How tonight's findings compare with earlier runs: what is new, what was fixed, how long the rest has been
/// open, and the trend of open findings. Computed by the store from the findings history; rendered in reports.
public struct ReportHistory: Sendable, Codable, Equatable {
    /// The previous completed run, if any ("since last night").
    public var previousRunId: Int64?
    /// Keys of tonight's findings first seen in this run.
    public var newKeys: [String]
    /// Findings open after the previous run and gone tonight.
    public var fixed: [FixedFinding]
    /// For every finding open tonight: when it was first seen (ISO 8601, as `GraphTimestamp.format`).
    public var firstSeen: [String: String]
    /// Open findings after each of the last runs (up to 14), oldest first, tonight last.
    public var trend: [TrendPoint]

    public init(previousRunId: Int64?, newKeys: [String], fixed: [FixedFinding], firstSeen: [String: String], trend: [TrendPoint]) {
        self.previousRunId = previousRunId
        self.newKeys = newKeys
        self.fixed = fixed
        self.firstSeen = firstSeen
        self.trend = trend
    }

    public struct FixedFinding: Sendable, Codable, Equatable {
        public var key: String
        public var kind: FindingKind
        public var userPrincipalName: String
        public var objectDisplayName: String?
        public var firstSeenAt: String

        public init(key: String, kind: FindingKind, userPrincipalName: String, objectDisplayName: String?, firstSeenAt: String) {
            self.key = key
            self.kind = kind
            self.userPrincipalName = userPrincipalName
            self.objectDisplayName = objectDisplayName
            self.firstSeenAt = firstSeenAt
        }
    }

    public struct TrendPoint: Sendable, Codable, Equatable {
        public var runId: Int64
        public var startedAt: String
        public var openFindings: Int

        public init(runId: Int64, startedAt: String, openFindings: Int) {
            self.runId = runId
            self.startedAt = startedAt
            self.openFindings = openFindings
        }
    }
}
