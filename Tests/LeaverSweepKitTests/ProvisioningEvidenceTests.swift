import Foundation
import LeaverSweepCore
import Testing
import TestSupport
@testable import LeaverSweepKit

/// How provisioning log records become "is the account still in the app": folded in a real state database.
struct ProvisioningEvidenceTests {
    static let day: TimeInterval = 86_400
    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    static func record(_ action: String, _ status: String = "success", at offset: TimeInterval,
                       properties: [(String, String)] = [], reason: String? = nil) -> ProvisioningRecordPayload {
        var json: [String: Any] = [
            "id": UUID().uuidString, "activityDateTime": GraphTimestamp.format(t0 + offset), "provisioningAction": action,
            "provisioningStatusInfo": ["status": status],
            "servicePrincipal": ["id": "sp-1", "displayName": "Salesforce"], "sourceIdentity": ["id": "u1", "displayName": "Jane"],
            "modifiedProperties": properties.map { ["displayName": $0.0, "oldValue": NSNull(), "newValue": $0.1] },
        ]
        if let reason { json["provisioningStatusInfo"] = ["status": status, "errorInformation": ["errorCode": "Failed", "reason": reason]] }
        let data = try! JSONSerialization.data(withJSONObject: json)
        return try! JSONDecoder().decode(ProvisioningRecordPayload.self, from: data)
    }

    /// Folds the records (in the order given) and returns the leaver's one provisioned account, if any.
    static func fold(_ records: [ProvisioningRecordPayload]) throws -> ProvisionedAccount? {
        let directory = try TemporaryDirectory()
        let store = try StateStore(path: directory.path + "/state.sqlite")
        try store.stageUsers([DirectoryUser(id: "u1", userPrincipalName: "jane@contoso.com", accountEnabled: false)])
        try store.commitStaging([.users])
        try store.updateDisabledSince(now: t0, runId: 1)
        try store.recordProvisioning(records.compactMap(ProvisioningReader.evidence), seenAt: t0)
        var account: ProvisionedAccount?
        try store.forEachLeaverCase(apps: LeaverAppContext(runStart: t0 + 40 * day)) { account = $0.provisionedAccounts.first }
        return account
    }

    @Test func anAttributeUpdateAfterTheDisableDoesNotPutTheAccountBack() throws {
        // Newest first, as the log lists by default: folding must not depend on the order read.
        let account = try #require(try Self.fold([
            Self.record("update", at: 3 * Self.day, properties: [("department", "Leavers")]),
            Self.record("disable", at: 2 * Self.day, properties: [("accountEnabled", "False")]),
            Self.record("create", at: 1 * Self.day),
        ]))
        #expect(!account.stillInPlace, "placed \(String(describing: account.placedAt)), removed \(String(describing: account.removedAt))")
    }

    @Test func anUpdateThatSoftDeletesIsARemoval() throws {
        for (name, value) in [("IsSoftDeleted", "True"), ("active", "False"), ("accountEnabled", "[\"False\"]")] {
            let account = try #require(try Self.fold([
                Self.record("create", at: 1 * Self.day),
                Self.record("update", at: 2 * Self.day, properties: [(name, value)]),
            ]))
            #expect(!account.stillInPlace, "\(name) = \(value) should count as the removal")
        }
    }

    @Test func anUpdateThatEnablesAgainPutsItBack() throws {
        let account = try #require(try Self.fold([
            Self.record("create", at: 1 * Self.day),
            Self.record("disable", at: 2 * Self.day),
            Self.record("update", at: 3 * Self.day, properties: [("accountEnabled", "True")]),
        ]))
        #expect(account.stillInPlace)
    }

    @Test func aFailedRemovalWithoutAPlacementInTheLogsIsStillEvidence() throws {
        // Provisioned long before the 30 days the logs keep; Entra's disable failed.
        let account = try #require(try Self.fold([Self.record("disable", "failure", at: 2 * Self.day, reason: "The app refused the credentials")]))
        #expect(account.placedAt == nil && account.stillInPlace)
        #expect(account.removalFailure?.contains("refused the credentials") == true)
        var leaver = LeaverCase(user: DirectoryUser(id: "u1", userPrincipalName: "jane@contoso.com", accountEnabled: false),
                                disabledAt: nil, firstSeenDisabled: Self.t0)
        leaver.provisionedAccounts = [account]
        let findings = Planner(policy: Policy(mode: .report), now: Self.t0 + 40 * Self.day).findings(for: leaver, journal: [:])
        let detail = try #require(findings.first { $0.kind == .provisionedAccountLingering }?.detail)
        #expect(detail.contains("failed removal") && detail.contains("refused the credentials"), "\(detail)")
    }

    @Test func aLaterSuccessfulRemovalClearsAnEarlierFailure() throws {
        let account = try #require(try Self.fold([
            Self.record("disable", "failure", at: 2 * Self.day, reason: "timeout"),
            Self.record("disable", at: 3 * Self.day),
        ]))
        #expect(!account.stillInPlace && account.removalFailure == nil)
    }

    @Test func skipsAndPlainUpdatesOfUnknownAccountsPlaceThemOnce() throws {
        #expect(try Self.fold([Self.record("create", "skipped", at: Self.day)]) == nil, "a skip changes nothing in the app")
        let seen = try #require(try Self.fold([Self.record("update", at: Self.day, properties: [("displayName", "Jane")])]))
        #expect(seen.stillInPlace, "an update of an account the logs never saw removed means it is there")
    }
}
