import Foundation
import Testing
@testable import LeaverSweepCore

@Suite struct RunReportTests {
    let user = DirectoryUser(id: "u1", userPrincipalName: "leaver@contoso.com", displayName: "Leaver", accountEnabled: false)

    func finding(_ reaction: Reaction, kind: FindingKind = .leftoverDevice) -> Finding {
        Finding(key: "\(kind.rawValue):d1", kind: kind, user: user, objectId: "d1", objectDisplayName: "LAPTOP-1", detail: "iOS device", reaction: reaction)
    }

    @Test func mapsReactionsAndOutcomesToStatuses() {
        let action = PlannedAction.disableDevice(deviceObjectId: "d1", ownerId: "u1", episodeStart: Date(timeIntervalSince1970: 0), findingKey: "k", ifRefused: .disableInMDM)
        let refused = GraphErrorInfo(httpStatus: 400, code: "Request_BadRequest", message: "only on windows devices", requestId: "r-1", clientRequestId: "c-1")
        let cases: [(ReportedFinding, FindingStatus, HumanTask?)] = [
            (ReportedFinding(finding: finding(.act(action)), outcome: nil), .planned, nil),
            (ReportedFinding(finding: finding(.act(action)), outcome: .applied(at: Date(), requestId: "r")), .applied, nil),
            (ReportedFinding(finding: finding(.act(action)), outcome: .failed(refused)), .failed, .disableInMDM),
            (ReportedFinding(finding: finding(.act(action)), outcome: .failed(.init(httpStatus: 503, code: nil, message: "x", requestId: nil, clientRequestId: nil))), .failed, nil),
            (ReportedFinding(finding: finding(.flag(.disableInOnPremisesAD)), outcome: nil), .flagged, .disableInOnPremisesAD),
            (ReportedFinding(finding: finding(.excluded), outcome: nil), .excluded, nil),
            (ReportedFinding(finding: finding(.alreadyApplied(actionKey: action.key)), outcome: nil), .applied, nil),
        ]
        for (reported, status, task) in cases {
            #expect(reported.status == status)
            #expect(reported.humanTask == task)
        }
        #expect(cases[2].0.error?.requestId == "r-1")
    }

    @Test func encodesTheVersionedSchema() throws {
        let report = RunReport(
            run: .init(id: 7, tenant: "contoso.onmicrosoft.com", mode: .enforce, startedAt: Date(timeIntervalSince1970: 0), finishedAt: nil, outcome: "completed", disabledUsers: 1, usersScanned: 10, devicesScanned: 3),
            warnings: [], findings: [ReportedFinding(finding: finding(.flag(.disableInOnPremisesAD)), outcome: nil)]
        )
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        #expect(json?["schemaVersion"] as? Int == 1)
        let first = (json?["findings"] as? [[String: Any]])?.first
        #expect(first?["kind"] as? String == "leftover_device")
        #expect(first?["status"] as? String == "flagged")
        #expect(first?["humanTask"] as? String == "disable_in_on_premises_ad")
        #expect((first?["user"] as? [String: Any])?["userPrincipalName"] as? String == "leaver@contoso.com")
        #expect(report.summary.flagged == 1)
    }

    @Test func textSummaryNeutralisesTerminalControlCharacters() {
        var hostile = user
        hostile.userPrincipalName = "evil\u{1B}[2J\r\nFAKE LINE@contoso.com\u{202E}"
        let report = RunReport(
            run: .init(id: 1, tenant: "t", mode: .enforce, startedAt: Date(), finishedAt: nil, outcome: "completed", disabledUsers: 1, usersScanned: 1, devicesScanned: 0),
            warnings: [], findings: [ReportedFinding(finding: Finding(key: "k", kind: .sessionsNotRevoked, user: hostile, objectId: "u1", objectDisplayName: nil, detail: "d", reaction: .excluded), outcome: nil)]
        )
        let text = report.renderText()
        #expect(!text.contains("\u{1B}"))
        #expect(!text.contains("\u{202E}"))
        #expect(!text.contains("\r"))
        #expect(text.contains("evil\\u{1B}[2J\\u{D}\\u{A}FAKE LINE"))
    }

    @Test func encodesAppChecksAndTheirFindingsApp() throws {
        let report = AppFixtures.report()
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        let apps = try #require(json?["apps"] as? [[String: Any]])
        #expect(apps.map { $0["app"] as? String } == ["Workday", "Slack", "ServiceNow", "Payroll", "Zoom"])
        #expect(apps[2]["source"] as? String == "entra_provisioning" && apps[2]["health"] as? String == "quarantine")
        #expect(apps[2]["since"] as? String == "2026-11-20T02:00:00.000Z")
        #expect((json?["findings"] as? [[String: Any]])?.first?["app"] as? String == "Workday")
        #expect(try JSONDecoder().decode(RunReport.self, from: JSONEncoder().encode(report)) == report)
        #expect(report.appProblems.map(\.app) == ["Workday", "ServiceNow"])
    }

    @Test func decodesAReportStoredBeforeAppChecks() throws {
        // As stored before per-app checks: no `apps`, and findings without `app`.
        var json = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(ReportFixtures.report())) as? [String: Any])
        json["apps"] = nil
        json["findings"] = (json["findings"] as? [[String: Any]])?.map { finding in finding.filter { $0.key != "app" } }
        let old = try JSONSerialization.data(withJSONObject: json)
        #expect(!String(decoding: old, as: UTF8.self).contains("\"app\":") && !String(decoding: old, as: UTF8.self).contains("\"apps\":"))

        let report = try JSONDecoder().decode(RunReport.self, from: old)
        #expect(report.apps.isEmpty && report.appProblems.isEmpty)
        #expect(report.findings.count == 11 && report.findings.allSatisfy { $0.app == nil })
        #expect(report.history?.previousRunId == 41)
        // Its role assignments and grants still show per app, named by their object.
        let digest = ReportDigest(report: report, now: ReportFixtures.now)
        #expect(digest.apps.map(\.app) == ["Graph Explorer", "Salesforce", "ServiceNow"])
        #expect(HTMLReport.render(digest).contains(">Apps</h2>"))
    }
}
