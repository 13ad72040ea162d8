import Foundation
import Testing
@testable import GraphEmulator

/// Provisioning in generated tenants, and the manifest rules for it (DriftManifest+Provisioning).
@Suite struct ProvisioningGeneratorTests {
    static let now = TenantGeneratorTests.now

    @Test func manifestRulesOnTheHandMadeLog() {
        let manifest = DriftManifest(deriving: ProvisioningFixture.tenant())
        // bob: Salesforce updated, then only a failed disable. carol: ServiceNow created, disabled after a retry.
        // alice is enabled, so her ServiceNow update is no finding.
        #expect(manifest.lingeringProvisionedAccounts == [ProvisionedAccount(userId: Fixture.bob, servicePrincipalId: ProvisioningFixture.salesforce)])
        #expect(manifest.provisioningJobIssues == [ProvisioningJobIssue(
            servicePrincipalId: ProvisioningFixture.salesforce, jobId: ProvisioningFixture.salesforceJob, state: "Quarantine",
            reason: "EncounteredEscrowProportionThreshold", since: ProvisioningFixture.now - 4 * ProvisioningFixture.day,
            countSuccessiveCompleteFailures: 4)])
        #expect(manifest.removableAppRoleAssignments == [Fixture.bobAssignment])
        #expect(manifest.removableUserConsentGrants == [Fixture.bobGrant])
    }

    @Test func generatedTenantHasHealthyQuarantinedAndFailingJobs() throws {
        let (tenant, manifest) = TenantGenerator.generate(TenantSpec(users: 400, disabledFraction: 0.05, now: Self.now))
        let names = Dictionary(uniqueKeysWithValues: tenant.servicePrincipals.map { ($0.id, $0.displayName) })
        // Every resource of an assignment and every client or resource of a grant is a service principal.
        let referenced = Set(tenant.appRoleAssignments.map(\.resourceId) + tenant.grants.flatMap { [$0.clientId, $0.resourceId] })
        #expect(referenced.isSubset(of: Set(names.keys)))
        let byApp = Dictionary(uniqueKeysWithValues: tenant.synchronizationJobs.map { (names[$0.servicePrincipalId] ?? "?", $0) })
        #expect(Set(byApp.keys) == ["ServiceNow", "Salesforce", "Workday", "GitHub Enterprise Cloud"])
        #expect(byApp["ServiceNow"]?.code == "Active" && byApp["ServiceNow"]?.countSuccessiveCompleteFailures == 0)
        #expect(byApp["Salesforce"]?.quarantine?.reason == "EncounteredEscrowProportionThreshold")
        #expect(byApp["Workday"]?.quarantine?.reason == "TooManyDeletes")
        #expect(byApp["Workday"]?.settings["QuarantineTooManyDeletesThreshold"] == "500")
        let github = try #require(byApp["GitHub Enterprise Cloud"])
        #expect(github.code == "Active" && github.countSuccessiveCompleteFailures > 0)
        #expect(github.lastExecution?.state == "Failed" && github.lastExecution?.error?.code == "Timeout")
        #expect(try #require(github.lastSuccessfulExecution?.timeEnded) < Self.now - 10 * 86_400)
        for job in tenant.synchronizationJobs { #expect(job.id.hasPrefix(job.templateId + ".")) }

        #expect(Set(manifest.provisioningJobIssues.map { names[$0.servicePrincipalId] ?? "?" })
                    == ["Salesforce", "Workday", "GitHub Enterprise Cloud"])
        #expect(manifest.provisioningJobIssues.first { $0.state == "Failing" }?.reason == "Timeout")
    }

    @Test func generatedLogHasLingeringAccountsAndProperlyDeprovisionedOnes() throws {
        let (tenant, manifest) = TenantGenerator.generate(TenantSpec(users: 5_000, disabledFraction: 0.05, now: Self.now))
        let events = tenant.provisioningEvents
        let disabled = manifest.disabledUserIds
        #expect(events.allSatisfy { $0.activityDateTime >= Self.now - 30 * 86_400 && $0.activityDateTime <= Self.now },
                "nothing beyond the 30-day retention, nothing in the future")
        let leaverPairs = Set(events.filter { disabled.contains($0.userId) && $0.placesAccount }
            .map { ProvisionedAccount(userId: $0.userId, servicePrincipalId: $0.servicePrincipalId) })
        let lingering = manifest.lingeringProvisionedAccounts
        #expect(!lingering.isEmpty && lingering.isSubset(of: leaverPairs))
        #expect(leaverPairs.count > lingering.count, "some leavers were deprovisioned properly")
        #expect(lingering.allSatisfy { disabled.contains($0.userId) })
        // Both kinds of deprovisioning, failures with error information, skips, and noise from active users.
        #expect(events.contains { $0.action == "disable" && $0.status == "success" })
        #expect(events.contains { $0.action == "delete" && $0.status == "success" })
        #expect(events.contains { $0.status == "failure" && $0.errorCode == "UnprocessableEntity" })
        #expect(events.contains { $0.status == "skipped" && $0.action == "other" })
        #expect(events.contains { !disabled.contains($0.userId) && $0.action == "update" })
        // A healthy app can leave an account behind too (entry-level failures), and a failure retried into success does not.
        let serviceNow = try #require(tenant.servicePrincipals.first { $0.displayName == "ServiceNow" }).id
        #expect(lingering.contains { $0.servicePrincipalId == serviceNow })
        #expect(events.contains { $0.servicePrincipalId == serviceNow && $0.errorCode == "InternalServerError" })
        // A stalled job logs no success after it stalled.
        for job in tenant.synchronizationJobs {
            guard let stalled = job.quarantine?.seriesBegan ?? (job.countSuccessiveCompleteFailures > 0 ? job.lastSuccessfulExecution?.timeEnded : nil) else { continue }
            #expect(!events.contains { $0.jobId == job.id && $0.status == "success" && $0.activityDateTime > stalled })
        }
    }

    @Test func demoTenantShowsOneAppOfEachHealth() throws {
        let (tenant, manifest) = TenantGenerator.demo(now: Self.now)
        let users = Dictionary(uniqueKeysWithValues: tenant.users.map { ($0.id, $0.displayName) })
        let apps = Dictionary(uniqueKeysWithValues: tenant.servicePrincipals.map { ($0.id, $0.displayName) })
        #expect(Set(manifest.provisioningJobIssues.map { "\(apps[$0.servicePrincipalId] ?? "?") \($0.state) \($0.reason)" })
                    == ["Salesforce Quarantine EncounteredQuarantineException", "Workday Failing WebExceptionProtocolError"])
        let quarantine = try #require(tenant.synchronizationJobs.first { $0.code == "Quarantine" }?.quarantine)
        #expect(quarantine.error?.code == "SalesforceInvalidCredentials")
        #expect(Set(manifest.lingeringProvisionedAccounts.map { "\(users[$0.userId] ?? "?") in \(apps[$0.servicePrincipalId] ?? "?")" })
                    == ["Alex Wilber in Salesforce", "Grady Archie in Workday"])
        let deprovisioned = tenant.provisioningEvents.filter(\.removesAccount).map { users[$0.userId] ?? "?" }
        #expect(Set(deprovisioned) == ["Johanna Lorenz", "Isaiah Langer"])
        #expect(TenantGenerator.demo(now: Self.now).0 == tenant)
    }

    @Test func manifestEndpointServesTheNewFields() throws {
        let (tenant, manifest) = TenantGenerator.demo(now: Self.now)
        let harness = try Harness(tenant: tenant)
        harness.emulator.setManifest(manifest)
        let served = try harness.client.send("GET", "/_emulator/manifest").json
        let issues = try #require(served["provisioningJobIssues"] as? [[String: Any]])
        #expect(issues.count == 2)
        let quarantined = try #require(issues.first { $0["state"] as? String == "Quarantine" })
        #expect(quarantined["reason"] as? String == "EncounteredQuarantineException")
        #expect((quarantined["since"] as? String).flatMap(GraphTime.parse) != nil)
        #expect(quarantined["countSuccessiveCompleteFailures"] as? Int == 5)
        let lingering = try #require(served["lingeringProvisionedAccounts"] as? [[String: String]])
        #expect(Set(lingering.map { ProvisionedAccount(userId: $0["userId"] ?? "", servicePrincipalId: $0["servicePrincipalId"] ?? "") })
                    == manifest.lingeringProvisionedAccounts)
        #expect(Set(served["removableAppRoleAssignments"] as? [String] ?? []) == manifest.removableAppRoleAssignments)
        #expect(Set(served["removableUserConsentGrants"] as? [String] ?? []) == manifest.removableUserConsentGrants)
        #expect(!manifest.removableAppRoleAssignments.isEmpty && !manifest.removableUserConsentGrants.isEmpty)
    }
}
