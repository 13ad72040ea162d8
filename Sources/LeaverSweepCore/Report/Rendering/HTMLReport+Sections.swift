import Foundation

extension HTMLReport {
    static func changes(_ digest: ReportDigest) -> String {
        guard digest.hasHistory else {
            return section("What changed since the last run", emptyNote("No history for this run: it stopped before its findings were recorded."))
        }
        let since = digest.header.previousRunId.map { "Compared with run \($0)." } ?? "This is the first recorded run: every finding is new."
        var html = subheading("New", count: digest.newFindings.count)
        html += digest.newFindings.isEmpty ? emptyNote("No new findings.") : findingsTable(digest.newFindings, last: .none)

        html += subheading("Fixed", count: digest.fixedFindings.count, note: "Open after the previous run, gone tonight.")
        if digest.fixedFindings.isEmpty {
            html += emptyNote("Nothing was fixed since the last run.")
        } else {
            html += fixedTable(digest.fixedFindings)
        }

        html += subheading("Still open", count: digest.stillOpen.count, note: "Seen on an earlier run too; longest open first.")
        html += digest.stillOpen.isEmpty ? emptyNote("Nothing else is open.") : findingsTable(digest.stillOpen, last: .age)
        return section("What changed since the last run", note: since, html)
    }

    static func actions(_ digest: ReportDigest) -> String {
        var html = ""
        if digest.header.isReportOnly {
            html += emptyNote("This run was in \(digest.header.mode.rawValue) mode: LeaverSweep changed nothing in the tenant.")
        } else {
            html += subheading("Applied tonight", count: digest.appliedTonight.count)
            html += digest.appliedTonight.isEmpty ? emptyNote("No writes were applied tonight.") : findingsTable(digest.appliedTonight, last: .none)
            html += subheading("Failed", count: digest.failedTonight.count, note: "Graph refused these writes or they could not be sent.")
            html += digest.failedTonight.isEmpty ? emptyNote("No write failed.") : findingsTable(digest.failedTonight, last: .task)
        }
        if !digest.planned.isEmpty {
            html += subheading("Planned, not sent", count: digest.planned.count, note: "LeaverSweep would send these writes in enforce mode.")
            html += findingsTable(digest.planned, last: .none)
        }
        if !digest.appliedEarlier.isEmpty {
            html += subheading("Applied on an earlier run", count: digest.appliedEarlier.count, note: "The directory does not show the change yet; not sent again.")
            html += findingsTable(digest.appliedEarlier, last: .none)
        }
        return section("Actions", html)
    }

    static func needsPerson(_ digest: ReportDigest) -> String {
        let lists = digest.needsPerson
        guard !lists.isEmpty else {
            return section("Needs a person", emptyNote("Nothing needs a person tonight."))
        }
        var html = ""
        let plain: [(String, String, [ReportDigest.Entry])] = [
            ("Disable in on-premises AD", "These devices are synced from Active Directory: a cloud disable would be undone by the next sync.", lists.disableInOnPremisesAD),
            ("Retire or disable in Intune", "Graph does not let an app disable these devices (not Windows); the MDM admin must retire or disable them.", lists.disableInMDM),
            ("Re-enabled after LeaverSweep disabled them", "Someone enabled these devices again. Find out who and why before disabling them again.", lists.reEnabledDevices),
        ]
        for (title, note, entries) in plain where !entries.isEmpty {
            html += subheading(title, count: entries.count, note: note)
            html += findingsTable(entries, last: .none)
        }
        html += groupedTable("App role assignments to remove, by app", note: "Remove these users from the app, or from the group that grants the role.", lists.appRoleAssignmentsByApp)
        html += groupedTable("Delegated grants to revoke, by client app", note: "These users consented to the client app themselves; revoke the grant.", lists.delegatedGrantsByClient)
        if !lists.failedWritesToInvestigate.isEmpty {
            html += subheading("Failed writes to investigate", count: lists.failedWritesToInvestigate.count, note: "Use the request-id when you ask Microsoft support.")
            html += findingsTable(lists.failedWritesToInvestigate, last: .none)
        }
        return section("Needs a person", html)
    }

    static func excluded(_ digest: ReportDigest) -> String {
        guard !digest.excluded.isEmpty else { return "" }
        return section(
            "Excluded accounts, skipped",
            note: "Excluded by policy (for example break-glass accounts), or enabled again during the run. Nothing was done.",
            findingsTable(digest.excluded, last: .none)
        )
    }

    /// Apps as grey heading rows with their users below: the admin works app by app.
    static func groupedTable(_ title: String, note: String, _ groups: [ReportDigest.AppGroup]) -> String {
        guard !groups.isEmpty else { return "" }
        let total = groups.reduce(0) { $0 + $1.entries.count }
        var html = subheading(title, count: total, note: note)
        let cell = "padding:6px 8px 6px 12px;border-bottom:1px solid \(Palette.rule);vertical-align:top;"
        html += "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse;\">\n"
        for group in groups {
            html += "<tr><td colspan=\"2\" style=\"padding:6px 8px;background-color:\(Palette.neutral.background);color:\(Palette.text);font-weight:bold;\">"
                + "\(HTMLText.safe(group.app)) <span style=\"font-weight:normal;color:\(Palette.neutral.foreground);\">· \(group.userCount) "
                + "\(group.userCount == 1 ? "user" : "users")</span></td></tr>\n"
            for entry in group.entries {
                html += "<tr><td width=\"40%\" style=\"\(cell)width:40%;\">\(userCell(entry.finding.user))</td><td style=\"\(cell)\">\(detailCell(entry.finding))</td></tr>\n"
            }
        }
        return html + "</table>\n"
    }

    static func fixedTable(_ entries: [ReportDigest.FixedEntry]) -> String {
        let cell = "padding:8px 8px 8px 0;border-bottom:1px solid \(Palette.rule);vertical-align:top;"
        var html = "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse;\">\n"
        for entry in entries {
            let fixed = entry.finding
            let since = GraphTimestamp.parse(fixed.firstSeenAt).map { String(GraphTimestamp.format($0).prefix(10)) } ?? "?"
            let days = entry.openDays.map { $0 == 1 ? " (1 day)" : " (\($0) days)" } ?? ""
            html += "<tr><td width=\"84\" style=\"\(cell)width:84px;\">\(badge("fixed", Palette.applied))</td>"
                + "<td style=\"\(cell)\"><span style=\"word-break:break-all;\">\(HTMLText.safe(fixed.userPrincipalName))</span></td>"
                + "<td style=\"\(cell)\">\(HTMLText.escape(fixed.kind.label))<br><strong>\(HTMLText.safe(fixed.objectDisplayName ?? "–"))</strong></td>"
                + "<td style=\"\(cell)padding-right:0;text-align:right;white-space:nowrap;color:\(Palette.muted);\">first seen \(since)\(days)</td></tr>\n"
        }
        return html + "</table>\n"
    }
}
