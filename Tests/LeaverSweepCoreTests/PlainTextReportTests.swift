import Foundation
import Testing
@testable import LeaverSweepCore

@Suite struct PlainTextReportTests {
    let text = PlainTextReport.render(ReportFixtures.report(), now: ReportFixtures.now)

    @Test func hasTheSameSectionsAsTheHTMLPart() throws {
        let markers = [
            "LeaverSweep drift report — contoso.onmicrosoft.com", "3 new   8 open   2 fixed   1 applied   2 failed   8 need a person",
            "NEEDS A PERSON (8)", "Disable in on-premises AD (1)", "Retire or disable in Intune (1)",
            "Graph said HTTP 400 Request_BadRequest:", "request-id req-failed-1", "Re-enabled after LeaverSweep disabled them (1)",
            "App access and accounts to take away (4)", "Listed under APPS below, in 3 apps.", "Failed writes to investigate (1)",
            "APPS (3)", "Graph Explorer — 1 user · 1 open", "Salesforce — 2 users · 2 open", "To do: review app access.",
            "ServiceNow — 1 user · 1 open", "WHAT CHANGED SINCE THE LAST RUN", "New (3)", "Fixed (2)",
            "GONE-PC (first seen 2026-11-18, 5 days)", "Still open (6)", "BOB-PC — open 13 days", "ACTIONS", "Failed (2)",
            "Applied tonight (1)", "EXCLUDED ACCOUNTS, SKIPPED (1)", "OPEN FINDINGS, LAST 14 RUNS",
            "leaversweep report --run 42",
        ]
        var position = text.startIndex
        for marker in markers {
            let found = try #require(text.range(of: marker, range: position..<text.endIndex), "\(marker) missing or out of order")
            position = found.upperBound
        }
    }

    @Test func showsEachFindingsDetailOnce() {
        #expect(text.components(separatedBy: "req-failed-1").count == 2)
        #expect(text.components(separatedBy: "JDOE-IPHONE").count == 4)
    }

    @Test(arguments: [true, false])
    func staysShortWithAThousandFindings(firstRun: Bool) {
        let text = PlainTextReport.render(ReportFixtures.large(firstRun: firstRun), now: ReportFixtures.now)
        #expect(text.utf8.count < 50_000, "\(text.utf8.count) bytes")
        #expect(text.contains(firstRun ? "  …and 85 more — see the attached CSV." : "  …and 87 more — see the attached CSV."))
        #expect(text.contains("OPEN FINDINGS, LAST") && text.contains("leaversweep report --run 42"))
        #expect(text.contains("This is the first recorded run: all 909 findings are new") == firstRun)
        // The same rows as the HTML part.
        let html = HTMLReport.render(ReportFixtures.large(firstRun: firstRun), now: ReportFixtures.now)
        #expect(text.components(separatedBy: "more — see the attached CSV.").count == html.components(separatedBy: "more — see the attached CSV.").count)
    }

    @Test func drawsTheTrendAsATextBarChart() {
        #expect(text.contains("  11-10 " + String(repeating: "█", count: 40) + " 12\n"))
        #expect(text.contains("  11-23 " + String(repeating: "█", count: 27) + " 8  ← this run\n"))
    }

    @Test func keepsLinesWithin100Columns() {
        let long = PlainTextReport.render(ReportFixtures.hostileReport(displayName: "x", detail: String(repeating: "word ", count: 60)), now: ReportFixtures.now)
        for line in (text + long).split(separator: "\n") {
            #expect(line.count <= 100, "\(line)")
        }
    }

    @Test func showsHostileStringsAsInertText() {
        let text = PlainTextReport.render(ReportFixtures.hostileReport(displayName: "Eve\u{1B}[2J\r\nFAKE"), now: ReportFixtures.now)
        #expect(!text.contains("\u{1B}") && !text.contains("\r") && !text.contains("\u{202E}"))
        #expect(text.contains("Eve\\u{1B}[2J\\u{D}\\u{A}FAKE"))
    }
}
