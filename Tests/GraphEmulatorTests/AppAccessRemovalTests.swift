import Foundation
import Testing
@testable import GraphEmulator

/// The documented DELETEs for optional removals (graph.md 3): app role assignments and delegated grants.
@Suite struct AppAccessRemovalTests {
    static let salesforce = "5e000000-0000-4000-8000-000000000001"
    static let serviceNow = "5e000000-0000-4000-8000-000000000003"   // GroupAccessTests' group-assigned resource
    static let advanced = ["ConsistencyLevel": "eventual"]

    private static func assignmentIds(_ harness: Harness, _ user: String, _ token: String) throws -> [String] {
        try harness.graph("/v1.0/users/\(user)/appRoleAssignments?$count=true", token: token, headers: advanced)
            .values.compactMap { $0["id"] as? String }
    }

    @Test func deletingThroughTheUserRemovesTheAssignmentAndIsRecorded() throws {
        let harness = try Harness()
        let token = try harness.token()
        let path = "/v1.0/users/\(Fixture.bob)/appRoleAssignments/\(Fixture.bobAssignment)"
        let deleted = try harness.graph("DELETE", path, token: token)
        #expect(deleted.status == 204 && deleted.body.isEmpty)
        #expect(try Self.assignmentIds(harness, Fixture.bob, token).isEmpty)
        #expect(try harness.graph("/v1.0/servicePrincipals/\(Self.salesforce)/appRoleAssignedTo", token: token).status == 404,
                "no service principal object and no assignment left to name the resource")
        let again = try harness.graph("DELETE", path, token: token)
        #expect(again.status == 404 && again.errorCode == "Request_ResourceNotFound")
        #expect(harness.emulator.recordedWrites().map { "\($0.method) \($0.path) \($0.status)" } == ["DELETE \(path) 204", "DELETE \(path) 404"])
        #expect(harness.emulator.tenantSnapshot().appRoleAssignments.isEmpty)
    }

    @Test func aGroupInheritedAssignmentIsNotFoundThroughTheUser() throws {
        let harness = try Harness(tenant: GroupAccessTests.tenant())
        let token = try harness.token()
        let inherited = try harness.graph("DELETE", "/v1.0/users/\(Fixture.bob)/appRoleAssignments/\(GroupAccessTests.salesAssignment)",
                                          token: token)
        #expect(inherited.status == 404)
        #expect(inherited.errorCode == "Request_ResourceNotFound")
        #expect(try Self.assignmentIds(harness, Fixture.carol, token) == [GroupAccessTests.salesAssignment], "still held by every member")
        // Through the resource it goes, for every member at once: why a leaver tool must never do this.
        #expect(try harness.graph("DELETE", "/v1.0/servicePrincipals/\(Self.serviceNow)/appRoleAssignedTo/\(GroupAccessTests.salesAssignment)",
                                  token: token).status == 204)
        #expect(try Self.assignmentIds(harness, Fixture.carol, token).isEmpty)
    }

    @Test func deletingThroughTheResourceChecksTheResource() throws {
        let harness = try Harness(tenant: ProvisioningFixture.tenant())
        let token = try harness.token()
        let wrongResource = try harness.graph(
            "DELETE", "/v1.0/servicePrincipals/\(ProvisioningFixture.serviceNow)/appRoleAssignedTo/\(Fixture.bobAssignment)", token: token)
        #expect(wrongResource.status == 404)
        let listed = try harness.graph("/v1.0/servicePrincipals/\(Self.salesforce)/appRoleAssignedTo", token: token)
        #expect(listed.values.compactMap { $0["id"] as? String } == [Fixture.bobAssignment])
        #expect(try harness.graph("DELETE", "/v1.0/servicePrincipals/\(Self.salesforce)/appRoleAssignedTo/\(Fixture.bobAssignment)",
                                  token: token).status == 204)
        #expect(try harness.graph("/v1.0/servicePrincipals/\(Self.salesforce)/appRoleAssignedTo", token: token).values.isEmpty,
                "a service principal object still answers after its last assignment went")
    }

    @Test func grantsAreDeletedAtTheCollectionNotThroughTheUser() throws {
        let harness = try Harness()
        let token = try harness.token()
        let throughUser = try harness.graph("DELETE", "/v1.0/users/\(Fixture.bob)/oauth2PermissionGrants/\(Fixture.bobGrant)", token: token)
        #expect(throughUser.status == 400)
        #expect(throughUser.errorMessage == "Write requests are only supported on contained entities or navigation properties with bindings.")
        #expect(try harness.graph("/v1.0/users/\(Fixture.bob)/oauth2PermissionGrants/\(Fixture.bobGrant)", token: token).status == 200)
        #expect(try harness.graph("DELETE", "/v1.0/oauth2PermissionGrants/\(Fixture.bobGrant)", token: token).status == 204)
        #expect(try harness.graph("DELETE", "/v1.0/oauth2PermissionGrants/\(Fixture.bobGrant)", token: token).status == 404)
        #expect(try harness.graph("/v1.0/users/\(Fixture.bob)/oauth2PermissionGrants", token: token).values.isEmpty)
        #expect(harness.emulator.tenantSnapshot().grants.map(\.id) == [Fixture.tenantWideGrant])
        #expect(harness.emulator.recordedWrites().map(\.status) == [400, 204, 404])
    }

    @Test func removalsRunInsideABatchAndAreRecordedOneByOne() throws {
        let harness = try Harness()
        let token = try harness.token()
        let result = try harness.graph("POST", "/v1.0/$batch", token: token, body: BatchTests.batch([
            ["id": "a", "method": "DELETE", "url": "/servicePrincipals/\(Self.salesforce)/appRoleAssignedTo/\(Fixture.bobAssignment)"],
            ["id": "g", "method": "DELETE", "url": "/oauth2PermissionGrants/\(Fixture.bobGrant)"],
            ["id": "x", "method": "DELETE", "url": "/oauth2PermissionGrants/00000000-dead-4000-8000-000000000000"],
        ]))
        #expect(result.status == 200)
        let byId = BatchTests.responses(result)
        #expect(byId.mapValues { $0["status"] as? Int } == ["a": 204, "g": 204, "x": 404])
        #expect(byId["a"]?["body"] == nil, "a 204 has no body")
        let writes = harness.emulator.recordedWrites()
        #expect(writes.count == 3 && writes.allSatisfy { $0.batch && $0.method == "DELETE" })
        #expect(writes.map(\.status) == [204, 204, 404])
        let snapshot = harness.emulator.tenantSnapshot()
        #expect(snapshot.appRoleAssignments.isEmpty && snapshot.grants.map(\.id) == [Fixture.tenantWideGrant])
    }
}
