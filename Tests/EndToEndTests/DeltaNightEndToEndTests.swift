import Foundation
import GraphEmulator
import Testing
import TestSupport

/// Nights after the first read only what changed, through the delta links the first night stored.
@Suite struct DeltaNightEndToEndTests {
    static func tenant() -> (EmulatedTenant, DriftManifest) {
        var spec = TenantSpec(now: Date())
        spec.users = 300
        spec.disabledFraction = 0.1
        spec.seed = 31
        return TenantGenerator.generate(spec)
    }

    @Test func aQuietNightIsAHandfulOfRequestsAndAChangedNightHandlesTheNewLeavers() throws {
        let (tenant, manifest) = Self.tenant()
        let night = try NightHarness(tenant: tenant)
        #expect(try night.run().status == 2)
        let firstRevoked = Set(night.effectiveWrites().revoked)
        #expect(firstRevoked == manifest.expectedRevocations)

        night.emulator.resetRecording()
        #expect(try night.run().status == 2)
        let quiet = night.emulator.recordedRequests().filter { !$0.batch }
        #expect(quiet.count <= 10, "a quiet night: \(quiet.map { "\($0.method) \($0.path)" })")
        #expect(quiet.contains { $0.path.hasSuffix("/users/delta") } && quiet.contains { $0.path.hasSuffix("/devices/delta") })
        #expect(!quiet.contains { $0.path == "/v1.0/users" || $0.path == "/v1.0/devices" }, "no full read on a quiet night")
        #expect(night.writes().isEmpty, "a quiet night writes nothing")

        // HR disables some people and renames others; tonight's delta night must handle exactly the new leavers.
        let churn = night.emulator.churn(fraction: 0.1, seed: 5)
        #expect(!churn.newlyDisabled.isEmpty)
        night.emulator.resetRecording()
        #expect(try night.run().status == 2)
        let revokedTonight = Set(night.emulator.recordedWrites().filter { $0.path.hasSuffix("/revokeSignInSessions") }
            .compactMap { $0.path.split(separator: "/").dropLast().last.map(String.init) })
        #expect(revokedTonight == Set(churn.newlyDisabled), "only the new leavers' sessions are revoked")
        #expect(!night.emulator.recordedRequests().contains { !$0.batch && ($0.path == "/v1.0/users" || $0.path == "/v1.0/devices") })
        #expect(revokedTonight.isDisjoint(with: firstRevoked))
    }

    @Test func anExpiredDeltaLinkFallsBackToAFullReadAndSaysSo() throws {
        let (tenant, manifest) = Self.tenant()
        let night = try NightHarness(tenant: tenant)
        #expect(try night.run().status == 2)
        #expect(Set(night.effectiveWrites().revoked) == manifest.expectedRevocations)
        night.emulator.expireDeltaTokens()
        night.emulator.resetRecording()
        let second = try night.run()
        #expect(second.status == 2, "\(second.stderr)")
        let requests = night.emulator.recordedRequests()
        #expect(requests.contains { $0.path.hasSuffix("/users/delta") && $0.status == 410 })
        #expect(requests.contains { $0.path == "/v1.0/users" && $0.status == 200 }, "the users were read in full again")
        let warnings = try night.report()["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.contains("delta link for users was rejected") }, "\(warnings)")
        #expect(night.writes().isEmpty, "the full read found nothing new to do: nothing sent twice")

        // The full read stored fresh links: the next night is a quiet delta night again.
        night.emulator.resetRecording()
        #expect(try night.run().status == 2)
        #expect(!night.emulator.recordedRequests().contains { $0.status == 410 })
        #expect(!night.emulator.recordedRequests().contains { !$0.batch && $0.path == "/v1.0/users" })
    }
}
