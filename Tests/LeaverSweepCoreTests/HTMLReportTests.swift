import Foundation
import Testing
@testable import LeaverSweepCore

@Suite struct HTMLReportTests {
    let html = HTMLReport.render(ReportFixtures.report(warnings: ["audit log page was partial"]), now: ReportFixtures.now)

    @Test func loadsNothingAndRunsNothing() {
        for forbidden in ["<script", "http://", "https://", "src=", "href=", "url(", "@import", "<img", "<link", "<iframe", "display:flex", "display:grid", "position:"] {
            #expect(!html.lowercased().contains(forbidden), "found \(forbidden)")
        }
    }

    @Test func isA720PixelTableLayoutWithInlineStyles() {
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("max-width:720px"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
        #expect(html.contains("font-family:-apple-system,BlinkMacSystemFont,'Segoe UI'"))
        #expect(html.hasSuffix("</html>\n"))
        #expect(html.components(separatedBy: "<table").count == html.components(separatedBy: "</table>").count)
    }

    @Test func showsTheSectionsInOrder() throws {
        // Work for a person comes right after the numbers, before the long lists.
        let markers = [
            "contoso.onmicrosoft.com", "Run 42 · 2026-11-23 02:17 UTC", "audit log page was partial", ">need a person<",
            "Needs a person", "Disable in on-premises AD", "Retire or disable in Intune", "Request_BadRequest", "req-failed-1",
            "Re-enabled after LeaverSweep disabled them", "App access and accounts to take away", "Listed under Apps below, in 3 apps.",
            "Failed writes to investigate", ">Apps</h2>", "Graph Explorer", "Salesforce", "· 2 users · 2 open", "ServiceNow",
            "What changed since the last run",
            "Still open", "13 days", "Actions", "Failed", "Applied tonight", "Excluded accounts, skipped",
            "Open findings, last 14 runs", "11-23", "leaversweep report --run 42", "JSON report schema version 1",
        ]
        var position = html.startIndex
        for marker in markers {
            let found = try #require(html.range(of: marker, range: position..<html.endIndex), "\(marker) missing or out of order")
            position = found.upperBound
        }
    }

    @Test func showsEachFindingsDetailOnce() {
        // The refused iPhone write is new, failed and work for the Intune admin: its error is shown once.
        #expect(html.components(separatedBy: "req-failed-1").count == 2)
        #expect(html.components(separatedBy: "Request_BadRequest").count == 2)
        #expect(html.components(separatedBy: "JDOE-IPHONE").count == 4)
        // A small night is not cut: every list is shown whole.
        #expect(!html.contains("more — see the attached CSV"))
    }

    @Test(arguments: [true, false])
    func staysWellUnderGmailsClipWithAThousandFindings(firstRun: Bool) throws {
        let report = ReportFixtures.large(firstRun: firstRun)
        let html = HTMLReport.render(report, now: ReportFixtures.now)
        #expect(html.utf8.count < 80_000, "\(html.utf8.count) bytes")
        #expect(html.hasSuffix("</html>\n"))
        #expect(html.components(separatedBy: "<table").count == html.components(separatedBy: "</table>").count)
        // Summary, needs a person, trend and footer are all there, in that order.
        var position = html.startIndex
        for marker in [">need a person<", "Needs a person", "What changed since the last run", "Open findings, last", "leaversweep report --run 42"] {
            let found = try #require(html.range(of: marker, range: position..<html.endIndex), "\(marker) missing or out of order")
            position = found.upperBound
        }
        // 91 on-premises devices; 10 long lists share the row budget, 6 rows each (first run; the per-app view is
        // one list, and app findings are not listed again under "Needs a person").
        #expect(html.contains(firstRun ? "…and 85 more — see the attached CSV." : "…and 87 more — see the attached CSV."))
        #expect(html.components(separatedBy: "more — see the attached CSV.").count - 1 == (firstRun ? 10 : 13))
        if firstRun {
            #expect(html.contains("This is the first recorded run: all 909 findings are new (not counting the 91 of excluded accounts)"))
            #expect(!html.contains(">New <"))
        }
    }

    @Test func hostileLongStringsStillStayUnderTheClip() {
        let large = ReportFixtures.large()
        var findings = large.findings
        for index in findings.indices {
            findings[index].user.displayName = String(repeating: "<&>\"'", count: 40)
            findings[index].user.userPrincipalName = String(repeating: "&", count: 200) + "@contoso.com"
            findings[index].object.displayName = String(repeating: "<>", count: 100)
            findings[index].detail = String(repeating: "&'", count: 200)
        }
        let html = HTMLReport.render(ReportFixtures.report(findings: findings, history: large.history), now: ReportFixtures.now)
        #expect(html.utf8.count <= HTMLReport.sizeGuard, "\(html.utf8.count) bytes")
        #expect(html.contains("leaversweep report --run 42") && html.contains("Open findings, last"))
    }

    @Test func listsUpToTwentyFiveRowsOnAQuietNight() {
        let devices = (0..<30).map { ReportFixtures.reported(.leftoverDevice, "d\($0)", "PC-\($0)", user: ReportFixtures.bob, .flag(.disableInOnPremisesAD)) }
        let firstRun = ReportHistory(previousRunId: nil, newKeys: devices.map(\.key), fixed: [], firstSeen: [:], trend: [])
        let html = HTMLReport.render(ReportFixtures.report(findings: devices, history: firstRun), now: ReportFixtures.now)
        #expect(html.contains("PC-24<") && !html.contains("PC-25<"))
        #expect(html.contains("…and 5 more — see the attached CSV."))
    }

    @Test func drawsTheTrendAsProportionalBars() {
        // 12 is the highest of the 14 points, so it is 80 px; tonight's 8 is 53 px.
        #expect(html.components(separatedBy: "background-color:\(Palette.bar);font-size:0").count - 1 == 13)
        #expect(html.contains("height:80px;background-color:\(Palette.bar)"))
        #expect(html.contains("height:53px;background-color:\(Palette.band)"))
        #expect(html.contains(">11-10</td>"))
    }

    @Test func saysWhenTheRunFailed() {
        let failed = HTMLReport.render(ReportFixtures.report(failure: "Graph answered <503> three times", history: nil), now: ReportFixtures.now)
        #expect(failed.contains("run failed"))
        #expect(failed.contains("<strong>The run failed:</strong> Graph answered &lt;503&gt; three times"))
        #expect(failed.contains("No history for this run"))
    }

    @Test(arguments: [
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("\"'><script>alert(1)</script>", "&quot;&#39;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("Tom & Jerry <b>", "Tom &amp; Jerry &lt;b&gt;"),
        ("<svg/onload=alert(1)>", "&lt;svg/onload=alert(1)&gt;"),
        ("javascript:alert(1)\"", "javascript:alert(1)&quot;"),
    ])
    func escapesHostileDisplayNames(raw: String, escaped: String) {
        let html = HTMLReport.render(ReportFixtures.hostileReport(displayName: raw), now: ReportFixtures.now)
        #expect(!html.contains(raw))
        #expect(html.contains(escaped))
        #expect(!html.contains("<script"))
    }

    @Test func escapesEveryOtherDirectoryString() {
        let html = HTMLReport.render(
            ReportFixtures.hostileReport(displayName: "x", upn: "\"'><script>alert(1)</script>@contoso.com"),
            now: ReportFixtures.now
        )
        #expect(html.contains("&quot;&#39;&gt;&lt;script&gt;alert(1)&lt;/script&gt;@contoso.com"))
        #expect(html.contains("&lt;img src=x onerror=alert(&#39;app&#39;)&gt;"))
        #expect(html.contains("&lt;b&gt;Bad&lt;/b&gt;"))
        #expect(html.contains("&lt;script&gt;alert(&#39;msg&#39;)&lt;/script&gt;"))
        #expect(html.contains("&lt;script&gt;alert(&#39;warning&#39;)&lt;/script&gt;"))
        #expect(html.contains("req-&quot;x&quot;"))
        #expect(html.contains("detail &amp; more"))
        #expect(!html.contains("<script") && !html.contains("<img") && !html.contains("<b>"))
    }

    @Test func stripsBidiOverridesAndControlCharacters() {
        let html = HTMLReport.render(
            ReportFixtures.hostileReport(displayName: "Eve\u{1B}[2J\u{0}\u{2066}x", objectName: "\u{202E}gpj.exe\r\nInjected"),
            now: ReportFixtures.now
        )
        for scalar in ["\u{202E}", "\u{2066}", "\u{1B}", "\u{0}", "\r"] {
            #expect(!html.contains(scalar))
        }
        #expect(html.contains("gpj.exe  Injected"))
        #expect(html.contains("Eve[2Jx"))
    }

    @Test func cutsVeryLongValuesWithAnEllipsis() {
        let html = HTMLReport.render(ReportFixtures.hostileReport(displayName: "x", detail: String(repeating: "a", count: 5000)), now: ReportFixtures.now)
        #expect(html.contains(String(repeating: "a", count: 200) + "…"))
        #expect(!html.contains(String(repeating: "a", count: 201)))
    }

    @Test(arguments: [
        ("<>&\"'", "&lt;&gt;&amp;&quot;&#39;"),
        ("a\u{202E}b\u{200F}c\u{061C}d", "abcd"),
        ("line\r\nbreak\ttab", "line  break tab"),
        ("ü and 日本", "ü and 日本"),
    ])
    func htmlTextSafe(input: String, expected: String) {
        #expect(HTMLText.safe(input) == expected)
    }
}

extension ReportFixtures {
    /// A big night: `count` findings of every kind and status, with long names, long details and Graph errors.
    /// `firstRun` gives the history of the first recorded run (everything new, one trend point); otherwise half the
    /// findings are new, 300 were fixed and the trend has 14 points.
    static func large(count: Int = 1_000, firstRun: Bool = true) -> RunReport {
        let apps = (0..<40).map { "Contoso Enterprise Resource Planning Production Application Number \($0) (EMEA)" }
        let longError = GraphErrorInfo(
            httpStatus: 400, code: "Request_BadRequest",
            message: "Properties other than ExtendedAttribute1..15 can be modified only on windows devices. " + String(repeating: "Additional diagnostic text. ", count: 6),
            requestId: "6f1c2a9e-4b7d-4e0a-9c3f-2d8e1b5a7c90", clientRequestId: nil
        )
        let throttled = GraphErrorInfo(httpStatus: 503, code: "serviceUnavailable", message: "The service is temporarily unavailable. Please try again later.", requestId: "0d9e8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b", clientRequestId: nil)
        let detail = "Device registered to the disabled user is still enabled and can still be used to reach company resources through conditional access"
        let findings: [ReportedFinding] = (0..<count).map { index in
            let user = DirectoryUser(
                id: "u-\(index)", userPrincipalName: "alexandra.konstantinopoulou-vanderberg.\(index)@subsidiary-emea.contoso.com",
                displayName: "Alexandra Konstantinopoulou-Vanderberg \(index) (Finance, EMEA)", accountEnabled: false
            )
            let device = "CONTOSO-LAPTOP-FINANCE-EMEA-\(index)"
            switch index % 11 {
            case 0: return reported(.sessionsNotRevoked, "u-\(index)", nil, user: user, detail: detail, revoke(user), outcome: .applied(at: time("2026-11-23T02:17:02Z"), requestId: "req-\(index)-applied-tonight-0123456789"))
            case 1: return reported(.sessionsNotRevoked, "u-\(index)", nil, user: user, detail: detail, revoke(user), outcome: .failed(throttled))
            case 2: return reported(.leftoverDevice, "d-\(index)", device, user: user, detail: detail, .flag(.disableInOnPremisesAD))
            case 3: return reported(.leftoverDevice, "d-\(index)", device, user: user, detail: detail, disable("d-\(index)", owner: user, ifRefused: .disableInMDM), outcome: .failed(longError))
            case 4: return reported(.leftoverDevice, "d-\(index)", device, user: user, detail: detail, .flag(.reviewReenabledDevice))
            case 5, 6: return reported(.appRoleAssignment, "ara-\(index)", apps[index % apps.count], user: user, detail: detail, .flag(.reviewAppAccess))
            case 7: return reported(.delegatedGrant, "grant-\(index)", apps[(index / 3) % 20], user: user, detail: detail, .flag(.reviewAppAccess))
            case 8: return reported(.sessionsNotRevoked, "u-\(index)", nil, user: user, detail: detail, .excluded)
            case 9: return reported(.leftoverDevice, "d-\(index)", device, user: user, detail: detail, .alreadyApplied(actionKey: "disable_device:d-\(index)"), earlier: (time("2026-11-20T02:17:05Z"), "req-earlier-\(index)"))
            default: return reported(.leftoverDevice, "d-\(index)", device, user: user, detail: detail, disable("d-\(index)", owner: user))
            }
        }
        let open = findings.filter { $0.status != .applied && $0.status != .excluded }
        let tonight = ReportHistory.TrendPoint(runId: 42, startedAt: GraphTimestamp.format(startedAt), openFindings: open.count)
        if firstRun {
            return report(findings: findings, history: ReportHistory(
                previousRunId: nil, newKeys: findings.filter { $0.status != .excluded }.map(\.key), fixed: [],
                firstSeen: Dictionary(uniqueKeysWithValues: open.map { ($0.key, GraphTimestamp.format(startedAt)) }), trend: [tonight]
            ))
        }
        let fixed = (0..<300).map { index in
            ReportHistory.FixedFinding(key: "leftover_device:gone-\(index)", kind: .leftoverDevice, userPrincipalName: "former.employee.with.a.long.name.\(index)@subsidiary-emea.contoso.com", objectDisplayName: "CONTOSO-DESKTOP-GONE-\(index)", firstSeenAt: "2026-11-18T02:17:00.000Z")
        }
        let trend = history.trend.dropLast() + [tonight]
        return report(findings: findings, history: ReportHistory(
            previousRunId: 41, newKeys: findings.enumerated().filter { $0.offset % 2 == 0 }.map(\.element.key), fixed: fixed,
            firstSeen: Dictionary(uniqueKeysWithValues: open.enumerated().map { ($0.element.key, $0.offset % 2 == 0 ? GraphTimestamp.format(startedAt) : "2026-11-10T02:17:00.000Z") }),
            trend: Array(trend)
        ))
    }
}

