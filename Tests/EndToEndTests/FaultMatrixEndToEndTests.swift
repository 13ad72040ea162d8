import Foundation
import GraphEmulator
import Testing
import TestSupport

/// The real binary against an emulator that breaks the network or the service in one way at a time.
///
/// Transient faults must not change the outcome: the run completes and exactly the expected writes took
/// effect, each once. Persistent faults must end the run the way an admin can act on: exit status 1, one
/// error line naming what failed, a report that says the run failed, nothing written, a database the next
/// run (fault gone) opens and finishes from.
@Suite(.serialized) struct FaultMatrixEndToEndTests {
    enum TransientFault: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case connectionReset, truncatedBody, serverError, throttled, unavailable, stallShorterThanTheTimeout

        var testDescription: String { rawValue }

        /// Every 3rd to 5th Graph request, so the snapshot reads and the writes are both hit.
        var plan: FaultPlan {
            var plan = FaultPlan()
            plan.retryAfterSeconds = 1
            switch self {
            case .connectionReset: plan.resetEveryNth = 4
            case .truncatedBody: plan.truncateEveryNth = 4
            case .serverError: plan.serverErrorEveryNth = 5
            case .throttled: plan.throttleEveryNth = 5
            case .unavailable: plan.unavailableEveryNth = 5
            case .stallShorterThanTheTimeout:
                // The client's request timeout is a fixed 100 s, so this stall ends with a close long before it.
                plan.stallEveryNth = 6
                plan.stallSeconds = 1
            }
            return plan
        }

        var injected: InjectedFault {
            switch self {
            case .connectionReset: .reset
            case .truncatedBody: .truncatedBody
            case .serverError: .serverError
            case .throttled: .throttled
            case .unavailable: .unavailable
            case .stallShorterThanTheTimeout: .stall
            }
        }
    }

    enum PersistentFault: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case tokenEndpointDown, malformedJSON, endlessPaging

        var testDescription: String { rawValue }

        var plan: FaultPlan {
            var plan = FaultPlan()
            plan.retryAfterSeconds = 1
            switch self {
            case .tokenEndpointDown: plan.tokenEndpointDown = true
            case .malformedJSON: plan.malformedJSONEveryNth = 1
            case .endlessPaging: plan.endlessPaging = true
            }
            return plan
        }

        /// What the error line must name for an admin to know where to look.
        func named(by night: NightHarness) -> String {
            switch self {
            case .tokenEndpointDown: "\(night.emulator.baseURL)/\(night.options.tenantId)/oauth2/v2.0/token"
            case .malformedJSON: "could not read"
            case .endlessPaging: "kept paging"
            }
        }
    }

    static func tenant(users: Int = 40) -> (EmulatedTenant, DriftManifest) {
        var spec = TenantSpec(now: Date())
        spec.users = users
        spec.disabledFraction = 0.15
        spec.seed = 23
        return TenantGenerator.generate(spec)
    }

    /// A night whose state database already holds one dry run, made before the fault is switched on.
    ///
    /// An admin dry-runs before enforcing; here it also means no leaver is first seen disabled by the faulted
    /// run itself, which keeps these runs clear of a first-run grace-period bug unrelated to faults (a device
    /// of a leaver with no audit event is deferred on about half of all first runs even with no grace).
    static func night(_ faults: FaultPlan, options: EmulatorOptions = EmulatorOptions(), users: Int = 40) throws -> (NightHarness, DriftManifest) {
        let (tenant, manifest) = tenant(users: users)
        let night = try NightHarness(tenant: tenant, options: options)
        let dryRun = try night.run(["--dry-run"])
        #expect(dryRun.status == 2 && night.writes().isEmpty, "the dry run before the fault: \(dryRun.stderr)")
        night.emulator.resetRecording()
        night.emulator.setFaults(faults)
        return (night, manifest)
    }

    // MARK: Transient faults

    @Test(arguments: TransientFault.allCases)
    func aTransientFaultStillEndsInACompleteCorrectRun(fault: TransientFault) throws {
        try Self.expectACompleteCorrectRun(despite: fault)
    }

    static func expectACompleteCorrectRun(despite fault: TransientFault, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (night, manifest) = try Self.night(fault.plan)
        let result = try night.run()

        #expect(night.emulator.recordedRequests().contains { $0.fault == fault.injected }, "the fault was injected",
                sourceLocation: sourceLocation)
        #expect(result.status == 2, "\(fault): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains("error:"), "\(result.stderr)", sourceLocation: sourceLocation)
        try expectExactlyTheExpectedWritesOnce(night, manifest, sourceLocation: sourceLocation)
        #expect(try run(of: night.report())["outcome"] as? String == "completed", sourceLocation: sourceLocation)
    }

    // MARK: Persistent faults

    @Test(arguments: PersistentFault.allCases)
    func aPersistentFaultFailsTheRunClearlyAndTheNextRunRecovers(fault: PersistentFault) throws {
        let (night, manifest) = try Self.night(fault.plan)
        let failed = try night.run()

        #expect(failed.status == 1, "\(fault): \(failed.stderr)")
        try Self.expectOneClearErrorLine(failed, naming: fault.named(by: night))
        let run = try Self.run(of: night.report())
        #expect(run["outcome"] as? String == "failed")
        #expect((run["failure"] as? String)?.contains(fault.named(by: night)) == true, "\(run["failure"] ?? "no failure")")
        #expect(night.writes().isEmpty, "nothing was written: \(night.writes())")

        try Self.expectTheDatabaseOpensWithTheFailedRun(night)
        night.emulator.setFaults(FaultPlan())
        let recovered = try night.run()
        #expect(recovered.status == 2, "\(recovered.stderr)")
        try Self.expectExactlyTheExpectedWritesOnce(night, manifest)
    }

    /// The client's request timeout is a fixed 100 s (GraphClient.swift:72) and a timeout is retried up to
    /// 8 attempts with backoff, so a run against a Graph that never answers needs ~15 minutes to fail.
    @Test(.disabled("client gap: the Graph request timeout (100 s × 8 attempts) cannot be shortened, so this takes ~15 min; see GraphClient.swift:72"))
    func aGraphThatNeverAnswersFailsTheRunWithATimeout() throws {
        var plan = FaultPlan()
        plan.stallEveryNth = 1
        plan.stallSeconds = 3600
        let (night, manifest) = try Self.night(plan)
        let failed = try night.run()

        #expect(failed.status == 1, "\(failed.stderr)")
        try Self.expectOneClearErrorLine(failed, naming: "timed out")
        #expect(try Self.run(of: night.report())["outcome"] as? String == "failed")
        #expect(night.writes().isEmpty)
        try Self.expectTheDatabaseOpensWithTheFailedRun(night)
        night.emulator.setFaults(FaultPlan())
        #expect(try night.run().status == 2)
        try Self.expectExactlyTheExpectedWritesOnce(night, manifest)
    }

    /// The token endpoint goes down after the first write, and the token is then rejected: the run stops with
    /// the writes that took effect journaled as applied, and the next run finishes without repeating them.
    @Test func theTokenEndpointGoingDownMidRunKeepsExactlyTheWritesThatWereJournaled() throws {
        var options = EmulatorOptions()
        // Slow answers leave the watcher time to switch the fault on between the first write and the next request.
        options.latencyMilliseconds = 20
        // Writes go out 20 to a batch, four batches at a time: enough leavers that most batches are still to come.
        let (night, manifest) = try Self.night(FaultPlan(), options: options, users: 800)
        let finished = Flag()
        let watcher = Thread {
            while night.emulator.recordedWrites().isEmpty && !finished.isSet { usleep(500) }
            var down = FaultPlan()
            down.tokenEndpointDown = true
            down.expireTokensEveryNth = 1
            night.emulator.setFaults(down)
        }
        watcher.start()
        let failed = try night.run()
        finished.set()

        #expect(failed.status == 1, "\(failed.stderr)")
        try Self.expectOneClearErrorLine(failed, naming: "\(night.emulator.baseURL)/\(night.options.tenantId)/oauth2/v2.0/token")
        #expect(try Self.run(of: night.report())["outcome"] as? String == "failed")
        let effective = night.effectiveWrites()
        let tookEffect = effective.revoked + effective.disabledDevices
        #expect(!tookEffect.isEmpty && tookEffect.count < manifest.expectedRevocations.count + manifest.expectedDeviceDisables.count
                    - manifest.nonWindowsLeftoverDevices.count, "the fault started mid-run: \(night.writes())")
        let applied = try night.reportedFindings().filter { $0["status"] as? String == "applied" }
            .compactMap { ($0["object"] as? [String: Any])?["id"] as? String }
        #expect(applied.sorted() == tookEffect.sorted(), "the report's applied writes are exactly those that took effect")

        try Self.expectTheDatabaseOpensWithTheFailedRun(night)
        night.emulator.setFaults(FaultPlan())
        let recovered = try night.run()
        #expect(recovered.status == 2, "\(recovered.stderr)")
        let after = night.effectiveWrites()
        #expect(after.revoked.sorted() == manifest.expectedRevocations.sorted())
        #expect(after.disabledDevices.sorted() == manifest.expectedDeviceDisables.subtracting(manifest.nonWindowsLeftoverDevices).sorted())
        // A phone whose PATCH was in flight when the run stopped goes to the MDM admin rather than being sent
        // twice (Graph refuses app-only disables of non-Windows devices anyway).
        let handedToMDM = try night.reportedFindings().filter { $0["humanTask"] as? String == "disable_in_mdm" }
            .compactMap { ($0["object"] as? [String: Any])?["id"] as? String }
        #expect(Set(handedToMDM) == manifest.nonWindowsLeftoverDevices)
        #expect(after.refusedDevices.count == Set(after.refusedDevices).count, "no refused write was sent twice")
    }

    // MARK: Assertions an admin cares about

    static func run(of report: [String: Any]) -> [String: Any] {
        report["run"] as? [String: Any] ?? [:]
    }

    /// Every successful write the emulator saw, by target id (users for revocations, devices for disables).
    static func successfulWriteTargets(_ night: NightHarness) -> [String] {
        let effective = night.effectiveWrites()
        return effective.revoked + effective.disabledDevices + effective.refusedDevices
    }

    /// The writes that reached Graph and got an answer are exactly the manifest's, each once.
    static func expectExactlyTheExpectedWritesOnce(_ night: NightHarness, _ manifest: DriftManifest,
                                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        let effective = night.effectiveWrites()
        #expect(effective.revoked.sorted() == manifest.expectedRevocations.sorted(), sourceLocation: sourceLocation)
        #expect((effective.disabledDevices + effective.refusedDevices).sorted() == manifest.expectedDeviceDisables.sorted(),
                sourceLocation: sourceLocation)
        #expect(Set(effective.refusedDevices) == manifest.nonWindowsLeftoverDevices, sourceLocation: sourceLocation)
    }

    static func expectOneClearErrorLine(_ result: ProcessResult, naming fragment: String,
                                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        let errors = result.stderr.split(separator: "\n").filter { $0.contains("error:") }
        #expect(errors.count == 1, "one error line, got: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(errors.first?.contains(fragment) == true, "the error names '\(fragment)': \(result.stderr)",
                sourceLocation: sourceLocation)
    }

    /// The product's own reader opens the database and finds the failed run's report; SQLite finds no damage.
    static func expectTheDatabaseOpensWithTheFailedRun(_ night: NightHarness, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let stored = try night.command(["report", "--run", "latest", "--format", "json"])
        #expect(stored.status == 0, "\(stored.stderr)", sourceLocation: sourceLocation)
        let report = try JSONSerialization.jsonObject(with: Data(stored.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(run(of: report)["outcome"] as? String == "failed", sourceLocation: sourceLocation)
        let sqlite = URL(fileURLWithPath: "/usr/bin/sqlite3")
        if FileManager.default.isExecutableFile(atPath: sqlite.path) {
            let check = try ProcessRunner.run(sqlite, [night.databasePath, "PRAGMA integrity_check;"], environment: [:])
            #expect(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(check.stdout)\(check.stderr)",
                    sourceLocation: sourceLocation)
        }
    }
}

/// Set once by the test thread, read by the watcher thread.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }

    func set() { lock.withLock { value = true } }
}
