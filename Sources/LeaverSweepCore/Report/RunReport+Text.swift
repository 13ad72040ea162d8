import Foundation

extension RunReport {
    /// The short human summary printed after a run (and the body of `leaversweep demo`).
    ///
    /// Directory strings are printed through `TerminalText.safe` so a hostile display name cannot move the
    /// cursor, clear the screen or fake extra lines in an admin's terminal or cron mail.
    public func renderText(includeFindings: Bool = true) -> String {
        var lines: [String] = []
        let mode = run.mode == .enforce ? "enforce" : "\(run.mode.rawValue) (no changes made)"
        lines.append("LeaverSweep run \(run.id) for \(TerminalText.safe(run.tenant)) — \(run.outcome), mode \(mode)")
        lines.append("  scanned \(run.usersScanned) users (\(run.disabledUsers) disabled) and \(run.devicesScanned) devices")
        lines.append("  \(summary.findings) findings: \(summary.applied) applied, \(summary.failed) failed, \(summary.planned) planned, \(summary.flagged) for a person, \(summary.excluded) excluded")
        if let failure = run.failure {
            lines.append("  run failed: \(TerminalText.safe(failure))")
        }
        for warning in warnings {
            lines.append("  warning: \(TerminalText.safe(warning))")
        }
        // Per app, not per user: a stalled provisioning job or an unreachable app holds up every leaver there.
        if !appProblems.isEmpty {
            lines.append("  apps with a problem:")
            for status in appProblems {
                var line = "    - \(TerminalText.safe(status.app, limit: 100)) (\(status.source.label)): \(status.health.label)"
                if let since = status.since { line += " since \(TerminalText.safe(ReportListing.readable(since), limit: 40))" }
                if let detail = status.detail { line += " — \(TerminalText.safe(detail, limit: 300))" }
                lines.append(line)
            }
        }
        guard includeFindings, !findings.isEmpty else { return lines.joined(separator: "\n") + "\n" }

        let groups: [(String, FindingStatus)] = [
            ("Applied", .applied), ("Failed", .failed), ("Planned (not sent)", .planned),
            ("Needs a person", .flagged), ("Excluded (skipped)", .excluded),
        ]
        for (title, status) in groups {
            let matching = findings.filter { $0.status == status }
            guard !matching.isEmpty else { continue }
            lines.append("")
            lines.append("\(title):")
            for finding in matching {
                lines.append("  - " + finding.renderLine())
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ReportedFinding {
    func renderLine() -> String {
        let who = TerminalText.safe(user.userPrincipalName)
        let what: String
        switch kind {
        case .sessionsNotRevoked:
            what = "sessions not revoked"
        case .leftoverDevice:
            what = "device \"\(TerminalText.safe(object.displayName ?? object.id))\""
        case .appRoleAssignment:
            what = "app role on \"\(TerminalText.safe(object.displayName ?? object.id))\""
        case .delegatedGrant:
            what = "delegated grant to client \(TerminalText.safe(object.displayName ?? object.id))"
        case .appAccountActive, .provisionedAccountLingering, .manualDeprovisioning:
            what = "account in \"\(TerminalText.safe(app ?? object.displayName ?? object.id))\""
        }
        var line = "\(who): \(what) — \(TerminalText.safe(detail))"
        if let action, status == .applied || status == .planned {
            line += " [\(action.rawValue)]"
        }
        if let humanTask {
            line += " → \(humanTask.label)"
        }
        if let error {
            line += " (Graph \(error.httpStatus.map(String.init) ?? "-") \(TerminalText.safe(error.code ?? "")): \(TerminalText.safe(error.message)); request-id \(error.requestId ?? "none"))"
        }
        return line
    }
}

extension HumanTask {
    /// What the person has to do, in words.
    public var label: String {
        switch self {
        case .disableInOnPremisesAD: return "disable in on-premises AD"
        case .disableInMDM: return "retire or disable in Intune / the MDM"
        case .reviewAppAccess: return "review app access"
        case .investigateFailedAction: return "investigate the failed write"
        case .reviewReenabledDevice: return "re-enabled after LeaverSweep disabled it; find out who and why"
        case .deprovisionInApp: return "deactivate or delete the account in the app"
        case .deprovisionByHand: return "deprovision by hand, then leaversweep ack"
        }
    }
}

/// Makes untrusted text safe for a terminal: control characters (ESC sequences, CR, LF, bidi overrides) are
/// shown as visible escapes, and very long values are cut.
public enum TerminalText {
    public static func safe(_ text: String, limit: Int = 200) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if result.unicodeScalars.count >= limit {
                result += "…"
                break
            }
            let value = scalar.value
            let isBidiControl = (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value) || value == 0x200E || value == 0x200F
            if value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value) || isBidiControl {
                result += String(format: "\\u{%X}", value)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
