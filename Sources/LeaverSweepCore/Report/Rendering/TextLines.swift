import Foundation

/// A plain-text document under construction: headings, wrapped lines and finding entries.
struct TextLines {
    private(set) var lines: [String] = []

    var text: String { lines.joined(separator: "\n") + "\n" }

    mutating func line(_ text: String) { lines.append(text) }

    mutating func blank() {
        if lines.last?.isEmpty == false { lines.append("") }
    }

    mutating func heading(_ title: String) {
        blank()
        lines.append(title.uppercased())
        lines.append(String(repeating: "=", count: min(PlainTextReport.width, title.count)))
    }

    mutating func subheading(_ title: String) {
        blank()
        lines.append(title)
    }

    /// Wraps at spaces to the report width, keeping the first line's indentation; a word longer than the width
    /// stays whole on its own line.
    mutating func wrap(_ text: String, continuation: String = "") {
        let indent = String(text.prefix { $0 == " " })
        var current = indent
        var hasWord = false
        for word in text.dropFirst(indent.count).split(separator: " ") {
            if hasWord, current.count + 1 + word.count > PlainTextReport.width {
                lines.append(current)
                current = continuation + word
            } else {
                current += (hasWord ? " " : "") + word
            }
            hasWord = true
        }
        lines.append(current)
    }

    /// The list's first `listing.limit` entries, each finding's detail only where it is listed first, and the
    /// "…and N more" line when the list is cut.
    mutating func entries(_ entries: [ReportDigest.Entry], showAge: Bool, showTask: Bool = false, markNew: Bool, listing: inout ReportListing) {
        let (shown, hidden) = ReportListing.capped(entries, limit: listing.limit)
        for entry in shown {
            let finding = entry.finding
            var first = "  - [\(finding.status.rawValue)\(markNew && entry.isNew ? ", new" : "")] \(Self.user(finding.user)) — \(finding.kind.label)"
            if finding.kind != .sessionsNotRevoked { first += ": \(TerminalText.safe(entry.objectName, limit: 100))" }
            if showAge, let days = entry.ageDays { first += " — open \(days == 1 ? "1 day" : "\(days) days")" }
            if showTask, let task = finding.humanTask { first += " → \(task.label)" }
            wrap(first, continuation: "      ")
            if listing.showsDetail(of: entry) { detail(of: finding) }
        }
        more(hidden)
    }

    /// The finding's sentence, and the error of its write (or the request-id of an applied one).
    mutating func detail(of finding: ReportedFinding) {
        wrap("      \(TerminalText.safe(finding.detail))", continuation: "      ")
        if let error = finding.error {
            let status = error.httpStatus.map { "HTTP \($0) " } ?? ""
            let code = error.code.map { "\(TerminalText.safe($0, limit: 80)): " } ?? ""
            wrap("      \(finding.answeredBy) said \(status)\(code)\(TerminalText.safe(error.message))", continuation: "      ")
            line("      request-id \(TerminalText.safe(error.requestId ?? "none", limit: 80))")
        } else if let requestId = finding.requestId, finding.status == .applied {
            line("      request-id \(TerminalText.safe(requestId, limit: 80))")
        }
    }

    /// "…and N more — see the attached CSV", when a list was cut.
    mutating func more(_ hidden: Int) {
        if hidden > 0 { line("  \(ReportListing.more(hidden))") }
    }

    static func user(_ user: ReportedFinding.UserRef) -> String {
        let upn = TerminalText.safe(user.userPrincipalName, limit: 120)
        guard let name = user.displayName, !name.isEmpty else { return upn }
        return "\(TerminalText.safe(name, limit: 100)) (\(upn))"
    }
}
