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

    /// What to show in the last column of a findings table.
    enum LastColumn {
        case age
        case task
        case none
    }

    /// A findings table: status, user, what, detail (with Graph's error when there is one), and an optional column.
    static func findingsTable(_ entries: [ReportDigest.Entry], last: LastColumn) -> String {
        let cell = "padding:8px 8px 8px 0;border-bottom:1px solid \(Palette.rule);vertical-align:top;"
        let head = "padding:4px 8px 4px 0;border-bottom:1px solid \(Palette.muted);font-size:11px;line-height:14px;"
            + "text-transform:uppercase;letter-spacing:0.5px;color:\(Palette.muted);text-align:left;"
        var html = "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse;\">\n"
        // Fixed column widths so consecutive tables line up and names do not wrap letter by letter.
        html += "<tr><th width=\"84\" style=\"\(head)width:84px;\">Status</th><th width=\"28%\" style=\"\(head)width:28%;\">User</th>"
            + "<th width=\"24%\" style=\"\(head)width:24%;\">What</th><th style=\"\(head)\">Detail</th>"
        switch last {
        case .age: html += "<th width=\"64\" style=\"\(head)width:64px;text-align:right;padding-right:0;\">Open</th>"
        case .task: html += "<th width=\"120\" style=\"\(head)width:120px;padding-right:0;\">To do</th>"
        case .none: break
        }
        html += "</tr>\n"
        for entry in entries {
            let finding = entry.finding
            var status = badge(finding.status.rawValue, Palette.status(finding.status))
            if entry.isNew { status += "<div style=\"height:4px;line-height:4px;font-size:0;\">&nbsp;</div>" + badge("new", Palette.new) }
            html += "<tr><td width=\"84\" style=\"\(cell)width:84px;\">\(status)</td>"
            html += "<td style=\"\(cell)\">\(userCell(finding.user))</td>"
            html += "<td style=\"\(cell)\">\(whatCell(entry))</td>"
            html += "<td style=\"\(cell)\">\(detailCell(finding))</td>"
            switch last {
            case .age:
                let age = entry.ageDays.map { $0 == 1 ? "1 day" : "\($0) days" } ?? "–"
                html += "<td style=\"\(cell)padding-right:0;text-align:right;white-space:nowrap;\">\(age)</td>"
            case .task:
                html += "<td style=\"\(cell)padding-right:0;\">\(finding.humanTask.map { HTMLText.escape($0.label) } ?? "–")</td>"
            case .none:
                break
            }
            html += "</tr>\n"
        }
        return html + "</table>\n"
    }

    /// The kind, and the device or app it is about; a sessions finding is about the user, already in the row.
    static func whatCell(_ entry: ReportDigest.Entry) -> String {
        let kind = HTMLText.escape(entry.finding.kind.label)
        guard entry.finding.kind != .sessionsNotRevoked else { return kind }
        return "\(kind)<br><strong>\(HTMLText.safe(entry.objectName))</strong>"
    }

    static func userCell(_ user: ReportedFinding.UserRef) -> String {
        let upn = "<span style=\"font-size:12px;color:\(Palette.muted);word-break:break-all;\">\(HTMLText.safe(user.userPrincipalName))</span>"
        guard let name = user.displayName, !name.isEmpty else { return upn }
        return "<strong>\(HTMLText.safe(name))</strong><br>\(upn)"
    }

    static func detailCell(_ finding: ReportedFinding) -> String {
        var html = HTMLText.safe(finding.detail)
        if let error = finding.error {
            let status = error.httpStatus.map { "HTTP \($0) " } ?? ""
            let code = error.code.map { "<strong>\(HTMLText.safe($0, limit: 80))</strong>: " } ?? ""
            html += "<div style=\"margin-top:4px;font-size:12px;line-height:16px;color:\(Palette.failed.foreground);\">"
                + "Graph said \(status)\(code)\(HTMLText.safe(error.message))"
                + "<br>request-id <code style=\"font-family:Consolas,Menlo,monospace;\">\(HTMLText.safe(error.requestId ?? "none", limit: 80))</code></div>"
        } else if let requestId = finding.requestId, finding.status == .applied {
            html += "<div style=\"margin-top:4px;font-size:12px;color:\(Palette.muted);\">request-id "
                + "<code style=\"font-family:Consolas,Menlo,monospace;\">\(HTMLText.safe(requestId, limit: 80))</code></div>"
        }
        return html
    }
}
