import Foundation
import Testing
@testable import LeaverSweepCore

/// A night with every kind of app check: a SCIM app that could not be checked, one that was (with an account
/// deactivated tonight and one left open), a quarantined provisioning job, a manual app with an owner, an app
/// known only from a role assignment, and a SCIM app checked with nothing found.
enum AppFixtures {
    static let jane = ReportFixtures.jane
    static let bob = ReportFixtures.bob
    static let episode = ReportFixtures.time("2026-11-01T00:00:00Z")

    static func finding(_ kind: FindingKind, app: String, user: DirectoryUser, objectId: String? = nil, detail: String = "detail", _ reaction: Reaction, outcome: ActionOutcome? = nil) -> ReportedFinding {
        let object = objectId ?? "\(app)-\(user.id)"
        let finding = Finding(key: "\(kind.rawValue):\(app):\(object)", kind: kind, user: user, objectId: object, objectDisplayName: app, detail: detail, reaction: reaction, app: app)
        return ReportedFinding(finding: finding, outcome: outcome)
    }

    static func deactivate(_ app: String, _ user: DirectoryUser) -> Reaction {
        .act(.deactivateAppAccount(app: app, accountId: "\(app)-\(user.id)", userId: user.id, episodeStart: episode, findingKey: "app_account_active:\(app):\(app)-\(user.id)"))
    }

    static let statuses: [AppStatus] = [
        AppStatus(app: "Workday", source: .scim, health: .notChecked, detail: "the app answered HTTP 503 three times", since: ReportFixtures.time("2026-11-22T02:17:00Z")),
        AppStatus(app: "Slack", source: .scim, health: .ok, usersChecked: 7),
        AppStatus(app: "ServiceNow", source: .entraProvisioning, health: .quarantine, detail: "EncounteredQuarantineException: the admin credentials are invalid", since: ReportFixtures.time("2026-11-20T02:00:00Z")),
        AppStatus(app: "Payroll", source: .manual, health: .ok, owner: "Pat Payroll"),
        AppStatus(app: "Zoom", source: .scim, health: .ok, usersChecked: 7),
    ]

    static var findings: [ReportedFinding] {
        [
            finding(.appAccountActive, app: "Workday", user: jane, detail: "account jdoe is active in the app (as last seen)", .flag(.deprovisionInApp)),
            // Applied first in the report, listed after the open one.
            finding(.appAccountActive, app: "Slack", user: bob, detail: "account bob is active in the app", deactivate("Slack", bob),
                    outcome: .applied(at: ReportFixtures.time("2026-11-23T02:17:03Z"), requestId: nil)),
            finding(.appAccountActive, app: "Slack", user: jane, detail: "account jdoe is active in the app; deactivate it there", .flag(.deprovisionInApp)),
            finding(.provisionedAccountLingering, app: "ServiceNow", user: bob, objectId: "sp-servicenow", detail: "Entra provisioned the account and never removed it", .flag(.deprovisionInApp)),
            finding(.manualDeprovisioning, app: "Payroll", user: jane, objectId: jane.id, detail: "deprovision by hand (owner Pat Payroll)", .flag(.deprovisionByHand)),
            finding(.appRoleAssignment, app: "Salesforce", user: bob, objectId: "ara-9", detail: "assigned directly", .flag(.reviewAppAccess)),
            ReportFixtures.reported(.sessionsNotRevoked, bob.id, nil, user: bob, .excluded),
        ]
    }

    static func report(findings: [ReportedFinding] = findings, statuses: [AppStatus] = statuses) -> RunReport {
        var report = ReportFixtures.report(findings: findings, history: nil)
        report.apps = statuses
        return report
    }
}

@Suite struct AppSectionReportTests {
    let report = AppFixtures.report()
    var digest: ReportDigest { ReportDigest(report: report, now: ReportFixtures.now) }

    func expectInOrder(_ markers: [String], in document: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var position = document.startIndex
        for marker in markers {
            let found = try #require(document.range(of: marker, range: position..<document.endIndex), "\(marker) missing or out of order", sourceLocation: sourceLocation)
            position = found.upperBound
        }
    }

    @Test func groupsFindingsAndChecksPerAppAlphabetically() {
        let apps = digest.apps
        #expect(apps.map(\.app) == ["Payroll", "Salesforce", "ServiceNow", "Slack", "Workday", "Zoom"])
        #expect(apps.map(\.userCount) == [1, 1, 1, 2, 1, 0])
        #expect(apps.map(\.openCount) == [1, 1, 1, 1, 1, 0])
        #expect(apps.map { $0.statuses.map(\.source) } == [[.manual], [], [.entraProvisioning], [.scim], [.scim], [.scim]])
        #expect(apps.map { $0.problems.map(\.health) } == [[], [], [.quarantine], [], [.notChecked], []])
        #expect(digest.appsWithProblems.map(\.app) == ["ServiceNow", "Workday"])
        // The excluded account's finding belongs to no app.
        #expect(!apps.flatMap(\.entries).contains { $0.finding.status == .excluded })
    }

    @Test func listsAppliedEntriesAfterOpenOnes() throws {
        let slack = try #require(digest.apps.first { $0.app == "Slack" })
        #expect(slack.entries.map(\.finding.status) == [.flagged, .applied])
        #expect(slack.entries.map(\.finding.user.id) == ["u-jane", "u-bob"])

        let html = HTMLReport.render(digest)
        let heading = try #require(html.range(of: ">Slack <span"))
        let open = try #require(html.range(of: "To do: deactivate or delete the account in the app.", range: heading.upperBound..<html.endIndex))
        let applied = try #require(html.range(of: "LeaverSweep deactivated the account tonight.", range: heading.upperBound..<html.endIndex))
        #expect(open.upperBound < applied.lowerBound)
        #expect(html[heading.upperBound..<open.lowerBound].contains("jdoe@contoso.com"))
        let text = PlainTextReport.render(digest)
        let textHeading = try #require(text.range(of: "Slack — 2 users · 1 open"))
        let openLine = try #require(text.range(of: "[flagged] Jane Doe (jdoe@contoso.com) — app account still active", range: textHeading.upperBound..<text.endIndex))
        let appliedLine = try #require(text.range(of: "[applied] Bob Stone (bob@contoso.com) — app account still active", range: textHeading.upperBound..<text.endIndex))
        #expect(openLine.upperBound < appliedLine.lowerBound)
        #expect(text.contains("      LeaverSweep deactivated the account tonight.\n"))
    }

    @Test func htmlShowsEachAppWithItsChecksThenItsLeavers() throws {
        let html = HTMLReport.render(digest)
        let markers = [
            ">Apps</h2>", "6 apps with a check or a finding tonight",
            "Payroll", "· 1 user · 1 open", "manual app · owner Pat Payroll", "deprovision by hand", "To do: deprovision by hand, then leaversweep ack.",
            "Salesforce", "app role assignment", "To do: review app access.",
            "ServiceNow", ">in quarantine</span> Entra provisioning job · since 2026-11-20 02:00 UTC",
            "EncounteredQuarantineException: the admin credentials are invalid", "Entra deprovisions nobody in this app until the job runs again.",
            "provisioned account not removed",
            "Slack", "· 2 users · 1 open", ">ok</span> SCIM app · 7 leavers checked", "Jane Doe", "Bob Stone", "deactivated the account tonight",
            "Workday", ">not checked</span> SCIM app · since 2026-11-22 02:17 UTC", "the app answered HTTP 503 three times",
            "Accounts are shown as last seen; nothing is written to this app until it answers.",
            "Checked, nothing found: <strong>Zoom</strong> (SCIM app, 7 leavers checked).",
            "What changed since the last run",
        ]
        try expectInOrder(markers, in: html)
        // A problem stands out on the red tint; an app checked fine does not.
        #expect(html.components(separatedBy: "border-left:4px solid \(Palette.failedCallout.border);\">").count - 1 == 2)
        #expect(html.components(separatedBy: "<table").count == html.components(separatedBy: "</table>").count)
    }

    @Test func plainTextShowsTheSameApps() throws {
        let text = PlainTextReport.render(digest)
        let markers = [
            "APPS (6)",
            "Payroll — 1 user · 1 open", "  ok: manual app · owner Pat Payroll",
            "Salesforce — 1 user · 1 open",
            "ServiceNow — 1 user · 1 open", "  !! IN QUARANTINE: Entra provisioning job · since 2026-11-20 02:00 UTC",
            "      EncounteredQuarantineException: the admin credentials are invalid",
            "Slack — 2 users · 1 open", "  ok: SCIM app · 7 leavers checked",
            "Workday — 1 user · 1 open", "  !! NOT CHECKED: SCIM app · since 2026-11-22 02:17 UTC",
            "Checked, nothing found: Zoom (SCIM app, 7 leavers checked).",
            "WHAT CHANGED SINCE THE LAST RUN",
        ]
        try expectInOrder(markers, in: text)
        for line in text.split(separator: "\n") {
            #expect(line.count <= PlainTextReport.width, "\(line)")
        }
    }

    @Test func summaryNamesAppProblemsBeforeAnyList() throws {
        let sentence = "2 apps could not be checked or have stalled provisioning"
        let html = HTMLReport.render(digest)
        let callout = try #require(html.range(of: "<strong>\(sentence):</strong> ServiceNow (in quarantine), Workday (not checked). See Apps below."))
        let needsPerson = try #require(html.range(of: "Needs a person"))
        #expect(callout.upperBound < needsPerson.lowerBound)

        // The line is wrapped at 100 columns with a three-space continuation.
        let text = PlainTextReport.render(digest).replacingOccurrences(of: "\n   ", with: " ")
        let line = try #require(text.range(of: "!! \(sentence): ServiceNow (in quarantine), Workday (not checked). See APPS below."))
        #expect(line.upperBound < (try #require(text.range(of: "NEEDS A PERSON"))).lowerBound)
    }

    @Test func noProblemNoSummaryLine() {
        let healthy = AppFixtures.report(statuses: AppFixtures.statuses.filter { !$0.isProblem })
        let html = HTMLReport.render(healthy, now: ReportFixtures.now)
        #expect(!html.contains("could not be checked") && !html.contains("stalled provisioning"))
        #expect(!PlainTextReport.render(healthy, now: ReportFixtures.now).contains("!! "))
        #expect(ReportListing.appProblemSentence(ReportDigest(report: healthy, now: ReportFixtures.now)) == nil)
    }

    @Test(arguments: [
        ([AppStatus.Health.notChecked], "1 app could not be checked"),
        ([.quarantine], "1 app has stalled provisioning"),
        ([.failing, .quarantine], "2 apps have stalled provisioning"),
        ([.notChecked, .notChecked, .notChecked], "3 apps could not be checked"),
        ([.notChecked, .failing], "2 apps could not be checked or have stalled provisioning"),
    ])
    func summarySentenceSaysWhatIsWrong(healths: [AppStatus.Health], sentence: String) {
        let statuses = healths.enumerated().map { AppStatus(app: "App \($0.offset)", source: $0.element == .notChecked ? .scim : .entraProvisioning, health: $0.element) }
        let digest = ReportDigest(report: AppFixtures.report(findings: [], statuses: statuses), now: ReportFixtures.now)
        #expect(ReportListing.appProblemSentence(digest) == sentence)
    }

    @Test func needsPersonPointsToTheAppsInsteadOfListingThemTwice() throws {
        // Five open app findings with a task for a person, in five apps; none listed under "Needs a person".
        #expect(digest.needsPerson.appsByName.map(\.app) == ["Payroll", "Salesforce", "ServiceNow", "Slack", "Workday"])
        #expect(digest.needsPerson.count == 5)
        #expect(digest.counts.needsPerson == 5)

        let html = HTMLReport.render(digest)
        let start = try #require(html.range(of: ">Needs a person</h2>"))
        let end = try #require(html.range(of: ">Apps</h2>"))
        let needsPerson = html[start.upperBound..<end.lowerBound]
        #expect(needsPerson.contains("App access and accounts to take away"))
        #expect(needsPerson.contains("(5)</span>") && needsPerson.contains("Listed under Apps below, in 5 apps."))
        #expect(!needsPerson.contains("jdoe@contoso.com") && !needsPerson.contains("Workday"))

        let text = PlainTextReport.render(digest)
        let textStart = try #require(text.range(of: "NEEDS A PERSON (5)"))
        let textEnd = try #require(text.range(of: "APPS (6)"))
        let textSection = text[textStart.upperBound..<textEnd.lowerBound]
        #expect(textSection.contains("App access and accounts to take away (5)"))
        #expect(!textSection.contains("jdoe@contoso.com"))
    }

    @Test func hostileAppNamesAreEscapedInHTMLAndInertInText() {
        let hostile = "<img src=x onerror=alert('app')>\u{202E}gpj.exe"
        let report = AppFixtures.report(
            findings: [AppFixtures.finding(.appAccountActive, app: hostile, user: AppFixtures.jane, .flag(.deprovisionInApp))],
            statuses: [AppStatus(app: hostile, source: .scim, health: .notChecked, detail: "<script>alert('detail')</script>", owner: "\"owner\" <b>")]
        )
        let html = HTMLReport.render(report, now: ReportFixtures.now)
        #expect(!html.contains("<img") && !html.contains("<script") && !html.contains("<b>") && !html.contains("\u{202E}"))
        let escaped = "&lt;img src=x onerror=alert(&#39;app&#39;)&gt;gpj.exe"
        // In the summary callout, the app's heading row and the needs-a-person pointer does not name it.
        #expect(html.components(separatedBy: escaped).count - 1 == 2)
        #expect(html.contains("&lt;script&gt;alert(&#39;detail&#39;)&lt;/script&gt;"))
        #expect(html.contains("owner &quot;owner&quot; &lt;b&gt;"))

        let text = PlainTextReport.render(report, now: ReportFixtures.now)
        #expect(!text.contains("\u{202E}"))
        #expect(text.contains("<img src=x onerror=alert('app')>\\u{202E}gpj.exe — 1 user · 1 open"))
        let summary = report.renderText()
        #expect(!summary.contains("\u{202E}") && summary.contains("\\u{202E}gpj.exe (SCIM app): not checked"))
    }

    @Test func hostileAppNamesAreNeutralisedInTheCSV() throws {
        let hostile = "\u{202E}=HYPERLINK(\"http://evil\",\"Workday\")"
        let report = AppFixtures.report(findings: [AppFixtures.finding(.appAccountActive, app: hostile, user: AppFixtures.jane, .flag(.deprovisionInApp))])
        let csv = CSVReport.render(report, byteOrderMark: false)
        let rows = CSVReportTests.parse(csv)
        let app = try #require(CSVReport.columns.firstIndex(of: "app"))
        #expect(app == CSVReport.columns.count - 1)
        #expect(rows[1][app] == "'=HYPERLINK(\"http://evil\",\"Workday\")")
        #expect(!csv.contains("\u{202E}"))
        // Findings without an app leave the column empty.
        let sessions = CSVReportTests.parse(CSVReport.render(ReportFixtures.report(), byteOrderMark: false)).first { $0[3] == "sessions_not_revoked" }
        #expect(sessions?[app] == "")
    }

    @Test func aBigNightOfAppsKeepsToTheRowCaps() {
        // 40 apps that could not be checked, three leavers each: 120 rows and 40 problems.
        let statuses = (0..<40).map { AppStatus(app: String(format: "App %02d", $0), source: .scim, health: .notChecked, detail: "timed out") }
        let findings = statuses.flatMap { status in
            (0..<3).map { index in
                let user = DirectoryUser(id: "u-\(status.app)-\(index)", userPrincipalName: "leaver\(index)@contoso.com", displayName: nil, accountEnabled: false)
                return AppFixtures.finding(.appAccountActive, app: status.app, user: user, .flag(.deprovisionInApp))
            }
        }
        let digest = ReportDigest(report: AppFixtures.report(findings: findings, statuses: statuses), now: ReportFixtures.now)
        #expect(ReportListing(digest).limit == 25)
        let html = HTMLReport.render(digest)
        let text = PlainTextReport.render(digest)
        for part in [html, text] {
            // 25 rows (the first nine apps), 25 apps with their problem, the rest counted.
            #expect(part.contains("…and 95 more — see the attached CSV."))
            #expect(part.contains("…and 15 more apps with a problem — see the JSON report (--format json)."))
            #expect(part.contains("App 24") && !part.contains("App 25"))
            #expect(part.contains("40 apps could not be checked"))
            #expect(part.contains("App 04 (not checked), and 35 more."))
        }
        #expect(html.utf8.count < 80_000, "\(html.utf8.count) bytes")
    }

    @Test func runSummaryListsAppProblems() {
        let text = report.renderText(includeFindings: false)
        #expect(text.contains("""
          apps with a problem:
            - Workday (SCIM app): not checked since 2026-11-22 02:17 UTC — the app answered HTTP 503 three times
            - ServiceNow (Entra provisioning job): in quarantine since 2026-11-20 02:00 UTC — EncounteredQuarantineException: the admin credentials are invalid

        """))
        #expect(!AppFixtures.report(statuses: []).renderText().contains("apps with a problem"))
    }
}
