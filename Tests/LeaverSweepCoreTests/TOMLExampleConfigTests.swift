import Foundation
import Testing
@testable import LeaverSweepCore

/// The sample configuration from the README must parse into exactly this tree, lines included.
struct TOMLExampleConfigTests {
    static let example = """
        # LeaverSweep
        [tenant]
        id = "contoso.onmicrosoft.com"                    # tenant id or verified domain
        [auth]
        client_id = "11111111-2222-3333-4444-555555555555"
        client_secret_env = "LEAVERSWEEP_CLIENT_SECRET"
        authority = "https://login.microsoftonline.com"
        [graph]
        endpoint = "https://graph.microsoft.com"
        [state]
        database = "/var/lib/leaversweep/state.sqlite"
        [policy]
        mode = "enforce"
        exclude = ["breakglass@contoso.com",
          "0c1d2e3f-0000-0000-0000-000000000000", # service account
        ]
        max_newly_disabled_fraction = 0.05
        max_actions = 1_000
        [report]
        json = "/var/lib/leaversweep/report.json"
        [[apps]]
        name = "ServiceNow"
        deprovision = false
        [[apps]]
        name = "Legacy Payroll"

        """

    static func table(_ line: Int, _ entries: (String, TOMLValue)...) -> TOMLValue {
        TOMLValue(kind: .table(TOMLTable(entries: entries.map { (key: $0.0, value: $0.1) })), line: line)
    }

    static func string(_ text: String, _ line: Int, keyLine: Int? = nil) -> TOMLValue {
        TOMLValue(kind: .string(text), line: line, keyLine: keyLine)
    }

    static let expected = TOMLDocument(root: TOMLTable(entries: [
        ("tenant", table(2, ("id", string("contoso.onmicrosoft.com", 3)))),
        ("auth", table(4,
            ("client_id", string("11111111-2222-3333-4444-555555555555", 5)),
            ("client_secret_env", string("LEAVERSWEEP_CLIENT_SECRET", 6)),
            ("authority", string("https://login.microsoftonline.com", 7)))),
        ("graph", table(8, ("endpoint", string("https://graph.microsoft.com", 9)))),
        ("state", table(10, ("database", string("/var/lib/leaversweep/state.sqlite", 11)))),
        ("policy", table(12,
            ("mode", string("enforce", 13)),
            ("exclude", TOMLValue(kind: .array([
                string("breakglass@contoso.com", 14),
                string("0c1d2e3f-0000-0000-0000-000000000000", 15, keyLine: 14),
            ]), line: 14)),
            ("max_newly_disabled_fraction", TOMLValue(kind: .float(0.05), line: 17)),
            ("max_actions", TOMLValue(kind: .integer(1000), line: 18)))),
        ("report", table(19, ("json", string("/var/lib/leaversweep/report.json", 20)))),
        ("apps", TOMLValue(kind: .array([
            table(21, ("name", string("ServiceNow", 22)), ("deprovision", TOMLValue(kind: .boolean(false), line: 23))),
            table(24, ("name", string("Legacy Payroll", 25))),
        ]), line: 21)),
    ]))

    @Test func exampleConfigParsesIntoTheExpectedTree() throws {
        #expect(try TOMLParser.parse(Self.example) == Self.expected)
    }

    @Test func exampleConfigWithCRLFAndByteOrderMarkParsesTheSame() throws {
        let windows = "\u{FEFF}" + Self.example.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try TOMLParser.parse(windows) == Self.expected)
    }

    @Test func typoInExampleIsReportedAtItsLine() {
        let broken = Self.example.replacingOccurrences(of: "mode = \"enforce\"", with: "mode = enforse")
        #expect(throws: TOMLParseError(line: 13, column: 8, message: "invalid value 'enforse' (strings must be quoted)")) {
            try TOMLParser.parse(broken)
        }
    }
}
