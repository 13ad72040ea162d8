import Foundation
import GraphEmulator
import Testing
import TestSupport

@Suite(.serialized) struct FailureEndToEndTests {
    @Test func aConfigErrorExits78BeforeAnyNetworkCall() throws {
        let (tenant, _) = TenantGenerator.generate(TenantSpec(now: Date()))
        let night = try NightHarness(tenant: tenant)
        let broken = night.configText().replacingOccurrences(of: "mode = \"enforce\"", with: "mode = \"enforse\"")
        let result = try night.run(config: broken)
        #expect(result.status == 78)
        #expect(result.stderr.contains(":12: policy.mode: expected \"enforce\" or \"report\""), "\(result.stderr)")
        #expect(night.emulator.recordedRequests().isEmpty)
    }

    @Test func aWrongSecretFailsWithTheIdentityPlatformsErrorAndNeverPrintsTheSecret() throws {
        let (tenant, _) = TenantGenerator.generate(TenantSpec(now: Date()))
        let night = try NightHarness(tenant: tenant)
        let wrong = "Wr0ng~secret+value=="
        let result = try night.run(environment: ["LEAVERSWEEP_CLIENT_SECRET": wrong])
        #expect(result.status == 1)
        #expect(result.stderr.contains("AADSTS7000215"), "\(result.stderr)")
        #expect(night.writes().isEmpty)
        let everything = result.stdout + result.stderr + ((try? String(contentsOfFile: night.reportPath, encoding: .utf8)) ?? "")
        #expect(!everything.contains(wrong))
        #expect(!everything.contains(night.secret))
    }

    @Test func aMissingSecretVariableIsNamed() throws {
        let (tenant, _) = TenantGenerator.generate(TenantSpec(now: Date()))
        let night = try NightHarness(tenant: tenant)
        try night.configText().write(toFile: night.configPath, atomically: true, encoding: .utf8)
        let result = try ProcessRunner.run(try BuiltProducts.executable("leaversweep"), ["run", "--config", night.configPath], environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("LEAVERSWEEP_CLIENT_SECRET is not set"))
        #expect(night.emulator.recordedRequests().isEmpty)
    }

    @Test func quietPrintsNothingOnSuccess() throws {
        var spec = TenantSpec(now: Date())
        spec.disabledFraction = 0
        spec.stalledProvisioning = false
        let (tenant, _) = TenantGenerator.generate(spec)
        let night = try NightHarness(tenant: tenant)
        let result = try night.run(["--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.isEmpty)
    }
}
