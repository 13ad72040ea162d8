import Foundation
import LeaverSweepCore

/// What a run produced, and how the process should exit.
public struct RunResult: Sendable {
    public var report: RunReport
    public var traffic: GraphTraffic
    public var reportPath: String?
    /// Nil when no `[email]` section is configured.
    public var mail: MailOutcome?

    /// A person has work to do: flagged findings or writes Graph refused.
    public var needsAPerson: Bool { report.summary.flagged > 0 || report.summary.failed > 0 || !report.appProblems.isEmpty }
    /// The blast-radius guard kept this run from writing.
    public var guardTripped: Bool { report.run.guardTripped != nil }
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
        public var makeMailSender: @Sendable (CurlSMTPSender.Settings) -> MailSender

        public init(environment: [String: String], transport: HTTPTransport, now: @escaping @Sendable () -> Date,
                    sleep: @escaping @Sendable (Double) -> Void, log: RunLog,
                    makeMailSender: @escaping @Sendable (CurlSMTPSender.Settings) -> MailSender = { CurlSMTPSender(settings: $0) }) {
            self.environment = environment
            self.transport = transport
            self.now = now
            self.sleep = sleep
            self.log = log
            self.makeMailSender = makeMailSender
        }
    }

    public var configuration: Configuration
    public var dryRun: Bool
    /// `--accept-mass-change`: an admin approves this one run despite the blast-radius guard.
    public var acceptMassChange: Bool
    /// `--full-snapshot`: ignore stored delta links tonight.
    public var fullSnapshot: Bool
    public var context: Context

    public init(configuration: Configuration, dryRun: Bool, acceptMassChange: Bool = false, fullSnapshot: Bool = false, context: Context) {
        self.configuration = configuration
        self.dryRun = dryRun
        self.acceptMassChange = acceptMassChange
        self.fullSnapshot = fullSnapshot
        self.context = context
    }

    public var mode: RunMode { dryRun ? .dryRun : configuration.policy.mode }

    /// Runs the night. Throws only when the run cannot start (no secret, another run holds the lock, unusable
    /// state database); failures after that end in a report with outcome `failed` that says what was and was not done.
    public func execute() throws -> RunResult {
        let (secret, secretWarning) = try SecretLoader.load(configuration.auth.clientSecret, environment: context.environment)
        let lock = try RunLock(database: configuration.state.database)
        defer { withExtendedLifetime(lock) {} }
        let store = try StateStore(path: configuration.state.database)
        let startedAt = context.now()
        let runId = try store.beginRun(startedAt: startedAt, mode: mode)
        let tokens = ClientCredentialsTokenProvider(
            transport: context.transport, authority: configuration.auth.authority, tenant: configuration.tenant.id,
            clientId: configuration.auth.clientId, clientSecret: secret, scope: configuration.tokenScope,
            now: context.now, sleep: context.sleep
        )
        let graph = GraphClient(transport: context.transport, tokens: tokens, endpoint: configuration.graph.endpoint, sleep: context.sleep)

        var warnings = [secretWarning].compactMap { $0 }
        var failure: String?
        var reported: [ReportedFinding] = []
        var history: ReportHistory?
        var guardTripped: String?
        var appStatuses: [AppStatus] = []
        do {
            let snapshotter = Snapshotter(graph: graph, store: store, log: context.log,
                                          crashAfterPages: context.environment["LEAVERSWEEP_TEST_CRASH_AFTER_PAGES"].flatMap(Int.init),
                                          forceFull: fullSnapshot)
            let appChecks = AppChecks(configuration: configuration, environment: context.environment, transport: context.transport,
                                      graph: graph, store: store, log: context.log, sleep: context.sleep)
            let provisioning = appChecks.startProvisioning(runStart: startedAt)
            // However the snapshot ends, the provisioning thread is finished before the store goes away.
            defer { _ = provisioning?.result() }
            let snapshot = try store.withRelaxedDurability {
                try snapshotter.snapshot(runId: runId, runStart: startedAt, excludeGroups: configuration.policy.excludeGroups)
            }
            warnings += snapshot.warnings
            let appsStarted = Date()
            let apps = try appChecks.run(runStart: startedAt, provisioning: provisioning)
            context.log.debug("apps: \(apps.statuses.count) app checks in \(RunLog.elapsed(since: appsStarted))")
            warnings += apps.warnings
            appStatuses = apps.statuses
            let reconciled = try reconcile(store: store, graph: graph, runId: runId, startedAt: startedAt,
                                           newlyDisabled: snapshot.newlyDisabled, excludedMembers: snapshot.excludedMembers, apps: apps)
            reported = reconciled.findings
            guardTripped = reconciled.guardTripped
            if let reason = guardTripped { warnings.insert(reason, at: 0) }
            if let stopped = reconciled.stoppedBy { failure = "\(stopped)" }
            // A one-off --dry-run leaves the history (and so tomorrow's "new" and "fixed") untouched.
            if !dryRun {
                try store.recordFindings(reported, runId: runId)
                history = try store.history(runId: runId, startedAt: startedAt, openTonight: RunReport.Summary(findings: reported).open)
            }
        } catch {
            failure = "\(error)"
        }
        if let failure { context.log.error(failure) }
        logFailedWrites(reported)

        let counts = (try? store.countUsers()) ?? (all: 0, disabled: 0)
        let finishedAt = context.now()
        var report = RunReport(
            run: .init(id: runId, tenant: configuration.tenant.id, mode: mode, startedAt: startedAt, finishedAt: finishedAt,
                       outcome: failure == nil ? "completed" : "failed", failure: failure, disabledUsers: counts.disabled,
                       usersScanned: counts.all, devicesScanned: (try? store.countDevices()) ?? 0),
            warnings: warnings, findings: reported, history: history, apps: appStatuses
        )
        report.run.guardTripped = guardTripped
        for warning in warnings { context.log.warning(warning) }
        try store.finishRun(runId, report: report, finishedAt: finishedAt)
        // Mail first: it is queued in the database, so a full disk or bad report path can't lose it.
        let mail = dryRun ? nil : mailReport(report, store: store)
        if let path = configuration.report.json {
            try PrivateFile.write(try ReportJSON.encode(report), to: path)
        }
        return RunResult(report: report, traffic: graph.traffic, reportPath: configuration.report.json, mail: mail)
    }

    /// Queues and sends the report email. Every failure here is a mail failure (exit 3), never a failed run.
    private func mailReport(_ report: RunReport, store: StateStore) -> MailOutcome? {
        guard let email = configuration.email else { return nil }
        var outcome: MailOutcome
        do {
            let password = try email.password.map { try SecretLoader.load($0, environment: context.environment, purpose: .smtpPassword) }
            if let warning = password?.warning { context.log.warning(warning) }
            let sender = context.makeMailSender(.init(url: email.smtpURL, startTLS: email.startTLS, username: email.username, password: password?.secret))
            var mailer = ReportMailer(settings: email, sender: sender, store: store, now: context.now)
            mailer.owners = Dictionary(configuration.apps.compactMap { app in app.notifyOwner ? app.owner.map { (app.name, $0) } : nil }) { first, _ in first }
            outcome = mailer.deliver(report)
        } catch {
            outcome = MailOutcome(failure: "\(error)")
        }
        if let failure = outcome.failure {
            context.log.error("\(failure); \(outcome.pending) report(s) kept in the outbox for the next run")
            let waiting = report.summary.flagged + report.summary.failed
            if waiting > 0 {
                // Exit status 3 outranks 2: say here what the missing email would have said.
                context.log.error("\(waiting) finding(s) need a person tonight; see `leaversweep report --run \(report.run.id)`")
            }
        }
        return outcome
    }

    /// Writes Graph refused for reasons a person must fix (permissions, outages) are errors, so `--quiet` cron
    /// mail shows them; refusals that are already somebody's task (non-Windows devices) are not.
    private func logFailedWrites(_ findings: [ReportedFinding]) {
        let unexpected = findings.filter { $0.status == .failed && $0.humanTask == nil }
        guard !unexpected.isEmpty else { return }
        let byCause = Dictionary(grouping: unexpected) { "\($0.action?.rawValue ?? "write") → \($0.error?.httpStatus.map(String.init) ?? "no answer") \($0.error?.code ?? "")" }
        for (cause, group) in byCause.sorted(by: { $0.key < $1.key }) {
            let example = group[0].error
            context.log.error("\(group.count) write(s) failed: \(cause): \(example?.message ?? "") (e.g. request-id \(example?.requestId ?? "none")); they are retried next run")
        }
    }
}
