import Foundation

/// The plain-text part of the report email: the same sections as the HTML part, for text-only mail clients and
/// for `leaversweep report --format text`.
///
/// Directory strings go through `TerminalText.safe`, so control characters show as visible escapes instead of
/// moving a terminal's cursor or faking lines; lines are wrapped at 100 columns where there is a space to break at.
public enum PlainTextReport {
    static let width = 100

    public static func render(_ report: RunReport, now: Date) -> String {
        render(ReportDigest(report: report, now: now))
    }

    public static func render(_ digest: ReportDigest) -> String {
        var out = TextLines()
        // The same order, limits and detail-once rule as the HTML part (see `ReportListing`).
        var listing = ReportListing(digest)
        header(digest, into: &out)
        needsPerson(digest, into: &out, listing: &listing)
        apps(digest, into: &out, listing: &listing)
        changes(digest, into: &out, listing: &listing)
        actions(digest, into: &out, listing: &listing)
        if !digest.excluded.isEmpty {
            out.heading("Excluded accounts, skipped (\(digest.excluded.count))")
            out.wrap("Excluded by policy (for example break-glass accounts), or enabled again during the run. Nothing was done.")
            out.entries(digest.excluded, showAge: false, markNew: false, listing: &listing)
        }
        trend(digest, into: &out)
        out.blank()
        out.line("--")
        out.wrap("See this report again: \(digest.footer.reportCommand) (add --format text|json|html|csv).")
        out.wrap("The attached CSV lists every finding with full values. JSON report schema version \(digest.footer.schemaVersion).")
        out.line("Rendered \(digest.footer.generatedAt) by LeaverSweep.")
        return out.text
    }

    static func header(_ digest: ReportDigest, into out: inout TextLines) {
        let header = digest.header
        let counts = digest.counts
        out.line("LeaverSweep drift report — \(TerminalText.safe(header.tenant))")
        let mode = header.isReportOnly ? "\(header.mode.rawValue) (report only, nothing changed)" : "enforce"
        out.line("Run \(header.runId) · \(TerminalText.safe(header.startedAt, limit: 40)) · mode \(mode) · \(header.runFailed ? "RUN FAILED" : TerminalText.safe(header.outcome, limit: 40))")
        out.line("Scanned \(header.usersScanned) users (\(header.disabledUsers) disabled) and \(header.devicesScanned) devices.")
        if header.runFailed {
            out.blank()
            out.wrap("!! The run failed: \(TerminalText.safe(header.failure ?? "no reason was recorded", limit: 400))", continuation: "   ")
            out.wrap("   The lists below show what was found and done before it stopped.", continuation: "   ")
        }
        let warnings = ReportListing.capped(header.warnings, limit: ReportListing.warningLimit)
        for warning in warnings.shown {
            out.wrap("Warning: \(TerminalText.safe(warning, limit: 400))", continuation: "  ")
        }
        if warnings.hidden > 0 { out.line("Warnings: \(ReportListing.moreWarnings(warnings.hidden))") }
        out.blank()
        let history = { (value: Int) in digest.hasHistory ? "\(value)" : "-" }
        let action = header.isReportOnly ? "\(counts.planned) planned" : "\(counts.applied) applied"
        out.line("  \(history(counts.new)) new   \(counts.open) open   \(history(counts.fixed)) fixed   \(action)   \(counts.failed) failed   \(counts.needsPerson) need a person")
        appProblems(digest, into: &out)
    }

    static func changes(_ digest: ReportDigest, into out: inout TextLines, listing: inout ReportListing) {
        out.heading("What changed since the last run")
        guard digest.hasHistory else {
            out.line("No history for this run: it stopped before its findings were recorded.")
            return
        }
        guard !digest.isFirstRun else {
            out.wrap(ReportListing.firstRunSentence(digest))
            return
        }
        if let previous = digest.header.previousRunId { out.line("Compared with run \(previous).") }
        out.subheading("New (\(digest.newFindings.count))")
        if digest.newFindings.isEmpty { out.line("  No new findings.") }
        out.entries(digest.newFindings, showAge: false, markNew: false, listing: &listing)

        out.subheading("Fixed (\(digest.fixedFindings.count))")
        if digest.fixedFindings.isEmpty { out.line("  Nothing was fixed since the last run.") }
        let fixed = ReportListing.capped(digest.fixedFindings, limit: listing.limit)
        for entry in fixed.shown {
            let finding = entry.finding
            let object = finding.objectDisplayName.map { ": \(TerminalText.safe($0, limit: 100))" } ?? ""
            let since = GraphTimestamp.parse(finding.firstSeenAt).map { String(GraphTimestamp.format($0).prefix(10)) } ?? "?"
            let days = entry.openDays.map { $0 == 1 ? ", 1 day" : ", \($0) days" } ?? ""
            out.wrap("  - [fixed] \(TerminalText.safe(finding.userPrincipalName, limit: 120)) — \(finding.kind.label)\(object) (first seen \(since)\(days))", continuation: "      ")
        }
        out.more(fixed.hidden)

        out.subheading("Still open (\(digest.stillOpen.count)), longest open first")
        if digest.stillOpen.isEmpty { out.line("  Nothing else is open.") }
        out.entries(digest.stillOpen, showAge: true, markNew: false, listing: &listing)
    }

    static func actions(_ digest: ReportDigest, into out: inout TextLines, listing: inout ReportListing) {
        let markNew = !digest.isFirstRun
        out.heading("Actions")
        if digest.header.isReportOnly {
            out.line("This run was in \(digest.header.mode.rawValue) mode: LeaverSweep changed nothing in the tenant.")
        } else {
            out.subheading("Failed (\(digest.failedTonight.count))")
            if digest.failedTonight.isEmpty { out.line("  No write failed.") }
            out.entries(digest.failedTonight, showAge: false, showTask: true, markNew: markNew, listing: &listing)
            out.subheading("Applied tonight (\(digest.appliedTonight.count))")
            if digest.appliedTonight.isEmpty { out.line("  No writes were applied tonight.") }
            out.entries(digest.appliedTonight, showAge: false, markNew: markNew, listing: &listing)
        }
        if !digest.planned.isEmpty {
            out.subheading("Planned, not sent (\(digest.planned.count))")
            out.entries(digest.planned, showAge: false, markNew: markNew, listing: &listing)
        }
        if !digest.appliedEarlier.isEmpty {
            out.subheading("Applied on an earlier run, not visible in the directory yet (\(digest.appliedEarlier.count))")
            out.entries(digest.appliedEarlier, showAge: false, markNew: markNew, listing: &listing)
        }
    }

    static func needsPerson(_ digest: ReportDigest, into out: inout TextLines, listing: inout ReportListing) {
        let lists = digest.needsPerson
        let markNew = !digest.isFirstRun
        out.heading("Needs a person (\(lists.count))")
        guard !lists.isEmpty else {
            out.line("Nothing needs a person tonight.")
            return
        }
        let plain: [(String, String, [ReportDigest.Entry])] = [
            ("Disable in on-premises AD", "Synced from Active Directory: a cloud disable would be undone by the next sync.", lists.disableInOnPremisesAD),
            ("Retire or disable in Intune", "Graph does not let an app disable these devices (not Windows).", lists.disableInMDM),
            ("Re-enabled after LeaverSweep disabled them", "Find out who enabled them and why before disabling them again.", lists.reEnabledDevices),
        ]
        for (title, note, entries) in plain where !entries.isEmpty {
            out.subheading("\(title) (\(entries.count))")
            out.wrap("  \(note)", continuation: "  ")
            out.entries(entries, showAge: false, markNew: markNew, listing: &listing)
        }
        let appRows = lists.appsByName.reduce(0) { $0 + $1.entries.count }
        if appRows > 0 {
            // Listed once, app by app, in the next section: the admin works through an app's users together.
            let apps = lists.appsByName.count
            out.subheading("App access and accounts to take away (\(appRows))")
            out.wrap("  Listed under APPS below, in \(apps) \(apps == 1 ? "app" : "apps").", continuation: "  ")
        }
        if !lists.failedWritesToInvestigate.isEmpty {
            out.subheading("Failed writes to investigate (\(lists.failedWritesToInvestigate.count))")
            out.entries(lists.failedWritesToInvestigate, showAge: false, markNew: markNew, listing: &listing)
        }
    }

    static func trend(_ digest: ReportDigest, into out: inout TextLines) {
        guard !digest.trend.isEmpty else { return }
        out.heading("Open findings, last \(digest.trend.count) \(digest.trend.count == 1 ? "run" : "runs")")
        let maximum = max(1, digest.trend.map(\.openFindings).max() ?? 1)
        for bar in digest.trend {
            let length = bar.openFindings == 0 ? 0 : max(1, (40 * bar.openFindings + maximum / 2) / maximum)
            let blocks = String(repeating: "█", count: length)
            out.line("  \(TerminalText.safe(bar.label, limit: 10)) \(blocks)\(length > 0 ? " " : "")\(bar.openFindings)\(bar.isThisRun ? "  ← this run" : "")")
        }
    }
}
