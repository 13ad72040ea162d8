import Foundation
import LeaverSweepCore

/// What a run produced, and how the process should exit.
public struct RunResult: Sendable {
    public var report: RunReport
    public var traffic: GraphTraffic
    public var reportPath: String?

    /// A person has work to do: flagged findings or writes Graph refused.
    public var needsAPerson: Bool { report.summary.flagged > 0 || report.summary.failed > 0 }
    public var failed: Bool { report.run.outcome != "completed" }
}

/// One night: snapshot → plan → reconcile → report.
public struct NightlyRun {
    public struct Context {
        public var environment: [String: String]
        public var transport: HTTPTransport
        public var now: @Sendable () -> Date
        public var sleep: @Sendable (Double) -> Void
        public var log: RunLog

        public init(environment: [String: String], transport: HTTPTransport, now: @escaping @Sendable () -> Date,
                    sleep: @escaping @Sendable (Double) -> Void, log: RunLog) {
            self.environment = environment
            self.transport = transport
            self.now = now
            self.sleep = sleep
            self.log = log
        }
    }

    public var configuration: Configuration
    public var dryRun: Bool
    public var context: Context

    public init(configuration: Configuration, dryRun: Bool, context: Context) {
        self.configuration = configuration
        self.dryRun = dryRun
        self.context = context
    }

    public var mode: RunMode { dryRun ? .dryRun : configuration.policy.mode }

    /// Runs the night. Throws only when the run cannot start (no secret, unusable state database); failures after
    /// that end in a report with outcome `failed` that says what was and was not done.
    public func execute() throws -> RunResult {
        let (secret, secretWarning) = try SecretLoader.load(configuration.auth.clientSecret, environment: context.environment)
        let store = try StateStore(path: configuration.state.database)
        let startedAt = context.now()
        let runId = try store.beginRun(startedAt: startedAt, mode: mode)
        let tokens = ClientCredentialsTokenProvider(
            transport: context.transport, authority: configuration.auth.authority, tenant: configuration.tenant.id,
            clientId: configuration.auth.clientId, clientSecret: secret, scope: configuration.tokenScope,
            now: context.now, sleep: context.sleep
        )
        let graph = GraphClient(transport: context.transport, tokens: tokens, endpoint: configuration.graph.endpoint, sleep: context.sleep)

        var warnings = secretWarning.map { [$0] } ?? []
        var failure: String?
        var reported: [ReportedFinding] = []
        do {
            warnings += try Snapshotter(graph: graph, store: store, log: context.log).snapshot(runId: runId, runStart: startedAt)
            reported = try reconcile(store: store, graph: graph, runId: runId)
            try store.recordFindings(reported, runId: runId)
        } catch {
            failure = "\(error)"
            context.log.error(failure!)
        }

        let counts = (try? store.countUsers()) ?? (all: 0, disabled: 0)
        let finishedAt = context.now()
        let report = RunReport(
            run: .init(id: runId, tenant: configuration.tenant.id, mode: mode, startedAt: startedAt, finishedAt: finishedAt,
                       outcome: failure == nil ? "completed" : "failed", failure: failure, disabledUsers: counts.disabled,
                       usersScanned: counts.all, devicesScanned: (try? store.countDevices()) ?? 0),
            warnings: warnings, findings: reported
        )
        for warning in warnings { context.log.warning(warning) }
        try store.finishRun(runId, report: report, finishedAt: finishedAt)
        if let path = configuration.report.json {
            try ReportFile.write(report, to: path)
        }
        return RunResult(report: report, traffic: graph.traffic, reportPath: configuration.report.json)
    }

    /// Plans from the snapshot and the journal, settles writes a killed run left in flight, sends the rest.
    private func reconcile(store: StateStore, graph: GraphClient, runId: Int64) throws -> [ReportedFinding] {
        let journal = try store.journal()
        let planner = Planner(policy: Policy(mode: mode, exclusions: configuration.policy.exclude))
        var findings: [Finding] = []
        try store.forEachLeaverCase { leaver in
            findings += planner.findings(for: leaver, journal: journal.mapValues(\.entry))
        }
        let planned = findings.compactMap { finding -> PlannedAction? in
            if case .act(let action) = finding.reaction { return action }
            return nil
        }

        var outcomes: [String: ActionOutcome] = [:]
        if mode.writesToTenant {
            // A write journaled in flight whose drift is gone tonight took effect before the process died.
            let plannedKeys = Set(planned.map(\.key))
            for (key, action) in journal where action.entry.state == .inFlight && !plannedKeys.contains(key) {
                try store.markApplied(key, runId: runId, at: context.now(), requestId: nil, clientRequestId: nil,
                                      note: "confirmed by snapshot: the drift was gone after an interrupted run")
            }
            let executor = Executor(graph: graph, store: store, runId: runId, now: context.now, log: context.log,
                                    crashAfterWrites: context.environment["LEAVERSWEEP_TEST_CRASH_AFTER_WRITES"].flatMap(Int.init))
            outcomes = try executor.execute(planned)
        }

        return findings.map { finding in
            var earlier: (at: Date, requestId: String?)?
            var earlierError: GraphErrorInfo?
            if case .alreadyApplied(let key) = finding.reaction, let entry = journal[key] {
                earlier = entry.appliedAt.map { ($0, entry.requestId) }
            }
            if case .refusedEarlier(_, let key) = finding.reaction {
                earlierError = journal[key]?.error
            }
            let outcome: ActionOutcome? = {
                if case .act(let action) = finding.reaction { return outcomes[action.key] }
                return nil
            }()
            return ReportedFinding(finding: finding, outcome: outcome, earlierApplication: earlier, earlierError: earlierError)
        }
    }
}

/// Writes the JSON report atomically (temp file + rename) so a reader never sees half a report.
public enum ReportFile {
    public static func write(_ report: RunReport, to path: String) throws {
        let data = try ReportJSON.encode(report)
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    }
}
