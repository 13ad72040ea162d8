import Foundation

extension HTMLReport {
    static func changes(_ digest: ReportDigest, listing: inout ReportListing) -> String {
        let title = "What changed since the last run"
        guard digest.hasHistory else {
            return section(title, emptyNote("No history for this run: it stopped before its findings were recorded."))
        }
        guard !digest.isFirstRun else {
            // Everything is new on the first run: the other sections list the findings, by what was done and what is left.
            return section(title, emptyNote(HTMLText.escape(ReportListing.firstRunSentence(digest))))
        }
        var html = subheading("New", count: digest.newFindings.count)
        html += digest.newFindings.isEmpty
            ? emptyNote("No new findings.") : findingsTable(digest.newFindings, last: .none, markNew: false, listing: &listing)

        html += subheading("Fixed", count: digest.fixedFindings.count, note: "Open after the previous run, gone tonight.")
        html += digest.fixedFindings.isEmpty ? emptyNote("Nothing was fixed since the last run.") : fixedTable(digest.fixedFindings, limit: listing.limit)

        html += subheading("Still open", count: digest.stillOpen.count, note: "Seen on an earlier run too; longest open first.")
        html += digest.stillOpen.isEmpty
            ? emptyNote("Nothing else is open.") : findingsTable(digest.stillOpen, last: .age, markNew: false, listing: &listing)
        return section(title, note: digest.header.previousRunId.map { "Compared with run \($0)." }, html)
    }

    static func actions(_ digest: ReportDigest, listing: inout ReportListing) -> String {
        let markNew = !digest.isFirstRun
        var html = ""
        if digest.header.isReportOnly {
            html += emptyNote("This run was in \(digest.header.mode.rawValue) mode: LeaverSweep changed nothing in the tenant.")
        } else {
            html += subheading("Failed", count: digest.failedTonight.count, note: "Graph refused these writes or they could not be sent.")
            html += digest.failedTonight.isEmpty
                ? emptyNote("No write failed.")
                : findingsTable(digest.failedTonight, last: .task, markNew: markNew, listing: &listing)
            html += subheading("Applied tonight", count: digest.appliedTonight.count)
            html += digest.appliedTonight.isEmpty
                ? emptyNote("No writes were applied tonight.")
                : findingsTable(digest.appliedTonight, last: .none, markNew: markNew, listing: &listing)
        }
        if !digest.planned.isEmpty {
            html += subheading("Planned, not sent", count: digest.planned.count, note: "LeaverSweep would send these writes in enforce mode.")
            html += findingsTable(digest.planned, last: .none, markNew: markNew, listing: &listing)
        }
        if !digest.appliedEarlier.isEmpty {
            html += subheading("Applied on an earlier run", count: digest.appliedEarlier.count, note: "The directory does not show the change yet; not sent again.")
            html += findingsTable(digest.appliedEarlier, last: .none, markNew: markNew, listing: &listing)
        }
        return section("Actions", html)
    }

    static func needsPerson(_ digest: ReportDigest, listing: inout ReportListing) -> String {
        let lists = digest.needsPerson
        guard !lists.isEmpty else {
            return section("Needs a person", emptyNote("Nothing needs a person tonight."))
        }
        let markNew = !digest.isFirstRun
        var html = ""
        let plain: [(String, String, [ReportDigest.Entry])] = [
            ("Disable in on-premises AD", "These devices are synced from Active Directory: a cloud disable would be undone by the next sync.", lists.disableInOnPremisesAD),
            ("Retire or disable in Intune", "Graph does not let an app disable these devices (not Windows); the MDM admin must retire or disable them.", lists.disableInMDM),
            ("Re-enabled after LeaverSweep disabled them", "Someone enabled these devices again. Find out who and why before disabling them again.", lists.reEnabledDevices),
        ]
        for (title, note, entries) in plain where !entries.isEmpty {
            html += subheading(title, count: entries.count, note: note)
            html += findingsTable(entries, last: .none, markNew: markNew, listing: &listing)
        }
        let appRows = lists.appsByName.reduce(0) { $0 + $1.entries.count }
        if appRows > 0 {
            // Listed once, app by app, in the next section: the admin works through an app's users together.
            let apps = lists.appsByName.count
            html += subheading("App access and accounts to take away", count: appRows, note: "Listed under Apps below, in \(apps) \(apps == 1 ? "app" : "apps").")
        }
        if !lists.failedWritesToInvestigate.isEmpty {
            html += subheading("Failed writes to investigate", count: lists.failedWritesToInvestigate.count, note: "Use the request-id when you ask Microsoft support.")
            html += findingsTable(lists.failedWritesToInvestigate, last: .none, markNew: markNew, listing: &listing)
        }
        return section("Needs a person", note: "Work LeaverSweep cannot or must not do itself.", html)
    }

    static func excluded(_ digest: ReportDigest, listing: inout ReportListing) -> String {
        guard !digest.excluded.isEmpty else { return "" }
        return section(
            "Excluded accounts, skipped",
            note: "Excluded by policy (for example break-glass accounts), or enabled again during the run. Nothing was done.",
            findingsTable(digest.excluded, last: .none, markNew: false, listing: &listing)
        )
    }

    static func fixedTable(_ entries: [ReportDigest.FixedEntry], limit: Int) -> String {
        let (shown, hidden) = ReportListing.capped(entries, limit: limit)
        var html = tableStart
        for entry in shown {
            let fixed = entry.finding
            let since = GraphTimestamp.parse(fixed.firstSeenAt).map { String(GraphTimestamp.format($0).prefix(10)) } ?? "?"
            let days = entry.openDays.map { $0 == 1 ? " (1 day)" : " (\($0) days)" } ?? ""
            html += "<tr valign=\"top\"><td width=\"76\" style=\"\(cell)\">\(pill("fixed", Palette.applied))</td>"
                + "<td style=\"\(cell)\"><span style=\"word-break:break-all;\">\(HTMLText.safe(fixed.userPrincipalName, limit: 120))</span></td>"
                + "<td style=\"\(cell)\">\(HTMLText.escape(fixed.kind.label))<br><strong>\(HTMLText.safe(fixed.objectDisplayName ?? "–", limit: 100))</strong></td>"
                + "<td align=\"right\" style=\"\(cell)white-space:nowrap;color:\(Palette.muted);\">first seen \(since)\(days)</td></tr>\n"
        }
        return html + "</table>\n" + moreNote(hidden)
    }
}
