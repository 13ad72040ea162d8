import Foundation
import Testing
@testable import LeaverSweepCore

/// Run reports built in code for the rendering tests: every status, kind and human task, a failed write with
/// Graph's error, and a history with new, fixed and a 14-point trend.
enum ReportFixtures {
    static func time(_ text: String) -> Date { GraphTimestamp.parse(text)! }

    static let startedAt = time("2026-11-23T02:17:00Z")
    static let now = time("2026-11-23T06:00:00Z")
    static let jane = DirectoryUser(id: "u-jane", userPrincipalName: "jdoe@contoso.com", displayName: "Jane Doe", accountEnabled: false)
    static let bob = DirectoryUser(id: "u-bob", userPrincipalName: "bob@contoso.com", displayName: "Bob Stone", accountEnabled: false)
    static let breakGlass = DirectoryUser(id: "u-bg", userPrincipalName: "breakglass@contoso.com", displayName: nil, accountEnabled: false)
    static let refusal = GraphErrorInfo(
        httpStatus: 400, code: "Request_BadRequest",
        message: "Properties other than ExtendedAttribute1..15 can be modified only on windows devices.",
        requestId: "req-failed-1", clientRequestId: "client-1"
    )

    static func reported(
        _ kind: FindingKind, _ objectId: String, _ name: String?, user: DirectoryUser, detail: String = "detail",
        _ reaction: Reaction, outcome: ActionOutcome? = nil, earlier: (at: Date, requestId: String?)? = nil
    ) -> ReportedFinding {
        // Like the planner, app findings carry their app: a role assignment's resource app, a grant's client app.
        let app = kind == .sessionsNotRevoked || kind == .leftoverDevice ? nil : name
        let finding = Finding(key: "\(kind.rawValue):\(objectId)", kind: kind, user: user, objectId: objectId, objectDisplayName: name, detail: detail, reaction: reaction, app: app)
        return ReportedFinding(finding: finding, outcome: outcome, earlierApplication: earlier)
    }

    static func disable(_ deviceId: String, owner: DirectoryUser, ifRefused: HumanTask = .investigateFailedAction) -> Reaction {
        .act(.disableDevice(deviceObjectId: deviceId, ownerId: owner.id, episodeStart: time("2026-11-01T00:00:00Z"), findingKey: "leftover_device:\(deviceId)", ifRefused: ifRefused))
    }

    static func revoke(_ user: DirectoryUser) -> Reaction {
        .act(.revokeSessions(userId: user.id, episodeStart: time("2026-11-01T00:00:00Z"), findingKey: "sessions_not_revoked:\(user.id)"))
    }

    /// Three new (revocation applied tonight, MDM device refused, a 503), eight open, two fixed.
    static var findings: [ReportedFinding] {
        [
            reported(.sessionsNotRevoked, "u-jane", nil, user: jane, revoke(jane), outcome: .applied(at: time("2026-11-23T02:17:02Z"), requestId: "req-applied-1")),
            reported(.leftoverDevice, "d-iphone", "JDOE-IPHONE", user: jane, detail: "iOS device (Workplace) still enabled", disable("d-iphone", owner: jane, ifRefused: .disableInMDM), outcome: .failed(refusal)),
            reported(.leftoverDevice, "d-bobpc", "BOB-PC", user: bob, detail: "Windows device synced from AD", .flag(.disableInOnPremisesAD)),
            reported(.appRoleAssignment, "ara-1", "Salesforce", user: jane, .flag(.reviewAppAccess)),
            reported(.appRoleAssignment, "ara-2", "Salesforce", user: bob, .flag(.reviewAppAccess)),
            reported(.appRoleAssignment, "ara-3", "ServiceNow", user: bob, .flag(.reviewAppAccess)),
            reported(.delegatedGrant, "grant-1", "Graph Explorer", user: jane, .flag(.reviewAppAccess)),
            reported(.leftoverDevice, "d-mac", "BOB-MAC", user: bob, .flag(.reviewReenabledDevice)),
            reported(.sessionsNotRevoked, "u-bg", nil, user: breakGlass, .excluded),
            reported(.leftoverDevice, "d-old", "OLD-PC", user: bob, .alreadyApplied(actionKey: "disable_device:d-old:u-bob:1"), earlier: (time("2026-11-20T02:17:05Z"), "req-earlier")),
            reported(.sessionsNotRevoked, "u-bob", nil, user: bob, revoke(bob), outcome: .failed(GraphErrorInfo(httpStatus: 503, code: "serviceUnavailable", message: "try later", requestId: "req-503", clientRequestId: nil))),
        ]
    }

    static var history: ReportHistory {
        let trendValues = [12, 11, 11, 10, 9, 9, 9, 8, 10, 9, 8, 7, 7, 8]
        let trend = trendValues.enumerated().map { index, open in
            ReportHistory.TrendPoint(runId: Int64(29 + index), startedAt: GraphTimestamp.format(startedAt.addingTimeInterval(Double(index - 13) * 86_400)), openFindings: open)
        }
        return ReportHistory(
            previousRunId: 41,
            newKeys: ["sessions_not_revoked:u-jane", "leftover_device:d-iphone", "sessions_not_revoked:u-bob"],
            fixed: [
                .init(key: "leftover_device:d-gone", kind: .leftoverDevice, userPrincipalName: "old@contoso.com", objectDisplayName: "GONE-PC", firstSeenAt: "2026-11-18T02:17:00.000Z"),
                .init(key: "delegated_grant:g-gone", kind: .delegatedGrant, userPrincipalName: "old@contoso.com", objectDisplayName: "Zoom", firstSeenAt: "2026-11-22T02:17:00.000Z"),
            ],
            firstSeen: [
                "leftover_device:d-iphone": "2026-11-23T02:17:00.000Z",
                "sessions_not_revoked:u-bob": "2026-11-23T02:17:00.000Z",
                "leftover_device:d-bobpc": "2026-11-10T02:17:00.000Z",
                "app_role_assignment:ara-1": "2026-11-20T02:17:00.000Z",
                "app_role_assignment:ara-2": "2026-11-20T02:17:00.000Z",
                "app_role_assignment:ara-3": "2026-11-21T02:17:00.000Z",
                "delegated_grant:grant-1": "2026-11-22T02:17:00.000Z",
                "leftover_device:d-mac": "2026-11-22T02:17:00.000Z",
            ],
            trend: trend
        )
    }

    static func report(
        tenant: String = "contoso.onmicrosoft.com", mode: RunMode = .enforce, failure: String? = nil,
        warnings: [String] = [], findings: [ReportedFinding] = findings, history: ReportHistory? = history
    ) -> RunReport {
        RunReport(
            run: .init(
                id: 42, tenant: tenant, mode: mode, startedAt: startedAt, finishedAt: startedAt.addingTimeInterval(4),
                outcome: failure == nil ? "completed" : "failed", failure: failure, disabledUsers: 7, usersScanned: 41, devicesScanned: 63
            ),
            warnings: warnings, findings: findings, history: history
        )
    }

    /// A report whose directory strings are hostile: markup, quotes, bidi overrides, control characters.
    static func hostileReport(displayName: String, upn: String = "evil@contoso.com", objectName: String = "\u{202E}gpj.exe", detail: String = "detail & more") -> RunReport {
        let user = DirectoryUser(id: "u-evil", userPrincipalName: upn, displayName: displayName, accountEnabled: false)
        let error = GraphErrorInfo(httpStatus: 400, code: "<b>Bad</b>", message: "<script>alert('msg')</script>", requestId: "req-\"x\"", clientRequestId: nil)
        return report(
            warnings: ["<script>alert('warning')</script>"],
            findings: [
                reported(.leftoverDevice, "d-evil", objectName, user: user, detail: detail, disable("d-evil", owner: user), outcome: .failed(error)),
                reported(.appRoleAssignment, "ara-evil", "<img src=x onerror=alert('app')>", user: user, .flag(.reviewAppAccess)),
            ],
            history: ReportHistory(previousRunId: 41, newKeys: ["leftover_device:d-evil"], fixed: [], firstSeen: [:], trend: [])
        )
    }
}

@Suite struct ReportDigestTests {
    let digest = ReportDigest(report: ReportFixtures.report(), now: ReportFixtures.now)

    @Test func countsWhatIsNewOpenFixedAppliedAndFailed() {
        #expect(digest.counts == ReportDigest.Counts(findings: 11, new: 3, open: 8, fixed: 2, applied: 1, failed: 2, planned: 0, needsPerson: 8, excluded: 1))
        #expect(digest.header.tenantShortName == "contoso")
        #expect(digest.header.startedAt == "2026-11-23 02:17 UTC")
    }

    @Test func groupsAppRoleAssignmentsAndGrantsByApp() {
        // Role assignments by resource app and grants by client app, side by side in the per-app view.
        #expect(digest.apps.map(\.app) == ["Graph Explorer", "Salesforce", "ServiceNow"])
        #expect(digest.apps[1].entries.map(\.finding.user.userPrincipalName) == ["bob@contoso.com", "jdoe@contoso.com"])
        #expect(digest.apps[2].entries.map(\.finding.user.userPrincipalName) == ["bob@contoso.com"])
        #expect(digest.apps[0].entries.map(\.finding.kind) == [.delegatedGrant])
        #expect(digest.apps.allSatisfy { $0.statuses.isEmpty })
        // The same four findings are work for a person, grouped the same way.
        #expect(digest.needsPerson.appsByName.map(\.app) == ["Graph Explorer", "Salesforce", "ServiceNow"])
        #expect(digest.needsPerson.appsByName.map(\.entries.count) == [1, 2, 1])
    }

    @Test func countsPeopleNotRowsWhenSomeoneHoldsAnAppTwice() {
        let jane = ReportFixtures.jane
        let direct = ReportFixtures.reported(.appRoleAssignment, "a1", "Salesforce", user: jane, .flag(.reviewAppAccess))
        let viaGroup = ReportFixtures.reported(.appRoleAssignment, "a2", "Salesforce", user: jane, detail: "through group All Sales", .flag(.reviewAppAccess))
        let twice = ReportDigest(report: ReportFixtures.report(findings: [direct, viaGroup]), now: ReportFixtures.now)
        #expect(twice.apps.map(\.entries.count) == [2])
        #expect(twice.apps.map(\.userCount) == [1])
        #expect(twice.needsPerson.appsByName.map(\.userCount) == [1])
        #expect(HTMLReport.render(twice).contains("· 1 user · 2 open<"))
        #expect(PlainTextReport.render(twice).contains("Salesforce — 1 user · 2 open"))
    }

    @Test func separatesOnPremisesADFromIntuneAndReEnabledDevices() {
        #expect(digest.needsPerson.disableInOnPremisesAD.map(\.objectName) == ["BOB-PC"])
        // The refused write is both a failure tonight and work for the Intune admin.
        #expect(digest.needsPerson.disableInMDM.map(\.objectName) == ["JDOE-IPHONE"])
        #expect(digest.failedTonight.map(\.objectName).contains("JDOE-IPHONE"))
        #expect(digest.needsPerson.reEnabledDevices.map(\.objectName) == ["BOB-MAC"])
        #expect(digest.needsPerson.failedWritesToInvestigate.map(\.finding.key) == ["sessions_not_revoked:u-bob"])
    }

    @Test func agesStillOpenFindingsInWholeDaysFromFirstSeen() {
        #expect(digest.stillOpen.map(\.objectName) == ["BOB-PC", "Salesforce", "Salesforce", "ServiceNow", "Graph Explorer", "BOB-MAC"])
        #expect(digest.stillOpen.map(\.ageDays) == [13, 3, 3, 2, 1, 1])
        #expect(digest.newFindings.map(\.finding.key) == ["sessions_not_revoked:u-jane", "leftover_device:d-iphone", "sessions_not_revoked:u-bob"])
        #expect(digest.fixedFindings.map(\.openDays) == [5, 1])
    }

    @Test func tellsTonightsWritesFromEarlierOnes() {
        #expect(digest.appliedTonight.map(\.finding.key) == ["sessions_not_revoked:u-jane"])
        #expect(digest.appliedEarlier.map(\.finding.key) == ["leftover_device:d-old"])
        #expect(digest.excluded.map(\.finding.user.userPrincipalName) == ["breakglass@contoso.com"])
    }

    @Test func trendHasFourteenDatedBarsEndingWithThisRun() {
        #expect(digest.trend.count == 14)
        #expect(digest.trend.first?.label == "11-10")
        #expect(digest.trend.last == ReportDigest.TrendBar(runId: 42, label: "11-23", openFindings: 8, isThisRun: true))
        #expect(digest.trend.filter(\.isThisRun).count == 1)
    }

    @Test func excludedFindingsAreNeverNewOrOpen() {
        // A history that lists the excluded break-glass account's finding as first seen tonight.
        var history = ReportFixtures.history
        history.newKeys.append("sessions_not_revoked:u-bg")
        let report = ReportFixtures.report(history: history)
        let digest = ReportDigest(report: report, now: ReportFixtures.now)
        #expect(digest.counts.new == 3 && digest.counts.open == 8 && digest.counts.excluded == 1)
        #expect(!digest.newFindings.contains { $0.finding.status == .excluded })
        #expect(digest.excluded.allSatisfy { !$0.isNew })
        #expect(ReportSubject.line(for: report).hasPrefix("[LeaverSweep] contoso: 3 new, 8 open"))
        #expect(PlainTextReport.render(digest).contains("New (3)"))
    }

    @Test func firstRunSaysEverythingIsNewInsteadOfListingIt() {
        let findings = ReportFixtures.findings
        let history = ReportHistory(
            previousRunId: nil, newKeys: findings.map(\.key), fixed: [], firstSeen: [:],
            trend: [.init(runId: 42, startedAt: "2026-11-23T02:17:00.000Z", openFindings: 8)]
        )
        let digest = ReportDigest(report: ReportFixtures.report(findings: findings, history: history), now: ReportFixtures.now)
        #expect(digest.isFirstRun)
        #expect(digest.counts.new == 10)
        let sentence = "This is the first recorded run: all 10 findings are new (not counting the 1 of excluded accounts); the other sections list them."
        #expect(ReportListing.firstRunSentence(digest) == sentence)
        let html = HTMLReport.render(digest)
        #expect(html.contains(sentence) && !html.contains(">New <") && !html.contains(">new</span>"))
        #expect(PlainTextReport.render(digest).contains("This is the first recorded run: all 10 findings are new"))
    }

    @Test func failedRunWithoutHistoryHasNoNewOrFixed() {
        let failed = ReportDigest(report: ReportFixtures.report(failure: "Graph returned 503 three times", history: nil), now: ReportFixtures.now)
        #expect(!failed.hasHistory)
        #expect(failed.header.runFailed)
        #expect(failed.newFindings.isEmpty && failed.trend.isEmpty)
        #expect(failed.stillOpen.count == 8)
        #expect(failed.footer.reportCommand == "leaversweep report --run 42")
    }
}
