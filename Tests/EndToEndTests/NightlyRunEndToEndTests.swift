import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GraphEmulator
import Testing
import TestSupport

/// The real binary, over libcurl, against the emulator: which writes reached "Graph", exactly.
@Suite(.serialized) struct NightlyRunEndToEndTests {
    static func tenant(users: Int = 120, seed: UInt64 = 7) -> (EmulatedTenant, DriftManifest) {
        var spec = TenantSpec(now: Date())
        spec.users = users
        spec.disabledFraction = 0.15
        spec.seed = seed
        return TenantGenerator.generate(spec)
    }

    /// Small server page caps force several pages per collection, so paging is exercised on every run.
    static func pagingOptions() -> EmulatorOptions {
        var options = EmulatorOptions()
        options.pageCapUsers = 17
        options.pageCapDevices = 13
        options.pageCapWithExpand = 11
        return options
    }

    @Test func firstRunSendsExactlyTheWritesTheDriftCallsFor() throws {
        let (tenant, manifest) = Self.tenant()
        let night = try NightHarness(tenant: tenant, options: Self.pagingOptions())
        let result = try night.run()
        #expect(result.status == 2, "drift for people remains (synced / non-Windows devices, app access): \(result.stderr)")
        #expect(!manifest.expectedRevocations.isEmpty && !manifest.expectedDeviceDisables.isEmpty)

        let writes = night.effectiveWrites()
        #expect(writes.revoked.sorted() == manifest.expectedRevocations.sorted())
        #expect(Set(writes.disabledDevices) == manifest.expectedDeviceDisables.subtracting(manifest.nonWindowsLeftoverDevices))
        #expect(Set(writes.refusedDevices) == manifest.nonWindowsLeftoverDevices)
        #expect(night.writes().count == manifest.expectedRevocations.count + manifest.expectedDeviceDisables.count, "each write exactly once")
        for id in manifest.syncedLeftoverDevices {
            #expect(!night.writes().contains("PATCH /v1.0/devices/\(id)"), "synced device \(id) must be flagged, not patched")
        }

        let findings = try night.reportedFindings()
        let keys = findings.compactMap { $0["key"] as? String }
        #expect(keys.count == Set(keys).count, "finding keys are unique, even for an app role shared through a group")
        let groupHolders = findings.filter { $0["kind"] as? String == "app_role_assignment" && ($0["detail"] as? String)?.contains("through group") == true }
        #expect(Set(groupHolders.compactMap { ($0["user"] as? [String: Any])?["id"] as? String }) == Set(manifest.groupInheritedAccess.keys))
        let byStatus = Dictionary(grouping: findings) { $0["status"] as? String ?? "" }
        #expect(byStatus["applied"]?.count == manifest.expectedRevocations.count + manifest.expectedDeviceDisables.count - manifest.nonWindowsLeftoverDevices.count)
        let failed = byStatus["failed"] ?? []
        #expect(failed.count == manifest.nonWindowsLeftoverDevices.count)
        for finding in failed {
            let error = finding["error"] as? [String: Any]
            #expect(error?["code"] as? String == "Request_BadRequest")
            #expect((error?["requestId"] as? String)?.isEmpty == false)
            #expect(finding["humanTask"] as? String == "disable_in_mdm")
        }
        let flaggedSynced = (byStatus["flagged"] ?? []).filter { $0["humanTask"] as? String == "disable_in_on_premises_ad" }
        #expect(Set(flaggedSynced.compactMap { ($0["object"] as? [String: Any])?["id"] as? String }) == manifest.syncedLeftoverDevices)
        #expect(result.stdout.contains("findings"))
    }

    @Test func secondRunTheSameNightSendsNoWrites() throws {
        let (tenant, _) = Self.tenant()
        let night = try NightHarness(tenant: tenant, options: Self.pagingOptions())
        try night.run()
        let afterFirst = night.writes().count
        let second = try night.run()
        #expect(second.status == 2)
        #expect(night.writes().count == afterFirst, "second run sent \(night.writes().dropFirst(afterFirst))")
        let findings = try night.reportedFindings()
        #expect(!findings.contains { $0["kind"] as? String == "sessions_not_revoked" })
        // Non-Windows devices Graph refused are now a person's job, not retried.
        #expect(findings.filter { $0["status"] as? String == "failed" }.isEmpty)
    }

    @Test(arguments: [["--dry-run"], []])
    func dryRunAndReportModeSendNoWrites(arguments: [String]) throws {
        let (tenant, manifest) = Self.tenant()
        let night = try NightHarness(tenant: tenant)
        if arguments.isEmpty { night.mode = "report" }
        let result = try night.run(arguments)
        #expect(night.writes().isEmpty)
        let planned = try night.reportedFindings().filter { $0["status"] as? String == "planned" }
        #expect(planned.count == manifest.expectedRevocations.count + manifest.expectedDeviceDisables.count)
        #expect(result.stdout.contains("no changes made"))
    }

    /// SIGKILL right after Graph answered a batch of writes and before the answers were journaled: the worst moment.
    /// Crash points are spread over the writes; the kill comes after the batch holding the Nth answered write.
    @Test(arguments: [1, 3, 8, 13, 21, 27])
    func aRunKilledMidWayIsFinishedByTheNextWithoutRepeats(crashAfter: Int) throws {
        let (tenant, manifest) = Self.tenant()
        let night = try NightHarness(tenant: tenant)
        let killed = try night.run(environment: ["LEAVERSWEEP_TEST_CRASH_AFTER_WRITES": String(crashAfter)])
        #expect(killed.killedBySignal)
        #expect(night.writes().count >= crashAfter, "killed after the batch holding write \(crashAfter) was answered")

        let resumed = try night.run()
        #expect(resumed.status == 2, "\(resumed.stderr)")
        let writes = night.writes()
        #expect(writes.count == Set(writes).count, "a write was repeated: \(writes)")
        let effective = night.effectiveWrites()
        #expect(Set(effective.revoked) == manifest.expectedRevocations)
        // Every Windows device is disabled. A non-Windows device whose batch was journaled in flight when the process
        // died has an unknown outcome: Graph would refuse it anyway, so it goes to the MDM admin unsent rather than
        // risk a second PATCH; either way it is reported for a person (checked below).
        let patched = Set(effective.disabledDevices).union(effective.refusedDevices)
        #expect(patched.isSubset(of: manifest.expectedDeviceDisables))
        #expect(manifest.expectedDeviceDisables.subtracting(patched).isSubset(of: manifest.nonWindowsLeftoverDevices),
                "only phones and tablets may be left to a person: \(manifest.expectedDeviceDisables.subtracting(patched))")
        #expect(manifest.expectedDeviceDisables.subtracting(manifest.nonWindowsLeftoverDevices).isSubset(of: Set(effective.disabledDevices)))

        // Nights later the report still tells the truth: a refused (still enabled) phone is a person's task,
        // never "applied", whichever moment the crash hit.
        try night.run()
        let third = try night.run()
        #expect(third.status == 2)
        #expect(night.writes().count == writes.count, "later nights send nothing")
        for finding in try night.reportedFindings() where finding["kind"] as? String == "leftover_device" {
            let id = (finding["object"] as? [String: Any])?["id"] as? String ?? ""
            #expect(finding["status"] as? String == "flagged", "device \(id) is \(finding["status"] ?? "nil")")
            #expect(night.emulator.device(id: id)?["accountEnabled"] as? Bool == true, "an open device finding is a device still enabled")
        }
    }

    @Test func aUserReEnabledAndDisabledAgainBetweenNightsIsRevokedAgain() throws {
        let (tenant, manifest) = Self.tenant()
        let night = try NightHarness(tenant: tenant)
        try night.run()
        let user = try #require(manifest.expectedRevocations.sorted().first)
        #expect(try night.adminRequest("PATCH", "/users/\(user)", json: #"{"accountEnabled":true}"#) == 204)
        Thread.sleep(forTimeInterval: 1.1)  // audit and session times have one-second precision
        #expect(try night.adminRequest("PATCH", "/users/\(user)", json: #"{"accountEnabled":false}"#) == 204)
        let before = night.writes().count
        try night.run()
        #expect(Array(night.writes().dropFirst(before)) == ["POST /v1.0/users/\(user)/revokeSignInSessions"])
    }

    @Test func aLaptopSomeoneEnabledAgainIsHandedToAPersonNotDisabledNightly() throws {
        let (tenant, manifest) = Self.tenant()
        let night = try NightHarness(tenant: tenant)
        try night.run()
        let laptop = try #require(manifest.expectedDeviceDisables.subtracting(manifest.nonWindowsLeftoverDevices).sorted().first)
        #expect(try night.adminRequest("PATCH", "/devices/\(laptop)", json: #"{"accountEnabled":true}"#) == 204)
        let before = night.writes().count
        try night.run()
        #expect(night.writes().count == before)
        let finding = try night.reportedFindings().first { ($0["object"] as? [String: Any])?["id"] as? String == laptop }
        #expect(finding?["humanTask"] as? String == "review_re_enabled_device")
    }

    @Test func aSecondRunWhileOneIsGoingExitsAtOnceAndTouchesNothing() throws {
        let (tenant, _) = Self.tenant()
        let night = try NightHarness(tenant: tenant)
        let holder = open(night.databasePath + ".lock", O_RDWR | O_CREAT, 0o600)
        #expect(flock(holder, LOCK_EX) == 0)
        defer { close(holder) }
        let blocked = try night.run()
        #expect(blocked.status == 5)
        #expect(blocked.stderr.contains("another leaversweep run holds"))
        #expect(night.emulator.recordedRequests().isEmpty)
    }

    @Test func excludedAccountsAreReportedAndNeverTouched() throws {
        let (tenant, manifest) = Self.tenant()
        let victim = try #require(manifest.expectedRevocations.sorted().first)
        let upn = try #require(tenant.users.first { $0.id == victim }?.userPrincipalName)
        let night = try NightHarness(tenant: tenant)
        night.exclude = [upn.uppercased()]
        try night.run()
        let victimDevices = tenant.devices.filter { $0.registeredOwnerIds.contains(victim) }.map(\.id)
        #expect(!victimDevices.isEmpty)
        #expect(!night.writes().contains { write in write.contains(victim) || victimDevices.contains { write.contains($0) } })
        let excluded = try night.reportedFindings().filter { $0["status"] as? String == "excluded" }
        #expect(excluded.contains { ($0["user"] as? [String: Any])?["id"] as? String == victim })
    }

    @Test func throttlingUnavailabilityAndTokenExpiryStillEndInACompleteCorrectRun() throws {
        let (tenant, manifest) = Self.tenant(users: 60, seed: 11)
        var options = EmulatorOptions()
        options.pageCapUsers = 20
        options.pageCapWithExpand = 20
        options.faults.throttleEveryNth = 5
        options.faults.unavailableEveryNth = 13
        options.faults.expireTokensEveryNth = 7
        options.faults.retryAfterSeconds = 1
        let night = try NightHarness(tenant: tenant, options: options)
        let result = try night.run()
        #expect(result.status == 2, "\(result.stderr) \(result.stdout)")
        let statuses = night.emulator.recordedRequests().map(\.status)
        #expect(statuses.contains(429) && statuses.contains(503) && statuses.contains(401), "the storm happened")
        let effective = night.effectiveWrites()
        #expect(Set(effective.revoked) == manifest.expectedRevocations)
        #expect(Set(effective.disabledDevices).union(effective.refusedDevices) == manifest.expectedDeviceDisables)
        #expect(effective.revoked.count == Set(effective.revoked).count)
        #expect(try night.report()["run"].flatMap { ($0 as? [String: Any])?["outcome"] as? String } == "completed")
    }

    @Test func anUnreadableAuditLogIsAWarningNotAFailure() throws {
        let (tenant, manifest) = Self.tenant()
        var options = EmulatorOptions()
        options.deniedEndpoints = ["auditLogs"]
        let night = try NightHarness(tenant: tenant, options: options)
        let result = try night.run()
        #expect(result.status == 2)
        #expect(result.stderr.contains("warning: the directory audit log could not be read"))
        let warnings = try night.report()["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.contains("Authentication_RequestFromNonPremiumTenantOrB2CTenant") })
        // Without audit times every disabled user is assumed not revoked.
        #expect(Set(night.effectiveWrites().revoked) == manifest.disabledUserIds)
    }
}
