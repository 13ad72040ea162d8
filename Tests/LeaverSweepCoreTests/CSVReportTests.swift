import Foundation
import Testing
@testable import LeaverSweepCore

@Suite struct CSVReportTests {
    /// A strict RFC 4180 reader, enough to check what Excel or Python's csv module would see.
    static func parse(_ csv: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var scalars = Array(csv.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            if quoted {
                if scalar == "\"" {
                    if scalars.first == "\"" { scalars.removeFirst(); cell.unicodeScalars.append("\"") } else { quoted = false }
                } else {
                    cell.unicodeScalars.append(scalar)
                }
            } else if scalar == "\"" {
                quoted = true
            } else if scalar == "," {
                row.append(cell); cell = ""
            } else if scalar == "\r", scalars.first == "\n" {
                scalars.removeFirst()
                row.append(cell); rows.append(row); row = []; cell = ""
            } else {
                cell.unicodeScalars.append(scalar)
            }
        }
        return rows
    }

    @Test func startsWithBOMAndTheStableHeaderRow() {
        let csv = CSVReport.render(ReportFixtures.report())
        #expect(csv.hasPrefix("\u{FEFF}run_id,tenant,finding_key,kind,status,is_new,first_seen,user_id,user_principal_name,user_display_name,object_id,object_display_name,detail,action,human_task,request_id,error_code,error_message,app\r\n"))
        #expect(!CSVReport.render(ReportFixtures.report(), byteOrderMark: false).hasPrefix("\u{FEFF}"))
        #expect(CSVReport.columns.count == 19)
    }

    @Test func hasOneRowPerFindingWithCRLFEndings() {
        let report = ReportFixtures.report()
        let csv = CSVReport.render(report, byteOrderMark: false)
        let rows = Self.parse(csv)
        #expect(rows.count == report.findings.count + 1)
        #expect(rows.allSatisfy { $0.count == CSVReport.columns.count })
        #expect(csv.hasSuffix("\r\n"))
        #expect(!csv.replacingOccurrences(of: "\r\n", with: "").contains("\n"))

        let failed = rows.first { $0[2] == "leftover_device:d-iphone" }
        #expect(failed == [
            "42", "contoso.onmicrosoft.com", "leftover_device:d-iphone", "leftover_device", "failed", "true", "2026-11-23T02:17:00.000Z",
            "u-jane", "jdoe@contoso.com", "Jane Doe", "d-iphone", "JDOE-IPHONE", "iOS device (Workplace) still enabled",
            "disable_device", "disable_in_mdm", "req-failed-1", "Request_BadRequest", ReportFixtures.refusal.message, "",
        ])
        // App findings name their app in the last column.
        #expect(rows.first { $0[2] == "app_role_assignment:ara-3" }?.last == "ServiceNow")
    }

    @Test(arguments: [
        ("plain", "plain"),
        ("Doe, Jane", "\"Doe, Jane\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\nlines", "\"two\nlines\""),
        ("cr\rhere", "\"cr\rhere\""),
        ("", ""),
    ])
    func quotesPerRFC4180(value: String, expected: String) {
        #expect(CSVReport.cell(value) == expected)
    }

    @Test(arguments: [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("\r=x", "\"'\r=x\""),
        ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
        ("a=b", "a=b"),
        ("Jane-Doe", "Jane-Doe"),
    ])
    func neutralisesFormulas(value: String, expected: String) {
        #expect(CSVReport.cell(value) == expected)
    }

    @Test func fullValuesAreKeptAndHostileCellsNeutralised() {
        let long = String(repeating: "x", count: 500)
        let report = ReportFixtures.hostileReport(displayName: "=cmd|' /C calc'!A0", detail: long)
        let rows = Self.parse(CSVReport.render(report, byteOrderMark: false))
        #expect(rows[1][9] == "'=cmd|' /C calc'!A0")
        #expect(rows[1][12] == long)
        // The bidi override is gone: Excel cannot show the name as "exe.jpg".
        #expect(rows[1][11] == "gpj.exe")
    }

    @Test(arguments: [
        ("\u{FF1D}1+1", "'\u{FF1D}1+1"),
        ("\u{FF0B}cmd", "'\u{FF0B}cmd"),
        ("\u{FF0D}2", "'\u{FF0D}2"),
        ("\u{FF20}SUM(A1)", "'\u{FF20}SUM(A1)"),
        ("a\u{FF1D}b", "a\u{FF1D}b"),
    ])
    func neutralisesFullWidthFormulaSigns(value: String, expected: String) {
        #expect(CSVReport.cell(value) == expected)
    }

    @Test(arguments: [
        ("\u{202E}gpj.exe", "gpj.exe"),
        ("a\u{202A}b\u{202B}c\u{202C}d\u{202D}e", "abcde"),
        ("x\u{2066}y\u{2067}z\u{2068}w\u{2069}", "xyzw"),
        ("left\u{200E}right\u{200F}", "leftright"),
        ("bell\u{7}esc\u{1B}[2J nul\u{0} del\u{7F} c1\u{85}\u{9B}", "bellesc[2J nul del c1"),
        ("tab\tkept", "tab\tkept"),
        ("two\r\nlines", "\"two\r\nlines\""),
        // Stripped first, so a hidden control cannot smuggle a formula sign past the check.
        ("\u{202E}=1+1", "'=1+1"),
        ("\u{200F}\u{FF20}x", "'\u{FF20}x"),
        ("Zoë 日本 — ok", "Zoë 日本 — ok"),
    ])
    func stripsBidiAndControlCharacters(value: String, expected: String) {
        #expect(CSVReport.cell(value) == expected)
    }

    @Test func excludedFindingsAreNeverNew() {
        var history = ReportFixtures.history
        history.newKeys.append("sessions_not_revoked:u-bg")
        let rows = Self.parse(CSVReport.render(ReportFixtures.report(history: history), byteOrderMark: false))
        let excluded = rows.first { $0[2] == "sessions_not_revoked:u-bg" }
        #expect(excluded?[4] == "excluded")
        #expect(excluded?[5] == "false")
        #expect(rows.filter { $0[5] == "true" }.count == 3)
    }
}
