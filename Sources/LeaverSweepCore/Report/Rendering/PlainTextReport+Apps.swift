import Foundation

extension PlainTextReport {
    /// The per-app view, as in the HTML part: each app with its counts, its checks (a problem marked `!!`), then
    /// its leavers, open ones first; apps checked with nothing found share one line at the end.
    static func apps(_ digest: ReportDigest, into out: inout TextLines, listing: inout ReportListing) {
        guard !digest.apps.isEmpty else { return }
        let apps = ReportListing.cappedApps(digest.apps, limit: listing.limit)
        let tonight = Set(digest.appliedTonight.map(\.finding.key))
        let markNew = !digest.isFirstRun
        out.heading("Apps (\(digest.apps.count))")
        out.wrap("How each app's check went tonight, then every leaver with access or an account there, open first.")
        for (section, entries) in apps.shown {
            out.subheading("\(TerminalText.safe(section.app, limit: 100)) — \(ReportListing.appCounts(section))")
            for status in section.statuses {
                statusLines(status, into: &out)
            }
            for entry in entries {
                let finding = entry.finding
                var first = "  - [\(finding.status.rawValue)\(markNew && entry.isNew ? ", new" : "")] \(TextLines.user(finding.user)) — \(finding.kind.label)"
                if entry.objectName != section.app { first += ": \(TerminalText.safe(entry.objectName, limit: 100))" }
                out.wrap(first, continuation: "      ")
                if let step = ReportListing.appStep(entry, appliedTonight: tonight.contains(finding.key)) {
                    out.wrap("      \(step)", continuation: "      ")
                }
                if listing.showsDetail(of: entry) { out.detail(of: finding) }
            }
        }
        out.more(apps.hiddenRows)
        if apps.hiddenProblemApps > 0 {
            out.line("  …and \(apps.hiddenProblemApps) more apps with a problem — see the JSON report (--format json).")
        }
        if !apps.quiet.isEmpty {
            let (shown, hidden) = ReportListing.capped(apps.quiet, limit: listing.limit)
            var names = shown.map { section in
                let facts = section.statuses.flatMap { [$0.source.label] + ReportListing.facts($0).ours }
                return TerminalText.safe(section.app, limit: 100) + (facts.isEmpty ? "" : " (\(facts.joined(separator: ", ")))")
            }
            if hidden > 0 { names.append("and \(hidden) more") }
            out.blank()
            out.wrap("Checked, nothing found: \(names.joined(separator: "; ")).", continuation: "  ")
        }
    }

    /// `  ok: SCIM app · 7 leavers checked`, or for a problem `  !! NOT CHECKED: SCIM app · since …` with its
    /// reason and what it holds up.
    static func statusLines(_ status: AppStatus, into out: inout TextLines) {
        let facts = ReportListing.facts(status)
        var parts = [status.source.label] + facts.ours
        if let owner = facts.owner { parts.append("owner \(TerminalText.safe(owner, limit: 100))") }
        if let since = facts.since { parts.append("since \(TerminalText.safe(since, limit: 40))") }
        let mark = status.isProblem ? "!! \(status.health.label.uppercased())" : status.health.label
        out.wrap("  \(mark): \(parts.joined(separator: " · "))", continuation: "      ")
        if let detail = facts.detail { out.wrap("      \(TerminalText.safe(detail, limit: 300))", continuation: "      ") }
        if let consequence = ReportListing.consequence(status) { out.wrap("      \(consequence)", continuation: "      ") }
    }

    /// The summary's line on apps that could not be checked or whose provisioning is stalled, naming them.
    static func appProblems(_ digest: ReportDigest, into out: inout TextLines) {
        guard let sentence = ReportListing.appProblemSentence(digest) else { return }
        let (shown, hidden) = ReportListing.capped(digest.appsWithProblems, limit: ReportListing.summaryAppNames)
        var names = shown.map { "\(TerminalText.safe($0.app, limit: 100)) (\(ReportListing.problemLabel($0)))" }
        if hidden > 0 { names.append("and \(hidden) more") }
        out.blank()
        out.wrap("!! \(sentence): \(names.joined(separator: ", ")). See APPS below.", continuation: "   ")
    }
}
