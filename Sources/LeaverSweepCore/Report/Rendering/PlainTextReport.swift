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
        header(digest, into: &out)
        changes(digest, into: &out)
        actions(digest, into: &out)
        needsPerson(digest, into: &out)
        if !digest.excluded.isEmpty {
            out.heading("Excluded accounts, skipped (\(digest.excluded.count))")
            out.wrap("Excluded by policy (for example break-glass accounts), or enabled again during the run. Nothing was done.")
            out.entries(digest.excluded, showAge: false)
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
        for warning in header.warnings {
            out.wrap("Warning: \(TerminalText.safe(warning, limit: 400))", continuation: "  ")
        }
        out.blank()
        let history = { (value: Int) in digest.hasHistory ? "\(value)" : "-" }
        let action = header.isReportOnly ? "\(counts.planned) planned" : "\(counts.applied) applied"
        out.line("  \(history(counts.new)) new   \(counts.open) open   \(history(counts.fixed)) fixed   \(action)   \(counts.failed) failed   \(counts.needsPerson) need a person")
    }

    static func changes(_ digest: ReportDigest, into out: inout TextLines) {
        out.heading("What changed since the last run")
        guard digest.hasHistory else {
            out.line("No history for this run: it stopped before its findings were recorded.")
            return
        }
        out.line(digest.header.previousRunId.map { "Compared with run \($0)." } ?? "This is the first recorded run: every finding is new.")
        out.subheading("New (\(digest.newFindings.count))")
        if digest.newFindings.isEmpty { out.line("  No new findings.") } else { out.entries(digest.newFindings, showAge: false) }

        out.subheading("Fixed (\(digest.fixedFindings.count))")
        if digest.fixedFindings.isEmpty { out.line("  Nothing was fixed since the last run.") }
        for entry in digest.fixedFindings {
            let fixed = entry.finding
            let object = fixed.objectDisplayName.map { ": \(TerminalText.safe($0))" } ?? ""
            let since = GraphTimestamp.parse(fixed.firstSeenAt).map { String(GraphTimestamp.format($0).prefix(10)) } ?? "?"
            let days = entry.openDays.map { $0 == 1 ? ", 1 day" : ", \($0) days" } ?? ""
            out.wrap("  - [fixed] \(TerminalText.safe(fixed.userPrincipalName)) — \(fixed.kind.label)\(object) (first seen \(since)\(days))", continuation: "      ")
        }

        out.subheading("Still open (\(digest.stillOpen.count)), longest open first")
        if digest.stillOpen.isEmpty { out.line("  Nothing else is open.") } else { out.entries(digest.stillOpen, showAge: true) }
    }

    static func actions(_ digest: ReportDigest, into out: inout TextLines) {
        out.heading("Actions")
        if digest.header.isReportOnly {
            out.line("This run was in \(digest.header.mode.rawValue) mode: LeaverSweep changed nothing in the tenant.")
        } else {
            out.subheading("Applied tonight (\(digest.appliedTonight.count))")
            if digest.appliedTonight.isEmpty { out.line("  No writes were applied tonight.") } else { out.entries(digest.appliedTonight, showAge: false) }
            out.subheading("Failed (\(digest.failedTonight.count))")
            if digest.failedTonight.isEmpty { out.line("  No write failed.") } else { out.entries(digest.failedTonight, showAge: false, showTask: true) }
        }
        if !digest.planned.isEmpty {
            out.subheading("Planned, not sent (\(digest.planned.count))")
            out.entries(digest.planned, showAge: false)
        }
        if !digest.appliedEarlier.isEmpty {
            out.subheading("Applied on an earlier run, not visible in the directory yet (\(digest.appliedEarlier.count))")
            out.entries(digest.appliedEarlier, showAge: false)
        }
    }

    static func needsPerson(_ digest: ReportDigest, into out: inout TextLines) {
        let lists = digest.needsPerson
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
            out.entries(entries, showAge: false)
        }
        let grouped: [(String, [ReportDigest.AppGroup])] = [
            ("App role assignments to remove, by app", lists.appRoleAssignmentsByApp),
            ("Delegated grants to revoke, by client app", lists.delegatedGrantsByClient),
        ]
        for (title, groups) in grouped where !groups.isEmpty {
            out.subheading("\(title) (\(groups.reduce(0) { $0 + $1.entries.count }))")
            for group in groups {
                out.line("  \(TerminalText.safe(group.app)) — \(group.userCount) \(group.userCount == 1 ? "user" : "users")")
                for entry in group.entries {
                    out.wrap("    - \(TextLines.user(entry.finding.user)): \(TerminalText.safe(entry.finding.detail))", continuation: "        ")
                }
            }
        }
        if !lists.failedWritesToInvestigate.isEmpty {
            out.subheading("Failed writes to investigate (\(lists.failedWritesToInvestigate.count))")
            out.entries(lists.failedWritesToInvestigate, showAge: false)
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
