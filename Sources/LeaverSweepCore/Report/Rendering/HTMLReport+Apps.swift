import Foundation

extension HTMLReport {
    /// The per-app view: each app as a grey heading row, its checks below (a problem on a red tint), then its
    /// leavers, open ones first. Apps checked with nothing found share one line at the end.
    static func apps(_ digest: ReportDigest, listing: inout ReportListing) -> String {
        guard !digest.apps.isEmpty else { return "" }
        let apps = ReportListing.cappedApps(digest.apps, limit: listing.limit)
        let tonight = Set(digest.appliedTonight.map(\.finding.key))
        let markNew = !digest.isFirstRun
        var html = ""
        if !apps.shown.isEmpty {
            html += tableStart
            for (section, entries) in apps.shown {
                html += "<tr><td colspan=\"3\" style=\"background-color:\(Palette.neutral.background);color:\(Palette.text);font-weight:bold;\">"
                    + "\(HTMLText.safe(section.app, limit: 100)) <span style=\"font-weight:normal;color:\(Palette.neutral.foreground);\">· "
                    + "\(ReportListing.appCounts(section))</span></td></tr>\n"
                for status in section.statuses {
                    html += appStatusRow(status)
                }
                for entry in entries {
                    html += appRow(entry, app: section.app, appliedTonight: tonight.contains(entry.finding.key), markNew: markNew, listing: &listing)
                }
            }
            html += "</table>\n"
        }
        html += moreNote(apps.hiddenRows)
        if apps.hiddenProblemApps > 0 {
            html += emptyNote(HTMLText.escape("…and \(apps.hiddenProblemApps) more apps with a problem — see the JSON report (--format json)."))
        }
        html += quietApps(apps.quiet, limit: listing.limit)
        let count = digest.apps.count
        return section(
            "Apps",
            note: "\(count) \(count == 1 ? "app" : "apps") with a check or a finding tonight: how each check went, then every leaver with access or an account there, open first.",
            html
        )
    }

    /// One check of an app: its result as a pill, what was checked, and for a problem since when, why, and what it
    /// holds up.
    static func appStatusRow(_ status: AppStatus) -> String {
        let facts = ReportListing.facts(status)
        var parts = [HTMLText.escape(status.source.label)] + facts.ours.map(HTMLText.escape)
        if let owner = facts.owner { parts.append("owner \(HTMLText.safe(owner, limit: 100))") }
        if let since = facts.since { parts.append("since \(HTMLText.safe(since, limit: 40))") }
        var html = "\(pill(HTMLText.escape(status.health.label), status.isProblem ? Palette.failed : Palette.applied)) " + parts.joined(separator: " · ")
        guard status.isProblem else {
            if let detail = facts.detail { html += "<br><span style=\"color:\(Palette.muted);\">\(HTMLText.safe(detail, limit: 300))</span>" }
            return "<tr><td colspan=\"3\" style=\"\(cell)padding-left:14px;\">\(html)</td></tr>\n"
        }
        if let detail = facts.detail { html += "<br>\(HTMLText.safe(detail, limit: 300))" }
        if let consequence = ReportListing.consequence(status) { html += "<br><strong>\(HTMLText.escape(consequence))</strong>" }
        let colours = Palette.failedCallout
        return "<tr><td colspan=\"3\" style=\"\(cell)padding-left:14px;background-color:\(colours.pair.background);"
            + "color:\(colours.pair.foreground);border-left:4px solid \(colours.border);\">\(html)</td></tr>\n"
    }

    /// A leaver's row under an app: status, user, and what it is with the next step (or what LeaverSweep did),
    /// the detail only the first time the finding is listed.
    static func appRow(_ entry: ReportDigest.Entry, app: String, appliedTonight: Bool, markNew: Bool, listing: inout ReportListing) -> String {
        let finding = entry.finding
        var status = pill(finding.status.rawValue, Palette.status(finding.status))
        if markNew, entry.isNew { status += "<br>" + pill("new", Palette.new) }
        var what = HTMLText.escape(finding.kind.label)
        // Role assignments and grants carry the app's name as their object too; say it once.
        if entry.objectName != app { what += ": <strong>\(HTMLText.safe(entry.objectName, limit: 100))</strong>" }
        if let step = ReportListing.appStep(entry, appliedTonight: appliedTonight) {
            let colour = finding.status == .applied ? Palette.applied.foreground : Palette.person.foreground
            what += "<br><span style=\"color:\(colour);\">\(HTMLText.escape(step))</span>"
        }
        if listing.showsDetail(of: entry) { what += "<br>" + detailCell(finding) }
        return "<tr valign=\"top\"><td width=\"76\" style=\"\(cell)padding-left:14px;\">\(status)</td>"
            + "<td width=\"34%\" style=\"\(cell)\">\(userCell(finding.user))</td><td style=\"\(cell)\">\(what)</td></tr>\n"
    }

    /// "Checked, nothing found: …" for apps without a finding or a problem, at most `limit` names.
    static func quietApps(_ apps: [ReportDigest.AppSection], limit: Int) -> String {
        guard !apps.isEmpty else { return "" }
        let (shown, hidden) = ReportListing.capped(apps, limit: limit)
        var names = shown.map { section in
            let facts = section.statuses.flatMap { status in [status.source.label] + ReportListing.facts(status).ours }
            let suffix = facts.isEmpty ? "" : " (\(HTMLText.escape(facts.joined(separator: ", "))))"
            return "<strong>\(HTMLText.safe(section.app, limit: 100))</strong>\(suffix)"
        }
        if hidden > 0 { names.append("and \(hidden) more") }
        return "<p style=\"margin:8px 0 0 0;color:\(Palette.muted);\">Checked, nothing found: \(names.joined(separator: "; ")).</p>\n"
    }

    /// The summary's line on apps that could not be checked or whose provisioning is stalled, naming them.
    static func appProblemCallout(_ digest: ReportDigest) -> String {
        guard let sentence = ReportListing.appProblemSentence(digest) else { return "" }
        let apps = digest.appsWithProblems
        let (shown, hidden) = ReportListing.capped(apps, limit: ReportListing.summaryAppNames)
        var names = shown.map { "\(HTMLText.safe($0.app, limit: 100)) (\(HTMLText.escape(ReportListing.problemLabel($0))))" }
        if hidden > 0 { names.append("and \(hidden) more") }
        return callout("<strong>\(HTMLText.escape(sentence)):</strong> \(names.joined(separator: ", ")). See Apps below.", Palette.warningCallout)
    }
}
