import Foundation

/// Colours of the HTML report. Text pairs keep a contrast ratio of at least 7:1 (WCAG AAA) on their background.
enum Palette {
    struct Pair {
        var foreground: String
        var background: String
    }

    static let fontStack = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif"
    static let page = "#f3f4f6"
    static let text = "#111827"
    static let muted = "#4b5563"
    static let rule = "#d1d5db"
    static let tint = "#f9fafb"
    static let band = "#1e3a8a"
    static let bar = "#3b82f6"

    static let new = Pair(foreground: "#1e40af", background: "#dbeafe")
    static let applied = Pair(foreground: "#166534", background: "#dcfce7")
    static let failed = Pair(foreground: "#991b1b", background: "#fee2e2")
    static let planned = Pair(foreground: "#3730a3", background: "#e0e7ff")
    static let flagged = Pair(foreground: "#92400e", background: "#fef3c7")
    static let person = Pair(foreground: "#6b21a8", background: "#f3e8ff")
    static let neutral = Pair(foreground: "#374151", background: "#e5e7eb")

    static let failedCallout = (pair: Pair(foreground: "#7f1d1d", background: "#fef2f2"), border: "#b91c1c")
    static let warningCallout = (pair: Pair(foreground: "#78350f", background: "#fffbeb"), border: "#d97706")

    static func status(_ status: FindingStatus) -> Pair {
        switch status {
        case .applied: return applied
        case .failed: return failed
        case .planned: return planned
        case .flagged: return flagged
        case .excluded: return neutral
        }
    }
}

extension HTMLReport {
    /// A status badge: a coloured table cell, because Outlook ignores padding and radius on inline elements.
    /// `text` must already be escaped.
    static func badge(_ text: String, _ colours: Palette.Pair) -> String {
        "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr>"
            + "<td style=\"background-color:\(colours.background);color:\(colours.foreground);font-size:11px;line-height:16px;"
            + "font-weight:bold;padding:2px 8px;border-radius:9px;white-space:nowrap;\">\(text)</td></tr></table>"
    }

    /// A boxed sentence under the header (failure, warnings). `content` must already be escaped.
    static func callout(_ content: String, _ style: (pair: Palette.Pair, border: String)) -> String {
        """
        <tr><td class="ls-pad" style="padding:16px 32px 0 32px;">
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>\
        <td style="background-color:\(style.pair.background);border-left:4px solid \(style.border);color:\(style.pair.foreground);padding:12px 16px;">\(content)</td>\
        </tr></table>
        </td></tr>

        """
    }

    /// A titled section of the report. `title`, `note` and `content` must already be escaped.
    static func section(_ title: String, note: String? = nil, _ content: String) -> String {
        let noteHTML = note.map { "<p style=\"margin:0 0 8px 0;font-size:13px;color:\(Palette.muted);\">\($0)</p>\n" } ?? ""
        return """
        <tr><td class="ls-pad" style="padding:28px 32px 0 32px;">
        <h2 style="margin:0 0 8px 0;padding-bottom:6px;border-bottom:2px solid \(Palette.band);font-size:18px;line-height:24px;color:\(Palette.text);">\(title)</h2>
        \(noteHTML)\(content)
        </td></tr>

        """
    }

    /// A sub-heading inside a section, with a count.
    static func subheading(_ title: String, count: Int, note: String? = nil) -> String {
        var html = "<h3 style=\"margin:16px 0 6px 0;font-size:15px;line-height:20px;color:\(Palette.text);\">\(title) "
            + "<span style=\"font-weight:normal;color:\(Palette.muted);\">(\(count))</span></h3>\n"
        if let note {
            html += "<p style=\"margin:0 0 6px 0;font-size:13px;line-height:18px;color:\(Palette.muted);\">\(note)</p>\n"
        }
        return html
    }

    static func emptyNote(_ text: String) -> String {
        "<p style=\"margin:4px 0;color:\(Palette.muted);\">\(text)</p>\n"
    }

    /// A coloured label inside a table cell; lighter than `badge`, for rows (Outlook shows it without padding).
    /// `text` must already be escaped.
    static func pill(_ text: String, _ colours: Palette.Pair) -> String {
        "<span style=\"background-color:\(colours.background);color:\(colours.foreground);font-size:11px;font-weight:bold;padding:1px 6px;\">\(text)</span>"
    }

    /// The note under a list cut at its limit.
    static func moreNote(_ hidden: Int) -> String {
        hidden > 0 ? "<p style=\"margin:6px 0 0 0;font-size:13px;color:\(Palette.muted);\">\(HTMLText.escape(ReportListing.more(hidden)))</p>\n" : ""
    }

    /// Style of a row's cells. Tables of rows get `cellpadding="6"` and rows `valign="top"`, so a cell only needs
    /// its rule: a report can have a hundred rows, and every byte counts against Gmail's clip.
    static let cell = "border-bottom:1px solid \(Palette.rule);"
    static let tableStart = "<table role=\"presentation\" width=\"100%\" cellpadding=\"6\" cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse;\">\n"

    /// What to show in the last column of a findings table.
    enum LastColumn {
        case age
        case task
        case none
    }

    /// A findings table: status, user, what (with the detail and Graph's error the first time a finding is
    /// listed), and an optional column; at most `listing.limit` rows.
    static func findingsTable(_ entries: [ReportDigest.Entry], last: LastColumn, markNew: Bool, listing: inout ReportListing) -> String {
        let (shown, hidden) = ReportListing.capped(entries, limit: listing.limit)
        let head = "border-bottom:1px solid \(Palette.muted);font-size:11px;text-transform:uppercase;color:\(Palette.muted);"
        var html = tableStart
        // Fixed column widths so consecutive tables line up and names do not wrap letter by letter.
        html += "<tr><th align=\"left\" width=\"76\" style=\"\(head)\">Status</th><th align=\"left\" width=\"34%\" style=\"\(head)\">User</th>"
            + "<th align=\"left\" style=\"\(head)\">What</th>"
        switch last {
        case .age: html += "<th align=\"right\" width=\"60\" style=\"\(head)\">Open</th>"
        case .task: html += "<th align=\"left\" width=\"110\" style=\"\(head)\">To do</th>"
        case .none: break
        }
        html += "</tr>\n"
        for entry in shown {
            let finding = entry.finding
            var status = pill(finding.status.rawValue, Palette.status(finding.status))
            if markNew, entry.isNew { status += "<br>" + pill("new", Palette.new) }
            var what = whatCell(entry)
            if listing.showsDetail(of: entry) { what += "<br>" + detailCell(finding) }
            html += "<tr valign=\"top\"><td style=\"\(cell)\">\(status)</td><td style=\"\(cell)\">\(userCell(finding.user))</td><td style=\"\(cell)\">\(what)</td>"
            switch last {
            case .age:
                let age = entry.ageDays.map { $0 == 1 ? "1 day" : "\($0) days" } ?? "–"
                html += "<td align=\"right\" style=\"\(cell)white-space:nowrap;\">\(age)</td>"
            case .task:
                html += "<td style=\"\(cell)\">\(finding.humanTask.map { HTMLText.escape($0.label) } ?? "–")</td>"
            case .none:
                break
            }
            html += "</tr>\n"
        }
        return html + "</table>\n" + moreNote(hidden)
    }

    /// The kind, and the device or app it is about; a sessions finding is about the user, already in the row.
    static func whatCell(_ entry: ReportDigest.Entry) -> String {
        let kind = HTMLText.escape(entry.finding.kind.label)
        guard entry.finding.kind != .sessionsNotRevoked else { return kind }
        return "\(kind): <strong>\(HTMLText.safe(entry.objectName, limit: 100))</strong>"
    }

    static func userCell(_ user: ReportedFinding.UserRef) -> String {
        let upn = "<span style=\"font-size:12px;color:\(Palette.muted);word-break:break-all;\">\(HTMLText.safe(user.userPrincipalName, limit: 120))</span>"
        guard let name = user.displayName, !name.isEmpty else { return upn }
        return "<strong>\(HTMLText.safe(name, limit: 100))</strong><br>\(upn)"
    }

    /// The finding's sentence, and Graph's error (or the request-id of an applied write).
    static func detailCell(_ finding: ReportedFinding) -> String {
        var html = "<span style=\"color:\(Palette.muted);\">\(HTMLText.safe(finding.detail))</span>"
        if let error = finding.error {
            let status = error.httpStatus.map { "HTTP \($0) " } ?? ""
            let code = error.code.map { "<strong>\(HTMLText.safe($0, limit: 80))</strong>: " } ?? ""
            html += "<div style=\"margin-top:4px;font-size:12px;color:\(Palette.failed.foreground);\">"
                + "\(finding.answeredBy) said \(status)\(code)\(HTMLText.safe(error.message))"
                + "<br>request-id <code>\(HTMLText.safe(error.requestId ?? "none", limit: 80))</code></div>"
        } else if let requestId = finding.requestId, finding.status == .applied {
            html += "<div style=\"margin-top:4px;font-size:12px;color:\(Palette.muted);\">request-id <code>\(HTMLText.safe(requestId, limit: 80))</code></div>"
        }
        return html
    }
}
