import Foundation

extension ReportDigest {
    /// Sorts tonight's findings into the report's sections.
    ///
    /// - Parameter now: the instant ages are measured to (usually when the email is rendered); passed in because
    ///   the core never reads the clock.
    public init(report: RunReport, now: Date) {
        let history = report.history
        // Excluded accounts are reported but are not drift: never "new", even when the history (an older store, a
        // stored JSON report) lists their keys as first seen tonight.
        let newKeys = Set(history?.newKeys ?? [])
        let startedAt = GraphTimestamp.parse(report.run.startedAt)

        func days(since text: String?) -> Int? {
            guard let text, let date = GraphTimestamp.parse(text) else { return nil }
            return max(0, Int((now.timeIntervalSince(date) / 86_400).rounded(.down)))
        }
        let entries = report.findings.map { finding in
            let firstSeen = history?.firstSeen[finding.key]
            let isNew = newKeys.contains(finding.key) && finding.status != .excluded
            return Entry(finding: finding, isNew: isNew, firstSeen: firstSeen, ageDays: days(since: firstSeen))
        }
        func select(_ predicate: (ReportedFinding) -> Bool) -> [Entry] { entries.filter { predicate($0.finding) } }

        let open = select { $0.status != .applied && $0.status != .excluded }
        let applied = select { $0.status == .applied }
        let appliedTonight = applied.filter { entry in
            guard let at = entry.finding.appliedAt.flatMap(GraphTimestamp.parse), let startedAt else { return false }
            return at >= startedAt
        }

        self.header = Header(
            tenant: report.run.tenant,
            tenantShortName: ReportSubject.tenantShortName(report.run.tenant),
            runId: report.run.id,
            mode: report.run.mode,
            startedAt: startedAt.map(GraphTimestamp.readable) ?? report.run.startedAt,
            outcome: report.run.outcome,
            failure: report.run.failure,
            warnings: report.warnings,
            usersScanned: report.run.usersScanned,
            disabledUsers: report.run.disabledUsers,
            devicesScanned: report.run.devicesScanned,
            previousRunId: history?.previousRunId
        )
        self.hasHistory = history != nil
        self.newFindings = entries.filter(\.isNew)
        self.fixedFindings = (history?.fixed ?? []).map { FixedEntry(finding: $0, openDays: days(since: $0.firstSeenAt)) }
        self.stillOpen = Self.oldestFirst(open.filter { !$0.isNew })
        self.appliedTonight = appliedTonight
        self.appliedEarlier = applied.filter { entry in !appliedTonight.contains { $0.finding.key == entry.finding.key } }
        self.failedTonight = select { $0.status == .failed }
        self.planned = select { $0.status == .planned }
        self.needsPerson = NeedsPerson(open: open)
        self.apps = Self.appSections(entries: entries, statuses: report.apps)
        self.excluded = select { $0.status == .excluded }
        self.trend = (history?.trend ?? []).suffix(14).map { point in
            TrendBar(
                runId: point.runId,
                label: Self.monthDay(point.startedAt),
                openFindings: point.openFindings,
                isThisRun: point.runId == report.run.id
            )
        }
        self.guardTripped = report.run.guardTripped != nil
        self.footer = Footer(
            reportCommand: "leaversweep report --run \(report.run.id)",
            schemaVersion: report.schemaVersion,
            generatedAt: GraphTimestamp.readable(now)
        )
        self.counts = Counts(
            findings: entries.count,
            new: newFindings.count,
            open: open.count,
            fixed: history?.fixed.count ?? 0,
            applied: appliedTonight.count,
            failed: failedTonight.count,
            planned: planned.count,
            needsPerson: needsPerson.count,
            excluded: excluded.count
        )
    }

    /// `2026-11-20T02:17:00.000Z` → `11-20`.
    static func monthDay(_ timestamp: String) -> String {
        guard let date = GraphTimestamp.parse(timestamp) else { return "?" }
        let formatted = GraphTimestamp.format(date)
        return String(formatted.dropFirst(5).prefix(5))
    }

    /// Every app named by a finding or a status, alphabetically; within an app, open findings (oldest first) and
    /// then the ones acted on, users alphabetically within each.
    static func appSections(entries: [Entry], statuses: [AppStatus]) -> [AppSection] {
        var byApp: [String: [Entry]] = [:]
        for entry in entries where entry.finding.status != .excluded {
            guard let app = entry.appName else { continue }
            byApp[app, default: []].append(entry)
        }
        let names = Set(byApp.keys).union(statuses.map(\.app))
        return names.sorted { ($0.lowercased(), $0) < ($1.lowercased(), $1) }.map { app in
            let all = (byApp[app] ?? []).sorted { $0.finding.user.userPrincipalName.lowercased() < $1.finding.user.userPrincipalName.lowercased() }
            let open = oldestFirst(all.filter { $0.finding.status != .applied })
            return AppSection(app: app, statuses: statuses.filter { $0.app == app }, entries: open + all.filter { $0.finding.status == .applied })
        }
    }

    /// Longest open first; findings without a known age (no history) keep their order at the end.
    static func oldestFirst(_ entries: [Entry]) -> [Entry] {
        entries.enumerated().sorted { lhs, rhs in
            let (left, right) = (lhs.element.ageDays ?? -1, rhs.element.ageDays ?? -1)
            return left != right ? left > right : lhs.offset < rhs.offset
        }.map(\.element)
    }
}

extension ReportDigest.NeedsPerson {
    /// Sorts open findings with a human task into the lists; tonight's failures without one are "to investigate".
    init(open: [ReportDigest.Entry]) {
        func tasked(_ task: HumanTask) -> [ReportDigest.Entry] { open.filter { $0.finding.humanTask == task } }
        let appTasks: Set<HumanTask> = [.reviewAppAccess, .deprovisionInApp, .deprovisionByHand]
        self.disableInOnPremisesAD = tasked(.disableInOnPremisesAD)
        self.disableInMDM = tasked(.disableInMDM)
        self.reEnabledDevices = tasked(.reviewReenabledDevice)
        self.appsByName = Self.grouped(open.filter { $0.finding.humanTask.map(appTasks.contains) ?? false })
        self.failedWritesToInvestigate = open.filter { entry in
            entry.finding.humanTask == .investigateFailedAction || (entry.finding.status == .failed && entry.finding.humanTask == nil)
        }
    }

    /// Groups by app name (the object's display name, or its id), apps in alphabetical order, users within an app too.
    static func grouped(_ entries: [ReportDigest.Entry]) -> [ReportDigest.AppGroup] {
        var order: [String] = []
        var groups: [String: [ReportDigest.Entry]] = [:]
        for entry in entries {
            let app = entry.appName ?? entry.objectName
            if groups[app] == nil { order.append(app) }
            groups[app, default: []].append(entry)
        }
        return order
            .sorted { ($0.lowercased(), $0) < ($1.lowercased(), $1) }
            .map { app in
                let users = groups[app, default: []].sorted { $0.finding.user.userPrincipalName.lowercased() < $1.finding.user.userPrincipalName.lowercased() }
                return ReportDigest.AppGroup(app: app, entries: users)
            }
    }
}
