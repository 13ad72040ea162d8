import Foundation
import Testing
@testable import LeaverSweepCore

/// Fixed instants, as in PlannerTests: disabled (per audit log), first seen disabled an hour later, tonight ten minutes after that.
private let disabledAt = Date(timeIntervalSince1970: 1_790_000_000)
private let firstSeen = disabledAt.addingTimeInterval(3600)
private let tonight = firstSeen.addingTimeInterval(600)
private let lastWeek = disabledAt.addingTimeInterval(-7 * 86_400)
/// The episode stamp action keys carry: first seen disabled, in milliseconds.
private let episodeStamp = String(Int64(firstSeen.timeIntervalSince1970 * 1000))

/// A disabled user whose sessions were revoked after the disable, so only app findings remain.
private func leaver(
    enabled: Bool = false, disabled: DisabledTime? = DisabledTime(at: disabledAt, source: .auditLog),
    accounts: [AppAccount] = [], provisioned: [ProvisionedAccount] = [], manual: [ManualDeprovisioning] = [],
    assignments: [AppRoleAssignment] = [], grants: [DelegatedGrant] = []
) -> LeaverCase {
    var leaver = LeaverCase(
        user: DirectoryUser(id: "u1", userPrincipalName: "leaver@contoso.com", displayName: "Leaver", accountEnabled: enabled,
                            signInSessionsValidFrom: disabledAt.addingTimeInterval(300)),
        disabledAt: disabled, firstSeenDisabled: firstSeen, appRoleAssignments: assignments, delegatedGrants: grants
    )
    leaver.appAccounts = accounts
    leaver.provisionedAccounts = provisioned
    leaver.manualApps = manual
    return leaver
}

private func account(_ app: String = "ServiceNow", id: String = "sn-1", active: Bool = true, checkedTonight: Bool = true) -> AppAccount {
    AppAccount(app: app, accountId: id, userName: "leaver@contoso.com", active: active,
               checkedAt: checkedTonight ? tonight : lastWeek, checkedTonight: checkedTonight)
}

private func planner(
    now: Date = tonight, exclusions: [String] = [], deprovision: Set<String> = [],
    removeAssignments: Bool = false, removeGrants: Bool = false
) -> Planner {
    var policy = Policy(mode: .enforce, exclusions: exclusions)
    policy.deprovisionApps = deprovision
    policy.removeAppRoleAssignments = removeAssignments
    policy.removeUserConsentGrants = removeGrants
    return Planner(policy: policy, now: now)
}

/// Without a disable time the session rule always fires; the app rules are what these tests are about.
private func withoutSessions(_ findings: [Finding]) -> [Finding] {
    findings.filter { $0.kind != .sessionsNotRevoked }
}

private func actions(_ findings: [Finding]) -> [PlannedAction] {
    findings.compactMap { if case .act(let action) = $0.reaction { action } else { nil } }
}

private let deactivation = PlannedAction.deactivateAppAccount(
    app: "ServiceNow", accountId: "sn-1", userId: "u1", episodeStart: firstSeen, findingKey: "app_account_active:ServiceNow:u1:sn-1"
)

@Suite struct PlannerAppTests {
    // MARK: app_account_active

    @Test func flagsAnActiveSCIMAccountInAnAppThatIsNotSetToDeprovision() throws {
        let findings = planner().findings(for: leaver(accounts: [account()]), journal: [:])
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.kind == .appAccountActive)
        #expect(finding.key == "app_account_active:ServiceNow:u1:sn-1")
        #expect(finding.objectId == "sn-1")
        #expect(finding.objectDisplayName == "ServiceNow")
        #expect(finding.app == "ServiceNow")
        #expect(finding.reaction == .flag(.deprovisionInApp))
        #expect(finding.detail.contains("set deprovision = true"), "\(finding.detail)")
    }

    @Test func deactivatesAnAccountCheckedTonightInAnAppSetToDeprovision() throws {
        let findings = planner(deprovision: ["ServiceNow"]).findings(for: leaver(accounts: [account()]), journal: [:])
        #expect(findings.map(\.reaction) == [.act(deactivation)])
        let action = try #require(actions(findings).first)
        #expect(action.kind == .deactivateAppAccount)
        #expect(action.key == "deactivate_app_account:ServiceNow:sn-1:u1:\(episodeStamp)", "the app's name is part of the key")
        #expect(action.app == "ServiceNow")
        #expect(action.targetId == "sn-1")
        #expect(action.userId == "u1")
        #expect(action.findingKey == "app_account_active:ServiceNow:u1:sn-1")
        #expect(action.ifRefused == .deprovisionInApp)
        #expect(action.kind.isGraphWrite == false, "a SCIM write goes to the app, not to Graph")
    }

    @Test(arguments: [Set<String>(), ["ServiceNow"]])
    func neverWritesOnTheLastKnownStateOfAnAppThatCouldNotBeCheckedTonight(deprovision: Set<String>) throws {
        let findings = planner(deprovision: deprovision).findings(for: leaver(accounts: [account(checkedTonight: false)]), journal: [:])
        let finding = try #require(findings.first)
        #expect(findings.count == 1, "kept open rather than called fixed")
        #expect(finding.kind == .appAccountActive)
        #expect(finding.reaction == .flag(.deprovisionInApp))
        #expect(actions(findings).isEmpty)
        #expect(finding.detail.contains("could not be checked tonight"), "\(finding.detail)")
        #expect(finding.detail.contains("as last seen \(GraphTimestamp.readable(lastWeek))"), "\(finding.detail)")
    }

    @Test(arguments: [true, false])
    func anInactiveAccountIsNoFinding(checkedTonight: Bool) {
        let findings = planner(deprovision: ["ServiceNow"]).findings(for: leaver(accounts: [account(active: false, checkedTonight: checkedTonight)]), journal: [:])
        #expect(findings.isEmpty)
    }

    @Test func deprovisionsOnlyInTheAppsConfiguredToAndListsAppsInOrder() {
        let accounts = [account("Workday", id: "wd-9"), account("ServiceNow", id: "sn-2"), account("ServiceNow", id: "sn-1")]
        let findings = planner(deprovision: ["Workday"]).findings(for: leaver(accounts: accounts), journal: [:])
        #expect(findings.map(\.key) == ["app_account_active:ServiceNow:u1:sn-1", "app_account_active:ServiceNow:u1:sn-2", "app_account_active:Workday:u1:wd-9"])
        #expect(findings.map(\.reaction).prefix(2).allSatisfy { $0 == .flag(.deprovisionInApp) })
        #expect(actions(findings).map(\.app) == ["Workday"])
        #expect(actions(findings).map(\.targetId) == ["wd-9"])
    }

    @Test func anAccountActiveAgainAfterLeaverSweepDeactivatedItGoesToAPerson() {
        let journal = [deactivation.key: JournalEntry(key: deactivation.key, state: .applied, appliedAt: firstSeen.addingTimeInterval(60))]
        let findings = planner(deprovision: ["ServiceNow"]).findings(for: leaver(accounts: [account()]), journal: journal)
        #expect(findings.map(\.reaction) == [.flag(.deprovisionInApp)])
        #expect(actions(findings).isEmpty)
    }

    @Test func aDeactivationAppliedBeforeTheAccountWasDisabledAgainDoesNotCount() {
        // Re-enabled and disabled again between two runs: same first-seen episode, but a newer audit disable time.
        let journal = [deactivation.key: JournalEntry(key: deactivation.key, state: .applied, appliedAt: disabledAt.addingTimeInterval(60))]
        let redisabled = leaver(disabled: DisabledTime(at: disabledAt.addingTimeInterval(1800), source: .auditLog), accounts: [account()])
        #expect(actions(withoutSessions(planner(deprovision: ["ServiceNow"]).findings(for: redisabled, journal: journal))) == [deactivation])
    }

    @Test func aDeactivationTheAppRefusedForGoodIsHandedToAPerson() {
        let journal = [deactivation.key: JournalEntry(key: deactivation.key, state: .failed, httpStatus: 404)]
        let findings = planner(deprovision: ["ServiceNow"]).findings(for: leaver(accounts: [account()]), journal: journal)
        #expect(findings.map(\.reaction) == [.refusedEarlier(.deprovisionInApp, actionKey: deactivation.key)])
    }

    @Test(arguments: [JournalEntry.State.inFlight, .failed])
    func resendsADeactivationWhoseOutcomeIsUnknownOrRetryable(state: JournalEntry.State) {
        let journal = [deactivation.key: JournalEntry(key: deactivation.key, state: state, httpStatus: state == .failed ? 503 : nil)]
        let findings = planner(deprovision: ["ServiceNow"]).findings(for: leaver(accounts: [account()]), journal: journal)
        #expect(actions(findings) == [deactivation])
    }

    @Test func neverDeactivatesTheAccountOfAnExcludedUser() {
        let findings = planner(exclusions: ["leaver@contoso.com"], deprovision: ["ServiceNow"]).findings(for: leaver(accounts: [account()]), journal: [:])
        #expect(findings.map(\.kind) == [.appAccountActive])
        #expect(findings.map(\.reaction) == [.excluded])
    }

    // MARK: provisioned_account_lingering

    static let workday = ProvisionedAccount(servicePrincipalId: "sp-wd", app: "Workday", placedAt: lastWeek)

    @Test func givesEntraProvisioningItsGraceBeforeCallingAnAccountLingering() {
        let justBefore = disabledAt.addingTimeInterval(Planner.provisioningGrace - 1)
        #expect(planner(now: justBefore).findings(for: leaver(provisioned: [Self.workday]), journal: [:]).isEmpty)
        let atGrace = disabledAt.addingTimeInterval(Planner.provisioningGrace)
        #expect(planner(now: atGrace).findings(for: leaver(provisioned: [Self.workday]), journal: [:]).map(\.kind) == [.provisionedAccountLingering])
    }

    @Test func countsTheGraceFromFirstSeenDisabledWhenTheDisableTimeIsUnknown() {
        let unknown = leaver(disabled: nil, provisioned: [Self.workday])
        // Past the grace counted from the audit time, but the planner does not know that time here.
        #expect(withoutSessions(planner(now: disabledAt.addingTimeInterval(Planner.provisioningGrace + 60)).findings(for: unknown, journal: [:])).isEmpty)
        let atGrace = planner(now: firstSeen.addingTimeInterval(Planner.provisioningGrace)).findings(for: unknown, journal: [:])
        #expect(withoutSessions(atGrace).map(\.kind) == [.provisionedAccountLingering])
    }

    @Test func flagsAnAccountEntraProvisionedAndNeverTookAwayWithTheEvidence() throws {
        var stalled = Self.workday
        stalled.removalFailure = "SystemForCrossDomainIdentityManagementServiceIncompatible"
        stalled.jobStalled = "provisioning job in quarantine since 2026-09-01"
        let later = planner(now: disabledAt.addingTimeInterval(Planner.provisioningGrace + 1), deprovision: ["Workday"], removeAssignments: true)
        let findings = later.findings(for: leaver(provisioned: [stalled]), journal: [:])
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.key == "provisioned_account_lingering:sp-wd:u1")
        #expect(finding.objectId == "sp-wd")
        #expect(finding.app == "Workday")
        #expect(finding.reaction == .flag(.deprovisionInApp), "Entra's account is Entra's to remove: reported, never written")
        #expect(finding.detail.contains(GraphTimestamp.readable(lastWeek)), "\(finding.detail)")
        #expect(finding.detail.contains("the last attempt failed: SystemForCrossDomainIdentityManagementServiceIncompatible"), "\(finding.detail)")
        #expect(finding.detail.contains("quarantine since 2026-09-01"), "\(finding.detail)")
    }

    @Test func anAccountRemovedAfterItWasLastPlacedIsNotLingering() {
        let later = planner(now: disabledAt.addingTimeInterval(Planner.provisioningGrace + 1))
        var removed = Self.workday
        removed.removedAt = disabledAt.addingTimeInterval(1200)
        #expect(later.findings(for: leaver(provisioned: [removed]), journal: [:]).isEmpty)

        // Removed once, then provisioned again (e.g. an update after a rehire): in place again.
        var reprovisioned = removed
        reprovisioned.placedAt = disabledAt.addingTimeInterval(2400)
        #expect(later.findings(for: leaver(provisioned: [reprovisioned]), journal: [:]).map(\.key) == ["provisioned_account_lingering:sp-wd:u1"])
    }

    @Test func aLingeringAccountOfAnExcludedUserIsReportedAsExcluded() {
        let later = planner(now: disabledAt.addingTimeInterval(Planner.provisioningGrace + 1), exclusions: ["u1"])
        #expect(later.findings(for: leaver(provisioned: [Self.workday]), journal: [:]).map(\.reaction) == [.excluded])
    }

    // MARK: manual_deprovisioning

    static let payroll = ManualDeprovisioning(app: "Legacy Payroll", owner: "payroll-admins@contoso.com")

    @Test func putsEveryLeaverOnAManualAppsChecklist() throws {
        let findings = planner().findings(for: leaver(manual: [Self.payroll]), journal: [:])
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.kind == .manualDeprovisioning)
        #expect(finding.key == "manual_deprovisioning:Legacy Payroll:u1")
        #expect(finding.objectDisplayName == "Legacy Payroll")
        #expect(finding.app == "Legacy Payroll")
        #expect(finding.reaction == .flag(.deprovisionByHand))
        #expect(finding.detail.contains("owner payroll-admins@contoso.com"), "\(finding.detail)")
        #expect(finding.detail.contains(#"leaversweep ack "Legacy Payroll" leaver@contoso.com"#), "\(finding.detail)")
    }

    @Test(arguments: [0.0, 1.0, 86_400.0])
    func anAcknowledgementDuringThisEpisodeClosesTheLine(secondsAfterFirstSeen: Double) {
        var done = Self.payroll
        done.acknowledgedAt = firstSeen.addingTimeInterval(secondsAfterFirstSeen)
        #expect(planner().findings(for: leaver(manual: [done]), journal: [:]).isEmpty)
    }

    @Test(arguments: [-1.0, -90 * 86_400.0])
    func anAcknowledgementFromAnEarlierEpisodeLeavesTheLineOpen(secondsAfterFirstSeen: Double) {
        var earlier = Self.payroll
        earlier.acknowledgedAt = firstSeen.addingTimeInterval(secondsAfterFirstSeen)
        #expect(planner().findings(for: leaver(manual: [earlier]), journal: [:]).map(\.key) == ["manual_deprovisioning:Legacy Payroll:u1"])
    }

    @Test func listsManualAppsByNameAndClosesOnlyTheAcknowledgedOne() {
        var acknowledged = ManualDeprovisioning(app: "Badge System", owner: nil)
        acknowledged.acknowledgedAt = tonight
        let lines = [Self.payroll, ManualDeprovisioning(app: "Canteen", owner: nil), acknowledged]
        let findings = planner().findings(for: leaver(manual: lines), journal: [:])
        #expect(findings.map(\.app) == ["Canteen", "Legacy Payroll"])
        #expect(findings.first?.detail.contains("owner") == false, "no owner, no owner clause")
    }

    @Test func aManualLineOfAnExcludedUserIsReportedAsExcluded() {
        let findings = planner(exclusions: ["LEAVER@contoso.com"]).findings(for: leaver(manual: [Self.payroll]), journal: [:])
        #expect(findings.map(\.reaction) == [.excluded])
    }

    // MARK: app role assignments and user-consent grants

    static let direct = AppRoleAssignment(id: "a1", principalId: "u1", principalType: "User", resourceId: "sp-sf", resourceDisplayName: "Salesforce")
    static let viaGroup = AppRoleAssignment(id: "a2", principalId: "g1", principalType: "Group", principalDisplayName: "Sales", resourceId: "sp-wd", resourceDisplayName: "Workday")
    static let viaLowercaseGroup = AppRoleAssignment(id: "a3", principalId: "g2", principalType: "group", resourceId: "sp-jira")
    static let removal = PlannedAction.removeAppRoleAssignment(assignmentId: "a1", userId: "u1", episodeStart: firstSeen, findingKey: "app_role_assignment:u1:a1",
                                                               restore: direct)

    @Test func leavesAppRoleAssignmentsInPlaceUnlessConfiguredToRemoveThem() {
        let findings = planner().findings(for: leaver(assignments: [Self.direct]), journal: [:])
        #expect(findings.map(\.reaction) == [.flag(.reviewAppAccess)])
    }

    @Test func removesOnlyDirectAssignmentsNeverGroupInheritedOnes() throws {
        let findings = planner(removeAssignments: true).findings(for: leaver(assignments: [Self.viaLowercaseGroup, Self.viaGroup, Self.direct]), journal: [:])
        #expect(findings.map(\.key) == ["app_role_assignment:u1:a1", "app_role_assignment:u1:a2", "app_role_assignment:u1:a3"])
        #expect(findings.map(\.reaction) == [.act(Self.removal), .flag(.reviewAppAccess), .flag(.reviewAppAccess)])
        #expect(findings.map(\.app) == ["Salesforce", "Workday", "sp-jira"], "the resource's name, or its id when it has none")
        #expect(findings[1].detail.contains("remove the membership"))
        let action = try #require(actions(findings).first)
        #expect(action.kind == .removeAppRoleAssignment)
        #expect(action.targetId == "a1")
        #expect(action.key == "remove_app_role_assignment:a1:u1:\(episodeStamp)")
        #expect(action.ifRefused == .reviewAppAccess)
    }

    @Test func anAssignmentSeenAgainAfterItsRemovalGoesToAPerson() {
        let journal = [Self.removal.key: JournalEntry(key: Self.removal.key, state: .applied, appliedAt: firstSeen.addingTimeInterval(60))]
        let findings = planner(removeAssignments: true).findings(for: leaver(assignments: [Self.direct]), journal: journal)
        #expect(findings.map(\.reaction) == [.flag(.reviewAppAccess)])
    }

    @Test func aRemovalGraphRefusedForGoodIsNotRetried() {
        let journal = [Self.removal.key: JournalEntry(key: Self.removal.key, state: .failed, httpStatus: 400)]
        let findings = planner(removeAssignments: true).findings(for: leaver(assignments: [Self.direct]), journal: journal)
        #expect(findings.map(\.reaction) == [.refusedEarlier(.reviewAppAccess, actionKey: Self.removal.key)])
    }

    static let ownGrant = DelegatedGrant(id: "g1", clientId: "client-1", consentType: "Principal", principalId: "u1", resourceId: "graph", scope: "Mail.Read")
    static let grantRemoval = PlannedAction.removeDelegatedGrant(grantId: "g1", userId: "u1", episodeStart: firstSeen, findingKey: "delegated_grant:g1",
                                                                 restore: ownGrant)

    @Test func removesTheUsersOwnConsentButNeverTenantWideOrOtherUsersGrants() throws {
        let tenantWide = DelegatedGrant(id: "g2", clientId: "client-2", consentType: "AllPrincipals", principalId: nil, resourceId: "graph")
        // Malformed but possible in a snapshot: tenant-wide consent that names a principal still covers everyone.
        let tenantWideNamingTheUser = DelegatedGrant(id: "g3", clientId: "client-3", consentType: "AllPrincipals", principalId: "u1", resourceId: "graph")
        let someoneElses = DelegatedGrant(id: "g4", clientId: "client-4", consentType: "Principal", principalId: "u2", resourceId: "graph")
        let findings = planner(removeGrants: true).findings(
            for: leaver(grants: [tenantWide, tenantWideNamingTheUser, someoneElses, Self.ownGrant]), journal: [:])
        #expect(findings.map(\.key) == ["delegated_grant:g1"])
        #expect(findings.map(\.reaction) == [.act(Self.grantRemoval)])
        #expect(findings.first?.app == "client-1")
        let action = try #require(actions(findings).first)
        #expect(action.kind == .removeDelegatedGrant)
        #expect(action.targetId == "g1")
        #expect(action.key == "remove_delegated_grant:g1:u1:\(episodeStamp)")
    }

    @Test func leavesConsentInPlaceUnlessConfiguredToRemoveIt() {
        #expect(planner(removeAssignments: true).findings(for: leaver(grants: [Self.ownGrant]), journal: [:]).map(\.reaction) == [.flag(.reviewAppAccess)])
    }

    @Test func aConsentSeenAgainAfterItsRemovalGoesToAPerson() {
        let journal = [Self.grantRemoval.key: JournalEntry(key: Self.grantRemoval.key, state: .applied, appliedAt: firstSeen.addingTimeInterval(60))]
        #expect(planner(removeGrants: true).findings(for: leaver(grants: [Self.ownGrant]), journal: journal).map(\.reaction) == [.flag(.reviewAppAccess)])
    }

    @Test func neverRemovesAppAccessOfAnExcludedUser() {
        let findings = planner(exclusions: ["u1"], removeAssignments: true, removeGrants: true)
            .findings(for: leaver(assignments: [Self.direct], grants: [Self.ownGrant]), journal: [:])
        #expect(findings.map(\.kind) == [.appRoleAssignment, .delegatedGrant])
        #expect(findings.allSatisfy { $0.reaction == .excluded })
    }

    // MARK: all together

    static func everything(enabled: Bool) -> LeaverCase {
        leaver(enabled: enabled, accounts: [account()], provisioned: [workday], manual: [payroll], assignments: [direct], grants: [ownGrant])
    }

    static let everythingOn = planner(
        now: disabledAt.addingTimeInterval(Planner.provisioningGrace + 1), deprovision: ["ServiceNow"],
        removeAssignments: true, removeGrants: true
    )

    @Test func reportsEveryAppFindingOfADisabledUserInAStableOrder() {
        let findings = Self.everythingOn.findings(for: Self.everything(enabled: false), journal: [:])
        #expect(findings.map(\.kind) == [.appRoleAssignment, .delegatedGrant, .appAccountActive, .provisionedAccountLingering, .manualDeprovisioning])
        #expect(actions(findings).map(\.kind) == [.removeAppRoleAssignment, .removeDelegatedGrant, .deactivateAppAccount])
    }

    @Test func anEnabledUserHasNoAppFindingsAtAll() {
        #expect(Self.everythingOn.findings(for: Self.everything(enabled: true), journal: [:]).isEmpty)
    }
}

/// `policy.app_grace` holds app writes back like `device_grace` holds devices; removals carry what they delete.
struct PlannerAppGraceTests {
    static let disabled = Date(timeIntervalSince1970: 1_790_000_000)
    static let user = DirectoryUser(id: "u1", userPrincipalName: "leaver@contoso.com", accountEnabled: false)

    static func leaver() -> LeaverCase {
        var leaver = LeaverCase(user: user, disabledAt: DisabledTime(at: disabled, source: .auditLog), firstSeenDisabled: disabled,
                                appRoleAssignments: [AppRoleAssignment(id: "a1", appRoleId: "r1", principalId: "u1", principalType: "User",
                                                                       resourceId: "sp-1", resourceDisplayName: "Salesforce")],
                                delegatedGrants: [DelegatedGrant(id: "g1", clientId: "c1", consentType: "Principal", principalId: "u1",
                                                                 resourceId: "graph", scope: "Mail.Read")])
        leaver.appAccounts = [AppAccount(app: "ServiceNow", accountId: "sn-1", userName: "leaver@contoso.com", active: true,
                                         checkedAt: disabled + 10, checkedTonight: true)]
        return leaver
    }

    static func planner(now: Date) -> Planner {
        var policy = Policy(mode: .enforce)
        policy.removeAppRoleAssignments = true
        policy.removeUserConsentGrants = true
        policy.deprovisionApps = ["ServiceNow"]
        policy.appGrace = 24 * 3600
        return Planner(policy: policy, now: now)
    }

    @Test func appWritesWaitForTheGraceAndGoAfterIt() {
        let early = Self.planner(now: Self.disabled + 3600).findings(for: Self.leaver(), journal: [:])
        let appKinds: Set<FindingKind> = [.appRoleAssignment, .delegatedGrant, .appAccountActive]
        let held = early.filter { appKinds.contains($0.kind) }
        #expect(held.count == 3)
        for finding in held {
            guard case .deferred(_, let until) = finding.reaction else { Issue.record("\(finding.kind) not deferred: \(finding.reaction)"); continue }
            #expect(until == Self.disabled + 24 * 3600)
        }
        #expect(early.contains { $0.kind == .sessionsNotRevoked && { if case .act = $0.reaction { true } else { false } }($0) },
                "sessions are revoked at once")
        let late = Self.planner(now: Self.disabled + 25 * 3600).findings(for: Self.leaver(), journal: [:])
        #expect(late.filter { appKinds.contains($0.kind) }.allSatisfy { if case .act = $0.reaction { true } else { false } })
    }

    @Test func removalsJournalWhatTheyDelete() throws {
        let findings = Self.planner(now: Self.disabled + 25 * 3600).findings(for: Self.leaver(), journal: [:])
        func action(_ kind: FindingKind) -> PlannedAction? {
            findings.first { $0.kind == kind }.flatMap { if case .act(let action) = $0.reaction { action } else { nil } }
        }
        let assignment = try #require(action(.appRoleAssignment)?.details)
        #expect(assignment.contains(#""appRoleId":"r1""#) && assignment.contains(#""resourceId":"sp-1""#) && assignment.contains(#""principalId":"u1""#))
        let grant = try #require(action(.delegatedGrant)?.details)
        #expect(grant.contains(#""clientId":"c1""#) && grant.contains(#""scope":"Mail.Read""#) && grant.contains(#""consentType":"Principal""#))
        #expect(action(.appAccountActive)?.details == nil, "a deactivation is undone by setting active again; nothing is deleted")
    }
}

/// A manual app's `since`: leavers disabled before the app joined LeaverSweep stay off its checklist.
struct ManualAppSinceTests {
    @Test func onlyLeaversDisabledOnOrAfterSinceAreListed() {
        let day: TimeInterval = 86_400
        let since = Date(timeIntervalSince1970: 1_790_000_000)
        func lines(disabledAt: Date) -> Int {
            var leaver = LeaverCase(user: DirectoryUser(id: "u1", userPrincipalName: "a@contoso.com", accountEnabled: false),
                                    disabledAt: DisabledTime(at: disabledAt, source: .auditLog), firstSeenDisabled: since + 30 * day)
            leaver.manualApps = [ManualDeprovisioning(app: "Legacy Payroll", owner: nil, since: since)]
            return Planner(policy: Policy(mode: .report), now: since + 31 * day).findings(for: leaver, journal: [:])
                .filter { $0.kind == .manualDeprovisioning }.count
        }
        #expect(lines(disabledAt: since - 400 * day) == 0, "disabled long before the app's go-live")
        #expect(lines(disabledAt: since - 1) == 0)
        #expect(lines(disabledAt: since) == 1)
        #expect(lines(disabledAt: since + day) == 1)
    }

    @Test func sinceIsADate() throws {
        let base = """
            [tenant]
            id = "contoso.onmicrosoft.com"
            [auth]
            client_id = "11111111-2222-3333-4444-555555555555"
            client_secret_env = "S"
            [state]
            database = "/var/lib/leaversweep/state.sqlite"
            [[apps]]
            name = "Legacy Payroll"
            type = "manual"
            owner = "payroll@contoso.com"

            """
        #expect(try Configuration.parse(base + "since = 2026-11-01\n").apps.first?.since == GraphTimestamp.parse("2026-11-01T00:00:00Z"))
        #expect(try Configuration.parse(base + "since = \"2026-11-01\"\n").apps.first?.since == GraphTimestamp.parse("2026-11-01T00:00:00Z"))
        #expect(throws: ConfigurationError.self) { try Configuration.parse(base + "since = \"last year\"\n") }
        #expect(throws: ConfigurationError.self) { try Configuration.parse(base + "since = 7\n") }
    }
}
