import Foundation
import GraphEmulator
import Testing
import TestSupport

/// The real binary against the emulator and a real SCIM 2.0 server (`scim2-server`) on loopback: which accounts
/// are flagged, which are deactivated, and that nothing is sent twice.
@Suite(.serialized) struct SCIMAppsEndToEndTests {
    static let tokenVariable = "LEAVERSWEEP_SCIM_SERVICENOW"

    /// The app as an admin would configure it.
    static func appConfig(_ server: LoopbackSCIMServer?, baseURL: String? = nil, deprovision: Bool, match: String = "userName") -> String {
        """
        [[apps]]
        name = "ServiceNow"
        type = "scim"
        base_url = "\(baseURL ?? server?.baseURL ?? "")"
        token_env = "\(tokenVariable)"
        match = "\(match)"
        deprovision = \(deprovision)
        """
    }

    struct Seeded {
        /// Account ids of disabled users whose account is still active: exactly what must be flagged/deactivated.
        var activeLeaverAccounts: Set<String> = []
        /// Every other account: active users' accounts, leavers already deactivated, strangers.
        var untouchable: Set<String> = []
    }

    /// Accounts for some disabled users (most active, some already inactive), some enabled users, and a stranger.
    static func seed(_ server: LoopbackSCIMServer, tenant: EmulatedTenant) throws -> Seeded {
        var seeded = Seeded()
        let disabled = tenant.users.filter { !$0.accountEnabled }.sorted { $0.id < $1.id }
        let enabled = tenant.users.filter(\.accountEnabled).sorted { $0.id < $1.id }
        for (index, user) in disabled.prefix(12).enumerated() {
            // userName as Entra maps it, but in another case: SCIM userName is case-insensitive.
            let userName = index.isMultiple(of: 3) ? user.userPrincipalName.uppercased() : user.userPrincipalName
            let stillActive = index % 4 != 3
            let id = try server.seed(.init(userName: userName, active: stillActive, displayName: user.displayName))
            if stillActive { seeded.activeLeaverAccounts.insert(id) } else { seeded.untouchable.insert(id) }
        }
        for user in enabled.prefix(8) {
            seeded.untouchable.insert(try server.seed(.init(userName: user.userPrincipalName, active: true)))
        }
        // A near miss: a prefix of a leaver's name must not match.
        if let leaver = disabled.first {
            seeded.untouchable.insert(try server.seed(.init(userName: String(leaver.userPrincipalName.dropLast(4)), active: true)))
        }
        return seeded
    }

    static func tenant() -> EmulatedTenant {
        NightlyRunEndToEndTests.tenant().0
    }

    static func findings(_ night: NightHarness, kind: String) throws -> [[String: Any]] {
        try night.reportedFindings().filter { $0["kind"] as? String == kind }
    }

    static func objectIds(_ findings: [[String: Any]]) -> Set<String> {
        Set(findings.compactMap { ($0["object"] as? [String: Any])?["id"] as? String })
    }

    static func apps(_ night: NightHarness) throws -> [[String: Any]] {
        try night.report()["apps"] as? [[String: Any]] ?? []
    }

    @Test func flagsExactlyTheStillActiveAccountsOfDisabledUsersAndChangesNothing() throws {
        let tenant = Self.tenant()
        let server = try LoopbackSCIMServer()
        let seeded = try Self.seed(server, tenant: tenant)
        let before = try server.accounts()
        let night = try NightHarness(tenant: tenant, options: NightlyRunEndToEndTests.pagingOptions())
        night.extraConfig = Self.appConfig(server, deprovision: false)
        let result = try night.run(environment: [Self.tokenVariable: server.token])
        #expect(result.status == 2, "\(result.stderr)")

        let flagged = try Self.findings(night, kind: "app_account_active")
        #expect(Self.objectIds(flagged) == seeded.activeLeaverAccounts)
        #expect(flagged.allSatisfy { $0["status"] as? String == "flagged" && $0["humanTask"] as? String == "deprovision_in_app" && $0["app"] as? String == "ServiceNow" })
        #expect(try server.accounts() == before, "flag mode must not change any account")
        let status = try #require(try Self.apps(night).first { $0["app"] as? String == "ServiceNow" && $0["source"] as? String == "scim" })
        #expect(status["health"] as? String == "ok")
        #expect(status["usersChecked"] as? Int == tenant.users.filter { !$0.accountEnabled }.count)
        #expect(!result.stdout.contains(server.token) && !result.stderr.contains(server.token))
        #expect(!(try String(contentsOfFile: night.reportPath, encoding: .utf8)).contains(server.token))
    }

    @Test func deprovisionDeactivatesExactlyThoseAccountsAndASecondRunSendsNothing() throws {
        let tenant = Self.tenant()
        let server = try LoopbackSCIMServer()
        let seeded = try Self.seed(server, tenant: tenant)
        let before = Dictionary(uniqueKeysWithValues: try server.accounts().map { ($0.id, $0) })
        let night = try NightHarness(tenant: tenant, options: NightlyRunEndToEndTests.pagingOptions())
        night.extraConfig = Self.appConfig(server, deprovision: true)
        let first = try night.run(environment: [Self.tokenVariable: server.token])
        #expect([0, 2].contains(first.status), "\(first.stderr)")

        let after = Dictionary(uniqueKeysWithValues: try server.accounts().map { ($0.id, $0) })
        #expect(Set(after.keys) == Set(before.keys), "no account created or deleted")
        for (id, account) in after {
            if seeded.activeLeaverAccounts.contains(id) {
                #expect(account.active == false, "\(account.userName) should be deactivated")
                var expected = try #require(before[id])
                expected.active = false
                expected.version = account.version
                #expect(account == expected, "only active changed on \(account.userName)")
            } else {
                #expect(account == before[id], "\(account.userName) must be untouched")
            }
        }
        let applied = try Self.findings(night, kind: "app_account_active")
        #expect(Self.objectIds(applied) == seeded.activeLeaverAccounts)
        #expect(applied.allSatisfy { $0["status"] as? String == "applied" && $0["action"] as? String == "deactivate_app_account" })
        let show = try night.command(["show", "1"])
        #expect(show.stdout.components(separatedBy: "deactivate_app_account").count - 1 >= seeded.activeLeaverAccounts.count * 2,
                "each deactivation journaled in flight and applied: \(show.stdout)")

        let snapshot = try server.accounts()
        let second = try night.run(environment: [Self.tokenVariable: server.token])
        #expect([0, 2].contains(second.status), "\(second.stderr)")
        #expect(try server.accounts() == snapshot, "the second run changed an account")
        #expect(try Self.findings(night, kind: "app_account_active").isEmpty)
        let secondShow = try night.command(["show", "2"])
        #expect(!secondShow.stdout.contains("deactivate_app_account"), "second run sent: \(secondShow.stdout)")
        // The history says the accounts were fixed last night, not that they vanished unexplained.
        #expect(try night.report()["history"].map { "\($0)" }?.contains("app_account_active") == true)
    }

    @Test func aRunKilledBetweenDeactivationsIsFinishedByTheNextWithoutRepeats() throws {
        let tenant = Self.tenant()
        let server = try LoopbackSCIMServer()
        let seeded = try Self.seed(server, tenant: tenant)
        let night = try NightHarness(tenant: tenant)
        night.extraConfig = Self.appConfig(server, deprovision: false)
        try night.run(environment: [Self.tokenVariable: server.token])  // Graph's writes done; the app only flagged

        // Deprovisioning switched on; the process dies after the second answer, before journaling it.
        night.extraConfig = Self.appConfig(server, deprovision: true)
        let killed = try night.run(environment: [Self.tokenVariable: server.token, "LEAVERSWEEP_TEST_CRASH_AFTER_WRITES": "2"])
        #expect(killed.status != 0 && killed.status != 2, "the run was killed: \(killed.status)")
        let deactivatedBeforeRestart = Set(try server.accounts().filter { $0.active == false }.map(\.id)).intersection(seeded.activeLeaverAccounts)
        #expect(deactivatedBeforeRestart.count >= 2 && deactivatedBeforeRestart.count < seeded.activeLeaverAccounts.count)

        let resumed = try night.run(environment: [Self.tokenVariable: server.token])
        #expect([0, 2].contains(resumed.status), "\(resumed.stderr)")
        let inactive = Set(try server.accounts().filter { $0.active == false }.map(\.id))
        #expect(seeded.activeLeaverAccounts.isSubset(of: inactive))
        #expect(inactive.intersection(seeded.untouchable) == Set(try server.accounts().filter { $0.active == false && seeded.untouchable.contains($0.id) }.map(\.id)))
        // The server's log misses requests whose client was killed mid-exchange, so it can only show "at most once";
        // the journal of the resumed run shows nothing deactivated before the restart was sent again.
        let log = server.log()
        for id in seeded.activeLeaverAccounts {
            #expect(log.components(separatedBy: "PATCH /v2/Users/\(id) ").count - 1 <= 1, "account \(id) PATCHed more than once")
        }
        let show = try night.command(["show", "3"])
        // Every send is journaled in flight first; writes the killed run left in flight are confirmed (applied) without one.
        let sent = show.stdout.split(separator: "\n").filter { $0.contains("in_flight deactivate_app_account") }
        #expect(sent.count == seeded.activeLeaverAccounts.count - deactivatedBeforeRestart.count, "run 3 sends exactly the rest: \(show.stdout)")
        for id in deactivatedBeforeRestart {
            #expect(!show.stdout.contains("in_flight deactivate_app_account \(id)"), "run 3 re-sent \(id)")
        }
    }

    @Test func anAmbiguousMatchIsFlaggedNeverDeactivated() throws {
        let tenant = Self.tenant()
        let server = try LoopbackSCIMServer()
        let leaver = try #require(tenant.users.filter { !$0.accountEnabled && $0.mail != nil }.min { $0.id < $1.id })
        let mail = try #require(leaver.mail)
        // Two active accounts carry the leaver's address: which one is theirs is a person's call.
        let first = try server.seed(.init(userName: "jd1@app.example", emails: [mail], active: true))
        let second = try server.seed(.init(userName: "jd2@app.example", emails: [mail.uppercased()], active: true))
        let night = try NightHarness(tenant: tenant)
        night.extraConfig = Self.appConfig(server, deprovision: true, match: "email")
        try night.run(environment: [Self.tokenVariable: server.token])
        #expect(try server.account(id: first)?.active == true && server.account(id: second)?.active == true, "nothing deactivated on a guess")
        let flagged = try Self.findings(night, kind: "app_account_active")
        #expect(Self.objectIds(flagged) == [first, second])
        #expect(flagged.allSatisfy { $0["status"] as? String == "flagged" && ($0["detail"] as? String)?.contains("2 active accounts") == true },
                "\(flagged.map { $0["detail"] ?? "" })")
    }

    @Test func anAccountFoundEarlierIsReadByIdWhenTheLookupValueChanges() throws {
        let tenant = Self.tenant()
        let server = try LoopbackSCIMServer()
        let leaver = try #require(tenant.users.filter { !$0.accountEnabled && $0.mail != nil }.min { $0.id < $1.id })
        let id = try server.seed(.init(userName: "jdoe@app.example", emails: [try #require(leaver.mail)], active: true))
        let night = try NightHarness(tenant: tenant)
        night.extraConfig = Self.appConfig(server, deprovision: false, match: "email")
        try night.run(environment: [Self.tokenVariable: server.token])
        #expect(Self.objectIds(try Self.findings(night, kind: "app_account_active")) == [id])

        // On leaving, the mail address is moved to an archive alias: tonight's lookup finds nothing by it.
        #expect(try night.adminRequest("PATCH", "/users/\(leaver.id)", json: #"{"mail":"archived-\#(leaver.id.prefix(8))@contoso.com"}"#) == 204)
        try night.run(environment: [Self.tokenVariable: server.token])
        let still = try Self.findings(night, kind: "app_account_active")
        #expect(Self.objectIds(still) == [id], "the account is still active in the app and must stay reported")
        #expect(still.allSatisfy { ($0["detail"] as? String)?.contains("could not be checked") == false }, "read live by id, not carried over")
        var log = server.log()
        for _ in 0..<20 where !log.contains("GET /v2/Users/\(id) ") {
            Thread.sleep(forTimeInterval: 0.1)
            log = server.log()
        }
        #expect(log.contains("GET /v2/Users/\(id) "), "the account was read by its id")
    }

    @Test func reportModeOnlyPlansTheDeactivations() throws {
        let tenant = Self.tenant()
        let server = try LoopbackSCIMServer()
        let seeded = try Self.seed(server, tenant: tenant)
        let before = try server.accounts()
        let night = try NightHarness(tenant: tenant)
        night.extraConfig = Self.appConfig(server, deprovision: true)
        try night.run(["--dry-run"], environment: [Self.tokenVariable: server.token])
        #expect(try server.accounts() == before)
        let planned = try Self.findings(night, kind: "app_account_active")
        #expect(Self.objectIds(planned) == seeded.activeLeaverAccounts)
        #expect(planned.allSatisfy { $0["status"] as? String == "planned" })
    }

    @Test func excludedLeaversAreNeverDeactivated() throws {
        let tenant = Self.tenant()
        let server = try LoopbackSCIMServer()
        let seeded = try Self.seed(server, tenant: tenant)
        let accounts = try server.accounts()
        let protectedAccount = try #require(accounts.first { seeded.activeLeaverAccounts.contains($0.id) })
        let night = try NightHarness(tenant: tenant)
        night.exclude = [protectedAccount.userName.lowercased()]
        night.extraConfig = Self.appConfig(server, deprovision: true)
        try night.run(environment: [Self.tokenVariable: server.token])
        #expect(try server.account(id: protectedAccount.id)?.active == true, "an excluded (break-glass) account was deactivated")
        let finding = try Self.findings(night, kind: "app_account_active").first { ($0["object"] as? [String: Any])?["id"] as? String == protectedAccount.id }
        #expect(finding?["status"] as? String == "excluded")
    }

    @Test func anAppThatIsDownIsNotCheckedAndKeepsItsLastKnownAccounts() throws {
        let tenant = Self.tenant()
        let server = try LoopbackSCIMServer()
        let seeded = try Self.seed(server, tenant: tenant)
        let night = try NightHarness(tenant: tenant)
        night.extraConfig = Self.appConfig(server, deprovision: false)
        try night.run(environment: [Self.tokenVariable: server.token])
        #expect(Self.objectIds(try Self.findings(night, kind: "app_account_active")) == seeded.activeLeaverAccounts)

        // The app goes down: the run completes, says it could not check, and does not call the accounts fixed.
        night.extraConfig = Self.appConfig(nil, baseURL: "http://127.0.0.1:\(try LoopbackSCIMServer.unusedPort())/v2", deprovision: true)
        let down = try night.run(environment: [Self.tokenVariable: server.token])
        #expect(down.status == 2, "a sick app never fails the run: \(down.stderr)")
        let status = try #require(try Self.apps(night).first { $0["app"] as? String == "ServiceNow" && $0["source"] as? String == "scim" })
        #expect(status["health"] as? String == "not_checked")
        #expect((status["detail"] as? String)?.contains("could not reach") == true, "\(status)")
        let stale = try Self.findings(night, kind: "app_account_active")
        #expect(Self.objectIds(stale) == seeded.activeLeaverAccounts)
        #expect(stale.allSatisfy { $0["status"] as? String == "flagged" && ($0["detail"] as? String)?.contains("could not be checked tonight") == true },
                "last known state is reported, never acted on")
        let fixed = (try night.report()["history"] as? [String: Any])?["fixed"] as? [[String: Any]] ?? []
        #expect(!fixed.contains { ($0["key"] as? String)?.hasPrefix("app_account_active") == true })
        #expect(down.stderr.contains("ServiceNow"))
    }

    @Test func aRefusedTokenIsNotCheckedWithoutLeakingTheToken() throws {
        let tenant = Self.tenant()
        let server = try LoopbackSCIMServer()
        _ = try Self.seed(server, tenant: tenant)
        let night = try NightHarness(tenant: tenant)
        night.extraConfig = Self.appConfig(server, deprovision: true)
        let wrong = "wrong-token-\(UUID().uuidString)"
        let result = try night.run(environment: [Self.tokenVariable: wrong])
        #expect(result.status == 2, "\(result.stderr)")
        let status = try #require(try Self.apps(night).first { $0["app"] as? String == "ServiceNow" && $0["source"] as? String == "scim" })
        #expect(status["health"] as? String == "not_checked")
        #expect((status["detail"] as? String)?.contains("refused the bearer token") == true, "\(status)")
        let everything = result.stdout + result.stderr + (try String(contentsOfFile: night.reportPath, encoding: .utf8))
        #expect(!everything.contains(wrong) && !everything.contains(server.token))
        #expect(try Self.findings(night, kind: "app_account_active").isEmpty, "nothing known yet, nothing invented")
    }

    @Test func aMissingTokenVariableIsAPerAppProblem() throws {
        let tenant = Self.tenant()
        let server = try LoopbackSCIMServer()
        let night = try NightHarness(tenant: tenant)
        night.extraConfig = Self.appConfig(server, deprovision: false)
        let result = try night.run()
        #expect(result.status == 2, "\(result.stderr)")
        let status = try #require(try Self.apps(night).first { $0["app"] as? String == "ServiceNow" && $0["source"] as? String == "scim" })
        #expect(status["health"] as? String == "not_checked")
        #expect((status["detail"] as? String)?.contains(Self.tokenVariable) == true)
        #expect(!night.writes().isEmpty, "the rest of the night still ran")
    }

    @Test func matchesOnExternalIdAsMailNickname() throws {
        let tenant = Self.tenant()
        let server = try LoopbackSCIMServer()
        let leaver = try #require(tenant.users.filter { !$0.accountEnabled }.min { $0.id < $1.id })
        let nickname = String(leaver.userPrincipalName.prefix { $0 != "@" })
        let id = try server.seed(.init(userName: "someone-else@app.example", externalId: nickname, active: true))
        // externalId is case-exact: another case is another person.
        try server.seed(.init(userName: "third@app.example", externalId: nickname.uppercased() == nickname ? nickname.lowercased() : nickname.uppercased(), active: true))
        let night = try NightHarness(tenant: tenant)
        night.extraConfig = Self.appConfig(server, deprovision: false, match: "externalId")
        try night.run(environment: [Self.tokenVariable: server.token])
        #expect(Self.objectIds(try Self.findings(night, kind: "app_account_active")) == [id])
    }
}
