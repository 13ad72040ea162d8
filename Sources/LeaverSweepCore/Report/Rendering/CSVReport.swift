import Foundation

/// The CSV attachment: every finding of a run, one row each, with full (untruncated) values.
///
/// Columns, in order (names are stable; new columns are only ever appended):
/// - `run_id`: the run's id.
/// - `tenant`: the tenant as configured (domain or id).
/// - `finding_key`: stable across runs (`kind:objectId`; see the JSON report).
/// - `kind`: `sessions_not_revoked`, `leftover_device`, `app_role_assignment`, `delegated_grant`,
///   `app_account_active`, `provisioned_account_lingering` or `manual_deprovisioning`.
/// - `status`: `planned`, `applied`, `failed`, `flagged` or `excluded`.
/// - `is_new`: `true` when first seen in this run, else `false` (also `false` when the run has no history, and
///   for findings of excluded accounts, which are never new drift).
/// - `first_seen`: when the finding was first seen (ISO 8601 UTC); empty for findings not open tonight.
/// - `user_id`, `user_principal_name`, `user_display_name`: the disabled user.
/// - `object_id`, `object_display_name`: the device, app role assignment (named after the resource app), grant
///   (named after the client app), SCIM account (named after the app), provisioning service principal (named
///   after the app) or, for sessions, the user (a manual app's line: the user's id, named after the app).
/// - `detail`: the finding's sentence.
/// - `action`: `revoke_sessions`, `disable_device`, `deactivate_app_account`, `remove_app_role_assignment` or
///   `remove_delegated_grant`, or empty.
/// - `human_task`: what a person must do (`disable_in_on_premises_ad`, `disable_in_mdm`, `review_app_access`,
///   `review_re_enabled_device`, `investigate_failed_action`, `deprovision_in_app`, `deprovision_by_hand`), or
///   empty.
/// - `request_id`: Graph's request-id of the write (applied or failed), or empty.
/// - `error_code`, `error_message`: Graph's (or, for `deactivate_app_account`, the app's) error for a failed
///   write, or empty.
/// - `app`: the app the finding belongs to (as configured, or the app's display name in Entra), so a spreadsheet
///   can filter one app's rows; empty for sessions and devices.
///
/// Format: RFC 4180 — comma separated, CRLF after every row including the last, cells quoted when they contain
/// `,` `"` CR or LF, quotes doubled. UTF-8 starting with a byte order mark, because Excel (where admins open the
/// attachment) reads a CSV without one in the machine's legacy code page and garbles non-ASCII names; Python
/// (`utf-8-sig`), LibreOffice and pandas all accept it. Pass `byteOrderMark: false` for pipelines that do not.
/// Cells are made safe to open, because their values come from the directory:
/// - Bidi controls (U+202A–202E, U+2066–2069, U+200E, U+200F, U+061C) and control characters other than tab, CR
///   and LF (C0, DEL, C1) are removed, so `\u{202E}gpj.exe` cannot display as `exe.jpg` in Excel and no escape
///   sequence reaches a terminal; the rest of the value is kept whole.
/// - Then cells that begin with `=`, `+`, `-`, `@`, tab or CR, or with the full-width `＝` `＋` `－` `＠`
///   (U+FF1D, U+FF0B, U+FF0D, U+FF20, which Excel also reads as formula signs), get a leading `'` (OWASP's CSV
///   injection advice), so a display name such as `=HYPERLINK(…)` is shown as text rather than run as a formula.
public enum CSVReport {
    public static let columns = [
        "run_id", "tenant", "finding_key", "kind", "status", "is_new", "first_seen",
        "user_id", "user_principal_name", "user_display_name", "object_id", "object_display_name",
        "detail", "action", "human_task", "request_id", "error_code", "error_message", "app",
    ]

    public static func render(_ report: RunReport, byteOrderMark: Bool = true) -> String {
        // The same rule as the report: excluded accounts are never new.
        let newKeys = Set(report.history?.newKeys ?? [])
        var csv = byteOrderMark ? "\u{FEFF}" : ""
        csv += row(columns)
        for finding in report.findings {
            csv += row([
                String(report.run.id),
                report.run.tenant,
                finding.key,
                finding.kind.rawValue,
                finding.status.rawValue,
                newKeys.contains(finding.key) && finding.status != .excluded ? "true" : "false",
                report.history?.firstSeen[finding.key] ?? "",
                finding.user.id,
                finding.user.userPrincipalName,
                finding.user.displayName ?? "",
                finding.object.id,
                finding.object.displayName ?? "",
                finding.detail,
                finding.action?.rawValue ?? "",
                finding.humanTask?.rawValue ?? "",
                finding.requestId ?? finding.error?.requestId ?? "",
                finding.error?.code ?? "",
                finding.error?.message ?? "",
                finding.app ?? "",
            ])
        }
        return csv
    }

    static func row(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: ",") + "\r\n"
    }

    /// One cell: hidden controls removed, neutralised against formula injection, then quoted per RFC 4180 when
    /// needed.
    public static func cell(_ value: String) -> String {
        var text = String(String.UnicodeScalarView(value.unicodeScalars.filter { !isHiddenControl($0) }))
        if let first = text.unicodeScalars.first, formulaStarts.contains(first) {
            text = "'" + text
        }
        let needsQuotes = text.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// First characters that make a spreadsheet read a cell as a formula, ASCII and full-width.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r", "\u{FF1D}", "\u{FF0B}", "\u{FF0D}", "\u{FF20}"]

    /// Bidi controls and control characters, except the tab, CR and LF a cell may legitimately hold.
    static func isHiddenControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        default: return UntrustedText.isInvisibleControl(scalar)
        }
    }
}
