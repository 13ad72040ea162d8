import Foundation
import Testing
@testable import LeaverSweepCore

/// Fixed instants: the rules compare times, so tests name them.
private let disabledAt = Date(timeIntervalSince1970: 1_790_000_000)
private let firstSeen = disabledAt.addingTimeInterval(3600)
private let before = disabledAt.addingTimeInterval(-86_400)
private let after = disabledAt.addingTimeInterval(300)

private func leaver(
    id: String = "u1", upn: String = "leaver@contoso.com", enabled: Bool = false, sessionsValidFrom: Date? = before,
    disabled: DisabledTime? = DisabledTime(at: disabledAt, source: .auditLog),
    devices: [DirectoryDevice] = [], assignments: [AppRoleAssignment] = [], grants: [DelegatedGrant] = []
) -> LeaverCase {
    LeaverCase(
        user: DirectoryUser(id: id, userPrincipalName: upn, displayName: "Leaver", accountEnabled: enabled, signInSessionsValidFrom: sessionsValidFrom),
        disabledAt: disabled, firstSeenDisabled: firstSeen, devices: devices, appRoleAssignments: assignments, delegatedGrants: grants
    )
}

private func device(_ id: String, enabled: Bool = true, os: String = "Windows", trust: String = "AzureAd", synced: Bool? = nil) -> DirectoryDevice {
    DirectoryDevice(id: id, displayName: "dev-\(id)", accountEnabled: enabled, operatingSystem: os, trustType: trust, onPremisesSyncEnabled: synced, registeredOwnerIds: ["u1"])
}

private let now = firstSeen.addingTimeInterval(600)
private let enforce = Planner(policy: Policy(mode: .enforce), now: now)

private func actions(_ findings: [Finding]) -> [PlannedAction] {
    findings.compactMap { if case .act(let action) = $0.reaction { action } else { nil } }
}

@Suite struct SessionRuleTests {
    @Test func revokesSessionsOfUserWhoseSessionsPredateTheDisable() {
        let findings = enforce.findings(for: leaver(sessionsValidFrom: before), journal: [:])
        #expect(findings.map(\.kind) == [.sessionsNotRevoked])
        #expect(actions(findings) == [.revokeSessions(userId: "u1", episodeStart: firstSeen, findingKey: "sessions_not_revoked:u1")])
    }

    @Test func leavesAlreadyRevokedSessionsAlone() {
        #expect(enforce.findings(for: leaver(sessionsValidFrom: after), journal: [:]).isEmpty)
        #expect(enforce.findings(for: leaver(sessionsValidFrom: disabledAt), journal: [:]).isEmpty)
    }

    @Test func comparesAtGraphsOneSecondPrecision() {
        let disabled = DisabledTime(at: disabledAt.addingTimeInterval(0.7), source: .firstSeenDisabled)
        #expect(enforce.findings(for: leaver(sessionsValidFrom: disabledAt, disabled: disabled), journal: [:]).isEmpty)
        #expect(enforce.findings(for: leaver(sessionsValidFrom: disabledAt.addingTimeInterval(-1), disabled: disabled), journal: [:]).count == 1)
    }

    @Test func assumesNotRevokedWhenDisableTimeIsUnknown() {
        let findings = enforce.findings(for: leaver(sessionsValidFrom: after, disabled: nil), journal: [:])
        #expect(findings.map(\.kind) == [.sessionsNotRevoked])
        #expect(findings.first?.detail.contains("unknown") == true)
    }

    @Test func assumesNotRevokedWhenUserHasNoSessionsTimestamp() {
        #expect(enforce.findings(for: leaver(sessionsValidFrom: nil), journal: [:]).map(\.kind) == [.sessionsNotRevoked])
    }

    @Test func usesFirstSeenDisabledWhenTheAuditLogIsSilent() {
        let seen = DisabledTime(at: firstSeen, source: .firstSeenDisabled)
        // Revoked after the audit time would be fine, but we only know first-seen, which is later.
        #expect(enforce.findings(for: leaver(sessionsValidFrom: after, disabled: seen), journal: [:]).count == 1)
        #expect(enforce.findings(for: leaver(sessionsValidFrom: firstSeen.addingTimeInterval(1), disabled: seen), journal: [:]).isEmpty)
    }
}

@Suite struct DeviceRuleTests {
    @Test func disablesEnabledCloudDeviceOfDisabledUser() {
        let findings = enforce.findings(for: leaver(sessionsValidFrom: after, devices: [device("d1")]), journal: [:])
        #expect(findings.map(\.kind) == [.leftoverDevice])
        #expect(actions(findings).map(\.kind) == [.disableDevice])
        #expect(actions(findings).first?.targetId == "d1")
        #expect(actions(findings).first?.ifRefused == .investigateFailedAction)
    }

    @Test func ignoresDevicesThatAreAlreadyDisabled() {
        #expect(enforce.findings(for: leaver(sessionsValidFrom: after, devices: [device("d1", enabled: false)]), journal: [:]).isEmpty)
    }

    @Test func flagsSyncedDevicesForOnPremisesADInsteadOfPatchingThem() {
        let findings = enforce.findings(for: leaver(sessionsValidFrom: after, devices: [device("d1", trust: "ServerAd", synced: true)]), journal: [:])
        #expect(findings.map(\.reaction) == [.flag(.disableInOnPremisesAD)])
    }

    @Test func triesNonWindowsDevicesOnceAndHandsThemToTheMDMAdminAfterGraphRefuses() throws {
        let phone = device("d2", os: "iOS", trust: "Workplace")
        let first = enforce.findings(for: leaver(sessionsValidFrom: after, devices: [phone]), journal: [:])
        let action = try #require(actions(first).first)
        #expect(action.ifRefused == .disableInMDM)

        let refused = JournalEntry(key: action.key, state: .failed, httpStatus: 400, errorCode: "Request_BadRequest")
        let next = enforce.findings(for: leaver(sessionsValidFrom: after, devices: [phone]), journal: [action.key: refused])
        #expect(next.map(\.reaction) == [.refusedEarlier(.disableInMDM, actionKey: action.key)])
    }

    @Test func doesNotResendAnUnknownOutcomeForADeviceGraphRefusesToDisable() throws {
        let phone = device("d2", os: "Android", trust: "Workplace")
        let action = try #require(actions(enforce.findings(for: leaver(sessionsValidFrom: after, devices: [phone]), journal: [:])).first)
        let next = enforce.findings(for: leaver(sessionsValidFrom: after, devices: [phone]), journal: [action.key: JournalEntry(key: action.key, state: .inFlight)])
        #expect(next.map(\.reaction) == [.refusedEarlier(.disableInMDM, actionKey: action.key)])
    }

    @Test(arguments: [401, 403, 429, 500, 503])
    func retriesWritesThatFailedForReasonsThatCanChange(status: Int) {
        let first = actions(enforce.findings(for: leaver(sessionsValidFrom: after, devices: [device("d1")]), journal: [:]))
        let key = first[0].key
        let journal = [key: JournalEntry(key: key, state: .failed, httpStatus: status)]
        #expect(actions(enforce.findings(for: leaver(sessionsValidFrom: after, devices: [device("d1")]), journal: journal)) == first)
    }
}

@Suite struct JournalAndPolicyTests {
    @Test func doesNotResendARevocationWhileItPropagates() {
        let first = actions(enforce.findings(for: leaver(), journal: [:]))
        let journal = [first[0].key: JournalEntry(key: first[0].key, state: .applied, appliedAt: now.addingTimeInterval(-60))]
        let second = enforce.findings(for: leaver(), journal: journal)
        #expect(second.map(\.reaction) == [.alreadyApplied(actionKey: first[0].key)])
    }

    @Test func resendsARevocationThatDidNotStickAfterThePropagationWindow() {
        let first = actions(enforce.findings(for: leaver(), journal: [:]))
        let applied = now.addingTimeInterval(-Planner.revocationPropagation - 1)
        let journal = [first[0].key: JournalEntry(key: first[0].key, state: .applied, appliedAt: applied)]
        #expect(actions(enforce.findings(for: leaver(), journal: journal)) == first)
    }

    @Test func aWriteAppliedBeforeTheAccountWasDisabledAgainDoesNotCount() {
        // Re-enabled and disabled again between two runs: same first-seen episode, but a newer audit disable time.
        let first = actions(enforce.findings(for: leaver(), journal: [:]))
        let journal = [first[0].key: JournalEntry(key: first[0].key, state: .applied, appliedAt: disabledAt.addingTimeInterval(60))]
        let redisabled = leaver(disabled: DisabledTime(at: disabledAt.addingTimeInterval(3600), source: .auditLog))
        #expect(actions(enforce.findings(for: redisabled, journal: journal)) == first)
    }

    @Test func aDeviceEnabledAgainAfterLeaverSweepDisabledItGoesToAPersonNotAFight() {
        let first = actions(enforce.findings(for: leaver(sessionsValidFrom: after, devices: [device("d1")]), journal: [:]))
        let journal = [first[0].key: JournalEntry(key: first[0].key, state: .applied, appliedAt: disabledAt.addingTimeInterval(60))]
        let next = enforce.findings(for: leaver(sessionsValidFrom: after, devices: [device("d1")]), journal: journal)
        #expect(next.map(\.reaction) == [.flag(.reviewReenabledDevice)])
    }

    @Test func resendsAWriteLeftInFlightWhileTheDriftIsStillVisible() {
        let first = actions(enforce.findings(for: leaver(), journal: [:]))
        let journal = [first[0].key: JournalEntry(key: first[0].key, state: .inFlight)]
        #expect(actions(enforce.findings(for: leaver(), journal: journal)) == first)
    }

    @Test func aNewDisableEpisodeIsANewAction() {
        var rehired = leaver()
        let first = actions(enforce.findings(for: rehired, journal: [:]))
        rehired.firstSeenDisabled = firstSeen.addingTimeInterval(90 * 86_400)
        let journal = [first[0].key: JournalEntry(key: first[0].key, state: .applied, appliedAt: now)]
        #expect(actions(enforce.findings(for: rehired, journal: journal)).count == 1)
    }

    @Test(arguments: ["leaver@contoso.com", "LEAVER@Contoso.com", "u1", "U1"])
    func excludedAccountsAreReportedButNeverActedOn(exclusion: String) {
        let planner = Planner(policy: Policy(mode: .enforce, exclusions: [exclusion]), now: now)
        let findings = planner.findings(for: leaver(devices: [device("d1")], assignments: [.init(id: "a1", principalId: "u1", resourceId: "sp")]), journal: [:])
        #expect(findings.count == 3)
        #expect(findings.allSatisfy { $0.reaction == .excluded })
    }

    @Test func neverTouchesAnEnabledAccount() {
        let findings = enforce.findings(for: leaver(enabled: true, sessionsValidFrom: nil, devices: [device("d1")]), journal: [:])
        #expect(findings.isEmpty)
    }
}

@Suite struct GracePeriodTests {
    let graceful = Planner(policy: Policy(mode: .enforce, deviceGrace: 86_400), now: now)

    @Test func waitsForTheGracePeriodBeforeDisablingADeviceButRevokesAtOnce() {
        // Disabled (per audit) 1h10m before `now`: inside a 24 h grace period.
        let findings = graceful.findings(for: leaver(devices: [device("d1")]), journal: [:])
        #expect(findings.map(\.kind) == [.sessionsNotRevoked, .leftoverDevice])
        #expect(actions(findings).map(\.kind) == [.revokeSessions])
        guard case .deferred(let action, let until)? = findings.last?.reaction else {
            Issue.record("device not deferred: \(String(describing: findings.last?.reaction))")
            return
        }
        #expect(action.kind == .disableDevice)
        #expect(until == disabledAt.addingTimeInterval(86_400))
    }

    @Test func disablesTheDeviceOnceTheGracePeriodHasPassed() {
        let later = Planner(policy: Policy(mode: .enforce, deviceGrace: 86_400), now: disabledAt.addingTimeInterval(86_401))
        #expect(actions(later.findings(for: leaver(sessionsValidFrom: after, devices: [device("d1")]), journal: [:])).map(\.kind) == [.disableDevice])
    }

    @Test func withoutAGracePeriodASubSecondClockDifferenceNeverDefersADevice() {
        // First seen a fraction of a millisecond after "now", as a rounded database time can be.
        var fresh = leaver(sessionsValidFrom: after, disabled: nil, devices: [device("d1")])
        fresh.firstSeenDisabled = now.addingTimeInterval(0.0004)
        let noGrace = Planner(policy: Policy(mode: .enforce), now: now)
        #expect(actions(noGrace.findings(for: fresh, journal: [:])).map(\.kind) == [.revokeSessions, .disableDevice])
    }

    @Test func reportsADeferredDeviceAsPlannedWithTheDate() {
        let finding = graceful.findings(for: leaver(sessionsValidFrom: after, devices: [device("d1")]), journal: [:])[0]
        let reported = ReportedFinding(finding: finding, outcome: nil)
        #expect(reported.status == .planned)
        #expect(reported.detail.contains("will be disabled after"))
    }
}

@Suite struct AppAccessRuleTests {
    @Test func flagsDirectAndGroupInheritedAppRoleAssignments() {
        let direct = AppRoleAssignment(id: "a1", principalId: "u1", principalType: "User", resourceId: "sp1", resourceDisplayName: "Salesforce")
        let viaGroup = AppRoleAssignment(id: "a2", principalId: "g1", principalType: "Group", principalDisplayName: "Sales", resourceId: "sp2", resourceDisplayName: "Workday")
        let findings = enforce.findings(for: leaver(sessionsValidFrom: after, assignments: [viaGroup, direct]), journal: [:])
        #expect(findings.map(\.key) == ["app_role_assignment:u1:a1", "app_role_assignment:u1:a2"], "group assignment ids are shared by members: keys include the user")
        #expect(findings.allSatisfy { $0.reaction == .flag(.reviewAppAccess) })
        #expect(findings[1].detail.contains("through group Sales"))
    }

    @Test func attributesOnlyTheUsersOwnConsentNeverTenantWideGrants() {
        let own = DelegatedGrant(id: "g1", clientId: "c1", consentType: "Principal", principalId: "u1", resourceId: "graph", scope: "Mail.Read")
        let tenantWide = DelegatedGrant(id: "g2", clientId: "c2", consentType: "AllPrincipals", principalId: nil, resourceId: "graph")
        let someoneElses = DelegatedGrant(id: "g3", clientId: "c3", consentType: "Principal", principalId: "u2", resourceId: "graph")
        let findings = enforce.findings(for: leaver(sessionsValidFrom: after, grants: [tenantWide, own, someoneElses]), journal: [:])
        #expect(findings.map(\.key) == ["delegated_grant:g1"])
    }
}
