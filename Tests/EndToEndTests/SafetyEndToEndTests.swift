import Foundation
import GraphEmulator
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// What makes the job safe to leave alone at 2 a.m.: the blast-radius guard, the grace period, SIGTERM,
/// the audit trail, and secrets that never leak.
@Suite(.serialized) struct SafetyEndToEndTests {
    static func smallTenant(users: Int = 40, disabled: Double = 0.1, seed: UInt64 = 3) -> (EmulatedTenant, DriftManifest) {
        var spec = TenantSpec(now: Date())
        spec.users = users
        spec.disabledFraction = disabled
        spec.seed = seed
        return TenantGenerator.generate(spec)
    }

    @Test func anHRMistakeThatDisablesMostOfTheTenantTripsTheGuardAndNothingIsWritten() throws {
        let (tenant, _) = Self.smallTenant()
        let night = try NightHarness(tenant: tenant)
        #expect(try night.run().status == 2, "a normal first night")
        try night.run()
        let quietWrites = night.writes().count

        // Overnight, a bad HR feed disables 30 of 40 people.
        let victims = tenant.users.filter(\.accountEnabled).prefix(30)
        for user in victims {
            #expect(try night.adminRequest("PATCH", "/users/\(user.id)", json: #"{"accountEnabled":false}"#) == 204)
        }
        let harnessWrites = night.writes().count
        let guarded = try night.run()
        #expect(guarded.status == 4, "\(guarded.stderr)")
        #expect(guarded.stderr.contains("blast-radius guard") && guarded.stderr.contains("max_newly_disabled_fraction"))
        #expect(night.writes().count == harnessWrites, "the guarded run wrote nothing")
        let report = try night.report()
        #expect((report["run"] as? [String: Any])?["guardTripped"] as? String != nil)
        #expect(try night.reportedFindings().contains { $0["status"] as? String == "planned" })
        #expect(quietWrites > 0)

        let approved = try night.run(["--accept-mass-change"])
        #expect(approved.status == 2, "\(approved.stderr)")
        #expect(night.writes().count > harnessWrites, "an approved run does the work")
    }

    @Test func tooManyPlannedWritesOnTheFirstRunTripTheGuard() throws {
        let (tenant, manifest) = Self.smallTenant(disabled: 0.2)
        let night = try NightHarness(tenant: tenant)
        night.policyLines = "max_actions = 3"
        let result = try night.run()
        #expect(result.status == 4)
        #expect(result.stderr.contains("more than policy.max_actions = 3"))
        #expect(night.writes().isEmpty)
        #expect(manifest.expectedRevocations.count + manifest.expectedDeviceDisables.count > 3)
    }

    @Test func devicesWaitForTheGracePeriodWhileSessionsAreRevokedAtOnce() throws {
        let (tenant, manifest) = Self.smallTenant(disabled: 0.2)
        var options = EmulatorOptions()
        options.deniedEndpoints = ["auditLogs"]  // disable time = first seen = tonight
        let night = try NightHarness(tenant: tenant, options: options)
        night.policyLines = #"device_grace = "24h""#
        try night.run()
        #expect(!night.effectiveWrites().revoked.isEmpty)
        #expect(!night.writes().contains { $0.hasPrefix("PATCH /v1.0/devices/") }, "no device disabled inside the grace period")
        let waiting = try night.reportedFindings().filter { $0["kind"] as? String == "leftover_device" && $0["status"] as? String == "planned" }
        #expect(waiting.count == manifest.expectedDeviceDisables.count)
        #expect(waiting.allSatisfy { ($0["detail"] as? String)?.contains("will be disabled after") == true })
    }

    /// Writes go out in batches of 20, four batches at a time: the tenant is big enough that SIGTERM lands while
    /// most batches are still waiting.
    @Test func sigtermStopsAfterTheWritesInFlightAndTheNextRunFinishesWithoutRepeats() throws {
        let (tenant, manifest) = Self.smallTenant(users: 1000, disabled: 0.2)
        var options = EmulatorOptions()
        options.latencyMilliseconds = 150
        let night = try NightHarness(tenant: tenant, options: options)
        let process = try night.start()
        let deadline = Date().addingTimeInterval(60)
        while night.writes().count < 2 && Date() < deadline && process.isRunning { Thread.sleep(forTimeInterval: 0.02) }
        kill(process.processIdentifier, SIGTERM)
        let signalled = Date()
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(signalled) < 5, "stops promptly")
        #expect(process.terminationReason == .exit && process.terminationStatus == 1, "a clean stop with a report, not a kill")
        let stopped = night.writes().count
        #expect(stopped >= 2 && stopped < manifest.expectedRevocations.count + manifest.expectedDeviceDisables.count)
        #expect((try night.report()["run"] as? [String: Any])?["failure"] as? String == nil ? false : true)

        let resumed = try night.run()
        #expect(resumed.status == 2, "\(resumed.stderr)")
        let writes = night.writes()
        #expect(writes.count == Set(writes).count, "nothing sent twice")
        #expect(Set(night.effectiveWrites().revoked) == manifest.expectedRevocations)
    }

    @Test func aRunKilledMidSnapshotLeavesTheDatabaseWholeAndTheNextNightCorrect() throws {
        let (tenant, manifest) = Self.smallTenant(users: 80, disabled: 0.15)
        var options = EmulatorOptions()
        options.pageCapUsers = 10
        let night = try NightHarness(tenant: tenant, options: options)
        try night.run()
        let afterFirst = night.writes().count

        // HR disables two more people; tonight's run (a weekly full one) dies half-way through reading users.
        let newLeavers = tenant.users.filter(\.accountEnabled).prefix(2).map(\.id)
        for id in newLeavers { try night.adminRequest("PATCH", "/users/\(id)", json: #"{"accountEnabled":false}"#) }
        let harnessWrites = night.writes().count
        let killed = try night.run(["--full-snapshot"], environment: ["LEAVERSWEEP_TEST_CRASH_AFTER_PAGES": "3"])
        #expect(killed.killedBySignal)
        #expect(night.writes().count == harnessWrites, "nothing written from half a snapshot")
        #expect(try night.command(["history"]).stdout.contains("interrupted") == false, "the killed run is marked only when the next one starts")

        let next = try night.run()
        #expect(next.status == 2, "\(next.stderr)")
        let revoked = Set(night.effectiveWrites().revoked)
        #expect(revoked == manifest.expectedRevocations.union(newLeavers), "the new leavers were handled, nothing twice")
        #expect(night.writes().count == Set(night.writes()).count)
        #expect(try night.command(["history"]).stdout.contains("interrupted"))
        #expect(afterFirst > 0)
    }

    @Test func membersOfAnExcludedGroupEvenThroughANestedGroupAreNeverActedOn() throws {
        var (tenant, manifest) = Self.smallTenant(disabled: 0.2)
        let guarded = try #require(manifest.expectedRevocations.sorted().first)
        let inner = EmulatedGroup(id: UUID().uuidString.lowercased(), displayName: "Tier 0 admins", memberIds: [guarded])
        let outer = EmulatedGroup(id: UUID().uuidString.lowercased(), displayName: "Break Glass", memberIds: [inner.id])
        tenant.groups += [inner, outer]
        let night = try NightHarness(tenant: tenant)
        night.policyLines = "exclude_groups = [\"\(outer.id)\"]"
        let result = try night.run()
        #expect(result.status == 2, "\(result.stderr)")
        let devices = tenant.devices.filter { $0.registeredOwnerIds.contains(guarded) }.map(\.id)
        #expect(!night.writes().contains { write in write.contains(guarded) || devices.contains { write.contains($0) } })
        #expect(Set(night.effectiveWrites().revoked) == manifest.expectedRevocations.subtracting([guarded]))
        let theirs = try night.reportedFindings().filter { ($0["user"] as? [String: Any])?["id"] as? String == guarded }
        #expect(!theirs.isEmpty && theirs.allSatisfy { $0["status"] as? String == "excluded" })
    }

    @Test func anExcludedGroupThatCannotBeReadStopsTheRunBeforeAnyWrite() throws {
        let (tenant, _) = Self.smallTenant(disabled: 0.2)
        let night = try NightHarness(tenant: tenant)
        night.policyLines = "exclude_groups = [\"00000000-0000-0000-0000-00000000dead\"]"
        let result = try night.run()
        #expect(result.status == 1)
        #expect(result.stderr.contains("excluded group 00000000-0000-0000-0000-00000000dead") && result.stderr.contains("nothing was written"), "\(result.stderr)")
        #expect(night.writes().isEmpty)
    }

    @Test func historyAndShowAnswerWhatTheRobotDidAndWhen() throws {
        let (tenant, _) = Self.smallTenant()
        let night = try NightHarness(tenant: tenant)
        try night.run()
        try night.run(["--dry-run"])
        let history = try night.command(["history"])
        #expect(history.status == 0, "\(history.stderr)")
        let lines = history.stdout.split(separator: "\n")
        #expect(lines.count == 3, "\(history.stdout)")
        #expect(lines[1].hasPrefix("2 ") && lines[1].contains("dry-run"))
        #expect(lines[2].hasPrefix("1 ") && lines[2].contains("enforce") && lines[2].contains("completed"))

        let show = try night.command(["show", "1"])
        #expect(show.status == 0)
        let applied = show.stdout.split(separator: "\n").filter { $0.contains(" applied ") }
        let requestIds = night.emulator.recordedWrites().filter { $0.status < 300 }.compactMap { $0.headers["client-request-id"] }
        #expect(applied.count == requestIds.count)
        #expect(applied.allSatisfy { $0.contains("request-id ") })
        #expect(try night.command(["show", "2"]).stdout.contains("sent no writes"))
        #expect(try night.command(["show", "9"]).status == 1)
    }

    @Test func noSecretEverReachesLogsReportsMailOrTheDatabase() throws {
        let (tenant, _) = Self.smallTenant()
        var options = EmulatorOptions()
        options.clientSecret = "S3cr3t~client+value/with=chars"
        options.faults.expireTokensEveryNth = 5  // several tokens get issued and used
        let night = try NightHarness(tenant: tenant, options: options)
        let smtp = try LoopbackSMTPServer(directory: night.directory.path)
        night.emailTo(smtp)
        night.extraConfig += "\nusername = \"leaversweep\"\npassword_env = \"LEAVERSWEEP_SMTP_PASSWORD\"\n"
        night.extraConfig = night.extraConfig.replacingOccurrences(of: "starttls = \"off\"", with: "starttls = \"off\"")
        let smtpPassword = "smtp-P@ss-0123456789"
        let first = try night.run(["--verbose"], environment: ["LEAVERSWEEP_SMTP_PASSWORD": smtpPassword])
        let second = try night.run(["--verbose"], environment: ["LEAVERSWEEP_SMTP_PASSWORD": smtpPassword])

        let tokens = Set(night.emulator.recordedRequests().compactMap { $0.headers["authorization"] }
            .map { $0.replacingOccurrences(of: "Bearer ", with: "") }.filter { !$0.isEmpty })
        #expect(!tokens.isEmpty)
        var haystacks = [first.stdout, first.stderr, second.stdout, second.stderr]
        for file in try FileManager.default.contentsOfDirectory(atPath: night.directory.path) where !file.hasPrefix("maildir") && file != "config.toml" {
            if let data = FileManager.default.contents(atPath: night.directory.path + "/" + file) {
                haystacks.append(String(decoding: data, as: UTF8.self))
            }
        }
        for message in try smtp.messages() { haystacks.append("\(message)") }
        for secret in [options.clientSecret, smtpPassword] + Array(tokens) {
            for (index, text) in haystacks.enumerated() {
                #expect(!text.contains(secret), "a secret leaked into item \(index)")
            }
        }
    }
}
