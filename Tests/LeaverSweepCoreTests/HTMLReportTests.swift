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
        let markers = [
            "contoso.onmicrosoft.com", "Run 42 · 2026-11-23 02:17 UTC", "audit log page was partial", ">need a person<",
            "What changed since the last run", "Still open", "13 days", "Actions", "Applied tonight", "Request_BadRequest",
            "req-failed-1", "Needs a person", "Disable in on-premises AD", "Retire or disable in Intune",
            "Re-enabled after LeaverSweep disabled them", "App role assignments to remove, by app", "Salesforce",
            "Delegated grants to revoke, by client app", "Failed writes to investigate", "Excluded accounts, skipped",
            "Open findings, last 14 runs", "11-23", "leaversweep report --run 42", "JSON report schema version 1",
        ]
        var position = html.startIndex
        for marker in markers {
            let found = try #require(html.range(of: marker, range: position..<html.endIndex), "\(marker) missing or out of order")
            position = found.upperBound
        }
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
