import Foundation
import Testing
@testable import LeaverSweepCore

@Suite struct ReportSubjectTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var report: RunReport
        var subject: String
        var testDescription: String { name }
    }

    // The fixture's history calls three findings new; "new" counts only those among the report's findings, so the
    // report-only and dry-run cases (which drop them) have 0 new.
    static let cases: [Case] = [
        Case(name: "enforce", report: ReportFixtures.report(), subject: "[LeaverSweep] contoso: 3 new, 8 open, 2 fixed — 1 action applied, 2 failed"),
        Case(
            name: "report only",
            report: ReportFixtures.report(mode: .report, findings: ReportFixtures.findings.filter { $0.status == .flagged }),
            subject: "[LeaverSweep] contoso (report only): 0 new, 6 open, 2 fixed — 0 actions planned"
        ),
        Case(
            name: "dry run",
            report: ReportFixtures.report(mode: .dryRun, findings: [ReportFixtures.reported(.leftoverDevice, "d1", "PC", user: ReportFixtures.bob, ReportFixtures.disable("d1", owner: ReportFixtures.bob))]),
            subject: "[LeaverSweep] contoso (report only): 0 new, 1 open, 2 fixed — 1 action planned"
        ),
        Case(
            name: "failed with history",
            report: ReportFixtures.report(failure: "Graph answered 503 three times"),
            subject: "[LeaverSweep] contoso: RUN FAILED — 3 new, 8 open, 2 fixed, 1 action applied, 2 failed"
        ),
        Case(
            name: "failed before history",
            report: ReportFixtures.report(failure: "token endpoint refused the secret", findings: [], history: nil),
            subject: "[LeaverSweep] contoso: RUN FAILED — 0 open, 0 actions applied, 0 failed"
        ),
        Case(
            name: "no drift",
            report: ReportFixtures.report(findings: [], history: ReportHistory(previousRunId: 41, newKeys: [], fixed: [], firstSeen: [:], trend: [])),
            subject: "[LeaverSweep] contoso: no drift"
        ),
        Case(
            name: "only excluded accounts",
            report: ReportFixtures.report(
                findings: [ReportFixtures.reported(.sessionsNotRevoked, "u-bg", nil, user: ReportFixtures.breakGlass, .excluded)],
                history: ReportHistory(previousRunId: 41, newKeys: ["sessions_not_revoked:u-bg"], fixed: [], firstSeen: [:], trend: [])
            ),
            subject: "[LeaverSweep] contoso: no drift"
        ),
        Case(
            name: "GUID tenant",
            report: ReportFixtures.report(tenant: "72f988bf-86f1-41af-91ab-2d7cd011db47", findings: [], history: nil),
            subject: "[LeaverSweep] 72f988bf-86f1-41af-91ab-2d7cd011db47: no drift"
        ),
    ]

    @Test(arguments: cases) func saysTheRunAtAGlance(_ example: Case) {
        #expect(ReportSubject.line(for: example.report) == example.subject)
    }

    @Test(arguments: [
        ("contoso.onmicrosoft.com", "contoso"),
        ("contoso-ü.example", "contoso-ü"),
        ("fabrikam", "fabrikam"),
        ("72F988BF-86F1-41AF-91AB-2D7CD011DB47", "72F988BF-86F1-41AF-91AB-2D7CD011DB47"),
    ])
    func shortensTheTenantToItsFirstLabel(tenant: String, short: String) {
        #expect(ReportSubject.tenantShortName(tenant) == short)
    }

    @Test func isASCIIExceptTheTenantAndTheDash() {
        let subject = ReportSubject.line(for: ReportFixtures.report(tenant: "contoso-ü.onmicrosoft.com"))
        let unexpected = subject.unicodeScalars.filter { !$0.isASCII && $0 != "—" && $0 != "ü" }
        #expect(unexpected.isEmpty)
        #expect(subject.hasPrefix("[LeaverSweep] contoso-ü: "))
    }

    @Test func hostileTenantCannotBreakTheSubjectLine() {
        let subject = ReportSubject.line(for: ReportFixtures.report(tenant: "evil\r\nBcc: x@y.z\u{202E}.example"))
        #expect(!subject.contains("\r") && !subject.contains("\n") && !subject.contains("\u{202E}"))
    }

    @Test func aGuardedRunSaysSoFirst() {
        var report = ReportFixtures.report()
        report.run.guardTripped = "blast-radius guard: 1200 writes planned"
        #expect(ReportSubject.line(for: report).hasPrefix("[LeaverSweep] contoso: GUARD TRIPPED, nothing written — "))
    }
}
