import Foundation
import GraphEmulator
import Testing
import TestSupport

/// Entra provisioning jobs and logs, manual apps with `leaversweep ack`, and the optional removal of app role
/// assignments and user consents: the real binary against the emulator's tenant and its drift manifest.
@Suite(.serialized) struct AppsEndToEndTests {
    static func tenant() -> (EmulatedTenant, DriftManifest) {
        NightlyRunEndToEndTests.tenant()
    }

    static func findings(_ night: NightHarness, kind: String) throws -> [[String: Any]] {
        try night.reportedFindings().filter { $0["kind"] as? String == kind }
    }

    static func userId(_ finding: [String: Any]) -> String? { (finding["user"] as? [String: Any])?["id"] as? String }
    static func objectId(_ finding: [String: Any]) -> String? { (finding["object"] as? [String: Any])?["id"] as? String }

    @Test func stalledProvisioningJobsAreReportedPerAppWithReasonAndSince() throws {
        let (tenant, manifest) = Self.tenant()
        let night = try NightHarness(tenant: tenant)
        let result = try night.run()
        #expect(result.status == 2, "\(result.stderr)")
        let names = Dictionary(tenant.servicePrincipals.map { ($0.id, $0.displayName) }) { first, _ in first }
        let statuses = (try night.report()["apps"] as? [[String: Any]] ?? []).filter { $0["source"] as? String == "entra_provisioning" }
        let problems = statuses.filter { $0["health"] as? String != "ok" }
        let expected = Set(manifest.provisioningJobIssues.map { "\(names[$0.servicePrincipalId] ?? "?")|\($0.state == "Quarantine" ? "quarantine" : "failing")" })
        #expect(expected.count == 3, "the emulator's tenant has two quarantined jobs and one failing")
        #expect(Set(problems.map { "\($0["app"] as? String ?? "")|\($0["health"] as? String ?? "")" }) == expected)
        for issue in manifest.provisioningJobIssues {
            let status = try #require(problems.first { $0["app"] as? String == names[issue.servicePrincipalId] })
            #expect((status["detail"] as? String)?.contains(issue.reason) == true, "\(status)")
            let since = (status["since"] as? String).flatMap { ISO8601DateFormatter.withFractions.date(from: $0) }
            if let wanted = issue.since {
                // Graph writes these times in whole seconds.
                #expect(abs((since ?? .distantPast).timeIntervalSince(wanted)) < 1, "since \(status["since"] ?? "none") for \(issue.reason)")
            }
        }
        #expect(statuses.contains { $0["app"] as? String == "ServiceNow" && $0["health"] as? String == "ok" }, "healthy jobs are listed as checked")
    }

    @Test func accountsProvisionedAndNeverRemovedAreFindingsForTheirApp() throws {
        let (tenant, manifest) = Self.tenant()
        let night = try NightHarness(tenant: tenant)
        try night.run()
        // Entra needs a provisioning cycle or two after a disable: only leavers disabled longer ago than the grace count.
        var disabledAt: [String: Date] = [:]
        for event in tenant.auditEvents where event.activityDisplayName == "Disable account" {
            disabledAt[event.targetUserId] = max(disabledAt[event.targetUserId] ?? .distantPast, event.activityDateTime)
        }
        let expected = Set(manifest.lingeringProvisionedAccounts.filter { account in
            (disabledAt[account.userId].map { Date().timeIntervalSince($0) > 2 * 3600 + 60 }) ?? false
        }.map { "\($0.servicePrincipalId)|\($0.userId)" })
        #expect(!expected.isEmpty, "the tenant has lingering accounts to find")
        let lingering = try Self.findings(night, kind: "provisioned_account_lingering")
        let found = Set(lingering.map { "\(Self.objectId($0) ?? "")|\(Self.userId($0) ?? "")" })
        #expect(found.subtracting(manifest.lingeringProvisionedAccounts.map { "\($0.servicePrincipalId)|\($0.userId)" }).isEmpty, "nothing beyond the manifest")
        #expect(expected.isSubset(of: found), "missing: \(expected.subtracting(found))")
        #expect(lingering.allSatisfy { $0["status"] as? String == "flagged" && $0["humanTask"] as? String == "deprovision_in_app" })
        let quarantined = lingering.filter { ($0["app"] as? String) == "Salesforce" }
        #expect(quarantined.allSatisfy { ($0["detail"] as? String)?.contains("quarantine") == true }, "the finding says why Entra did not remove it")

        // Removed by hand in the app: the logs cannot show it, an admin says so.
        let one = try #require(lingering.first)
        let upn = try #require(tenant.users.first { $0.id == Self.userId(one) }?.userPrincipalName)
        let app = try #require(one["app"] as? String)
        let ack = try night.command(["ack", app, upn])
        #expect(ack.status == 0, "\(ack.stderr)")
        try night.run()
        let after = Set(try Self.findings(night, kind: "provisioned_account_lingering").compactMap { $0["key"] as? String })
        #expect(!after.contains(one["key"] as? String ?? "") && after.count == lingering.count - 1)
    }

    @Test func ignoredProvisioningAppsAreLeftOut() throws {
        let (tenant, _) = Self.tenant()
        let night = try NightHarness(tenant: tenant)
        night.policyLines = #"ignore_provisioning_apps = ["salesforce"]"#
        try night.run()
        let apps = try night.report()["apps"] as? [[String: Any]] ?? []
        #expect(!apps.contains { $0["app"] as? String == "Salesforce" }, "no job status for an ignored app")
        #expect(apps.contains { $0["app"] as? String == "Workday" && $0["health"] as? String == "quarantine" }, "the others still are")
        #expect(!(try Self.findings(night, kind: "provisioned_account_lingering")).contains { $0["app"] as? String == "Salesforce" })
    }

    @Test func provisioningReadsRefusedAreWarningsNotFailures() throws {
        let (tenant, _) = Self.tenant()
        var options = EmulatorOptions()
        options.deniedEndpoints = ["auditLogs/provisioning"]
        options.unauthorizedEndpoints = ["servicePrincipals/*/synchronization"]
        let night = try NightHarness(tenant: tenant, options: options)
        let result = try night.run()
        #expect(result.status == 2, "the run completes: \(result.stderr)")
        let warnings = try night.report()["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.contains("provisioning logs could not be read") && $0.contains("AuditLog.Read.All") }, "\(warnings)")
        #expect(try Self.findings(night, kind: "provisioned_account_lingering").isEmpty)
        #expect(!night.effectiveWrites().revoked.isEmpty, "the rest of the night ran")
    }

    @Test func unreadableJobsAfterLogsAreAWarningNamingThePermission() throws {
        let (tenant, _) = Self.tenant()
        var options = EmulatorOptions()
        options.unauthorizedEndpoints = ["servicePrincipals/*/synchronization"]
        let night = try NightHarness(tenant: tenant, options: options)
        let result = try night.run()
        #expect(result.status == 2, "\(result.stderr)")
        let warnings = try night.report()["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.contains("Synchronization.Read.All") }, "\(warnings)")
        let statuses = (try night.report()["apps"] as? [[String: Any]] ?? []).filter { $0["source"] as? String == "entra_provisioning" }
        #expect(statuses.isEmpty, "no job status invented")
        #expect(!(try Self.findings(night, kind: "provisioned_account_lingering")).isEmpty, "the logs were still read")
    }

    @Test func manualAppChecklistStaysOpenUntilAcknowledged() throws {
        let (tenant, manifest) = Self.tenant()
        let night = try NightHarness(tenant: tenant)
        night.extraConfig = """
            [[apps]]
            name = "Legacy Payroll"
            type = "manual"
            owner = "payroll-admins@contoso.com"
            """
        try night.run()
        let lines = try Self.findings(night, kind: "manual_deprovisioning")
        #expect(Set(lines.compactMap(Self.userId)) == manifest.disabledUserIds)
        #expect(lines.allSatisfy { $0["humanTask"] as? String == "deprovision_by_hand" && $0["app"] as? String == "Legacy Payroll" })
        let leaver = try #require(tenant.users.first { manifest.disabledUserIds.contains($0.id) })

        let ack = try night.command(["ack", "legacy payroll", leaver.userPrincipalName.uppercased(), "--by", "alice"])
        #expect(ack.status == 0, "\(ack.stderr)")
        #expect(ack.stdout.contains("Legacy Payroll") && ack.stdout.contains("alice"))
        try night.run()
        let after = try Self.findings(night, kind: "manual_deprovisioning")
        #expect(Set(after.compactMap(Self.userId)) == manifest.disabledUserIds.subtracting([leaver.id]))
        let fixed = (try night.report()["history"] as? [String: Any])?["fixed"] as? [[String: Any]] ?? []
        #expect(fixed.contains { ($0["key"] as? String) == "manual_deprovisioning:Legacy Payroll:\(leaver.id)" })

        let wrongApp = try night.command(["ack", "Nonexistent App", leaver.userPrincipalName])
        #expect(wrongApp.status == 78 && wrongApp.stderr.contains("no manual app"))
        let active = try #require(tenant.users.first { $0.accountEnabled })
        let enabledUser = try night.command(["ack", "Legacy Payroll", active.userPrincipalName])
        #expect(enabledUser.status != 0 && enabledUser.stderr.contains("enabled"))
        let nobody = try night.command(["ack", "Legacy Payroll", "nobody@contoso.com"])
        #expect(nobody.status != 0 && nobody.stderr.contains("no user"))
    }

    @Test func removalOptionsDeleteExactlyTheLeaversOwnAccessOnce() throws {
        let (tenant, manifest) = Self.tenant()
        let night = try NightHarness(tenant: tenant, options: NightlyRunEndToEndTests.pagingOptions())
        night.policyLines = """
            remove_app_role_assignments = true
            remove_user_consent_grants = true
            """
        try night.run()
        let deletes = night.emulator.recordedWrites().filter { $0.method == "DELETE" }
        let assignments = Set(deletes.filter { $0.path.contains("/appRoleAssignments/") }.compactMap { $0.path.split(separator: "/").last.map(String.init) })
        let grants = Set(deletes.filter { $0.path.hasPrefix("/v1.0/oauth2PermissionGrants/") }.compactMap { $0.path.split(separator: "/").last.map(String.init) })
        #expect(!manifest.removableAppRoleAssignments.isEmpty && !manifest.removableUserConsentGrants.isEmpty)
        #expect(assignments == manifest.removableAppRoleAssignments, "only direct assignments of disabled users")
        #expect(grants == manifest.removableUserConsentGrants, "only the leavers' own consents, never AllPrincipals")
        #expect(deletes.count == assignments.count + grants.count, "each once")
        #expect(deletes.allSatisfy { $0.status == 204 })
        let show = try night.command(["show", "1"])
        #expect(show.stdout.contains(#"deleted: {"appRoleId""#) && show.stdout.contains(#"deleted: {"clientId""#),
                "what was removed is journaled, to put it back by hand")
        let inherited = try Self.findings(night, kind: "app_role_assignment").filter { ($0["detail"] as? String)?.contains("through group") == true }
        #expect(inherited.allSatisfy { $0["status"] as? String == "flagged" }, "a group's assignment is never deleted for one member")

        let before = night.writes().count
        try night.run()
        #expect(night.writes().count == before, "second run sent \(night.writes().dropFirst(before))")
        let leftover = try night.reportedFindings().filter {
            ["app_role_assignment", "delegated_grant"].contains($0["kind"] as? String) && $0["status"] as? String != "flagged"
        }
        #expect(leftover.isEmpty, "removed access is gone from the snapshot: \(leftover)")
    }

    @Test func consentsAreListedUnderTheClientAppsName() throws {
        let (tenant, manifest) = Self.tenant()
        let night = try NightHarness(tenant: tenant)
        try night.run()
        let grants = try Self.findings(night, kind: "delegated_grant")
        #expect(Set(grants.compactMap(Self.objectId)) == manifest.removableUserConsentGrants)
        let names = Set(tenant.servicePrincipals.map(\.displayName))
        #expect(!grants.isEmpty && grants.allSatisfy { names.contains($0["app"] as? String ?? "") }, "\(grants.map { $0["app"] ?? "none" })")
        let lookups = night.emulator.recordedRequests().filter { $0.path.contains("/servicePrincipals/") && $0.query["$select"] == "id,displayName" }.count
        try night.run()
        let again = night.emulator.recordedRequests().filter { $0.path.contains("/servicePrincipals/") && $0.query["$select"] == "id,displayName" }.count
        #expect(lookups > 0 && again == lookups, "each client is looked up once")
    }

    @Test func ownersAreMailedTheirAppsNewWorkOnly() throws {
        let (tenant, manifest) = Self.tenant()
        let night = try NightHarness(tenant: tenant)
        let smtp = try LoopbackSMTPServer(directory: night.directory.path)
        night.emailTo(smtp, send: "always")
        night.extraConfig += """

            [[apps]]
            name = "Legacy Payroll"
            type = "manual"
            owner = "Payroll Admins <payroll-admins@contoso.com>"
            notify_owner = true
            [[apps]]
            name = "Old Wiki"
            type = "manual"
            owner = "wiki@contoso.com"
            """
        try night.run()
        let first = try smtp.messages()
        let notices = first.filter { ($0["to"] as? String)?.contains("payroll-admins@contoso.com") == true }
        #expect(first.count == 2, "the admins' report and one owner notice: \(first.map { $0["subject"] ?? "" })")
        let notice = try #require(notices.first)
        #expect((notice["subject"] as? String)?.contains("\(manifest.disabledUserIds.count) leavers to deprovision in Legacy Payroll") == true, "\(notice["subject"] ?? "")")
        let text = notice["text"] as? String ?? ""
        for user in tenant.users where manifest.disabledUserIds.contains(user.id) {
            #expect(text.contains(user.userPrincipalName), "\(user.userPrincipalName) missing from the owner's list")
        }
        #expect(!text.contains("Salesforce") && (notice["attachments"] as? [Any])?.isEmpty != false, "only the owner's app, no CSV of the tenant")
        #expect(!first.contains { ($0["to"] as? String)?.contains("wiki@contoso.com") == true }, "notify_owner is off for Old Wiki")

        // Nothing new tonight: the admins get their report, the owner is not nagged.
        try night.run()
        let second = try smtp.messages().dropFirst(first.count)
        #expect(second.count == 1 && second.allSatisfy { ($0["to"] as? String)?.contains("payroll-admins") == false })
    }

    @Test func theEmailHasAnAppsSection() throws {
        let (tenant, _) = Self.tenant()
        let night = try NightHarness(tenant: tenant)
        let smtp = try LoopbackSMTPServer(directory: night.directory.path)
        night.emailTo(smtp)
        night.extraConfig += """

            [[apps]]
            name = "Legacy <b>Payroll</b>"
            type = "manual"
            owner = "payroll-admins@contoso.com"
            """
        try night.run()
        let mail = try #require(try smtp.messages().first)
        let html = try #require(mail["html"] as? String)
        let text = try #require(mail["text"] as? String)
        #expect(html.contains("Apps"))
        #expect(html.contains("Salesforce") && html.contains("EncounteredEscrowProportionThreshold"))
        #expect(html.contains("Legacy &lt;b&gt;Payroll&lt;/b&gt;") && !html.contains("Legacy <b>Payroll</b>"))
        #expect(text.contains("Salesforce") && text.contains("Legacy <b>Payroll</b>"))
    }
}

extension ISO8601DateFormatter {
    static var withFractions: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
