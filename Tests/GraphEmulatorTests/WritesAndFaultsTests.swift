import Foundation
import Testing
@testable import GraphEmulator

@Suite struct WritesAndFaultsTests {
    @Test func revokeAnswers200BooleanAndMovesSessionsValidFrom() throws {
        let harness = try Harness()
        let before = Date()
        let result = try harness.graph("POST", "/v1.0/users/\(Fixture.bob)/revokeSignInSessions", token: try harness.token())
        #expect(result.status == 200)
        #expect(result.json["value"] as? Bool == true)
        #expect(result.json["@odata.context"] as? String == "https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean")
        let stamp = try #require(harness.emulator.user(id: Fixture.bob)?["signInSessionsValidFromDateTime"] as? String)
        let revokedAt = try #require(GraphTime.parse(stamp))
        #expect(revokedAt >= before.addingTimeInterval(-1))
    }

    @Test func recordsWritesInOrderWithDecodedPathsAndBodies() throws {
        let harness = try Harness()
        let token = try harness.token()
        _ = try harness.graph("/v1.0/users?$select=id", token: token)
        _ = try harness.graph("POST", "/v1.0/users/\(Fixture.bob)/revokeSignInSessions", token: token, body: "{}")
        _ = try harness.graph("PATCH", "/v1.0/devices/\(Fixture.bobIPhone)", token: token, body: #"{"accountEnabled":false}"#)
        let writes = harness.emulator.recordedWrites()
        #expect(writes.map(\.method) == ["POST", "PATCH"])
        #expect(writes.map(\.path) == ["/v1.0/users/\(Fixture.bob)/revokeSignInSessions", "/v1.0/devices/\(Fixture.bobIPhone)"])
        #expect(writes.map(\.status) == [200, 400])
        #expect(writes[1].body == #"{"accountEnabled":false}"#)
        #expect(writes[0].headers["authorization"] == "Bearer \(token)")
        let all = harness.emulator.recordedRequests()
        #expect(all.count == 4)
        #expect(all[0].tokenEndpoint && !all[1].tokenEndpoint)
        #expect(all[1].query == ["$select": "id"])
        harness.emulator.resetRecording()
        #expect(harness.emulator.recordedRequests().isEmpty)
    }

    @Test func throttleFaultAnswers429WithRetryAfterAndHasNoEffect() throws {
        var options = EmulatorOptions()
        options.faults.throttleEveryNth = 2
        options.faults.retryAfterSeconds = 3
        let harness = try Harness(options: options)
        let token = try harness.token()
        #expect(try harness.graph("/v1.0/users", token: token).status == 200)
        let throttled = try harness.graph("PATCH", "/v1.0/devices/\(Fixture.bobWindows)", token: token, body: #"{"accountEnabled":false}"#)
        #expect(throttled.status == 429)
        #expect(throttled.headers["retry-after"] == "3")
        #expect(throttled.errorCode == "TooManyRequests")
        #expect(harness.emulator.device(id: Fixture.bobWindows)?["accountEnabled"] as? Bool == true)
        let retried = try harness.graph("PATCH", "/v1.0/devices/\(Fixture.bobWindows)", token: token, body: #"{"accountEnabled":false}"#)
        #expect(retried.status == 204)
        #expect(harness.emulator.recordedWrites().map(\.status) == [429, 204])
    }

    @Test func unavailableFaultCanBeSwitchedOnWhileRunning() throws {
        let harness = try Harness()
        let token = try harness.token()
        var faults = FaultPlan()
        faults.unavailableEveryNth = 1
        harness.emulator.setFaults(faults)
        let result = try harness.graph("/v1.0/users", token: token)
        #expect(result.status == 503)
        #expect(result.errorCode == "serviceNotAvailable")
        #expect(result.headers["retry-after"] == "1")
        harness.emulator.setFaults(FaultPlan())
        #expect(try harness.graph("/v1.0/users", token: token).status == 200)
    }

    @Test func deniedEndpointsAnswer403() throws {
        var options = EmulatorOptions()
        options.deniedEndpoints = ["auditLogs", "devices"]
        let harness = try Harness(options: options)
        let token = try harness.token()
        let audit = try harness.graph("/v1.0/auditLogs/directoryAudits", token: token)
        #expect(audit.status == 403)
        #expect(audit.errorCode == "Authentication_RequestFromNonPremiumTenantOrB2CTenant")
        #expect(audit.errorMessage == "Tenant does not have a SKU required for this call.")
        let devices = try harness.graph("/v1.0/devices", token: token)
        #expect(devices.status == 403)
        #expect(devices.errorCode == "Authorization_RequestDenied")
        #expect(try harness.graph("/v1.0/users", token: token).status == 200)
    }

    @Test func patchUserDisableAppendsDisableAccountAuditEvent() throws {
        let harness = try Harness()
        let token = try harness.token()
        let result = try harness.graph("PATCH", "/v1.0/users/alice@contoso.com", token: token, body: #"{"accountEnabled":false}"#)
        #expect(result.status == 204)
        #expect(harness.emulator.user(id: Fixture.alice)?["accountEnabled"] as? Bool == false)
        let audits = try harness.graph(
            "/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName%20eq%20'Disable%20account'%20and%20targetResources/any(t:t/id%20eq%20'\(Fixture.alice)')",
            token: token)
        #expect(audits.values.count == 1)
    }

    @Test func deletesRemoveAssignmentsAndGrants() throws {
        let harness = try Harness()
        let token = try harness.token()
        #expect(try harness.graph("DELETE", "/v1.0/servicePrincipals/5e000000-0000-4000-8000-000000000001/appRoleAssignedTo/\(Fixture.bobAssignment)",
                                  token: token).status == 204)
        #expect(try harness.graph("DELETE", "/v1.0/users/\(Fixture.bob)/appRoleAssignments/\(Fixture.bobAssignment)", token: token).status == 404)
        #expect(try harness.graph("DELETE", "/v1.0/oauth2PermissionGrants/\(Fixture.bobGrant)", token: token).status == 204)
        #expect(try harness.graph("/v1.0/users/\(Fixture.bob)/oauth2PermissionGrants", token: token).values.isEmpty)
    }
}
