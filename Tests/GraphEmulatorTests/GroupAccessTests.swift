import Foundation
import Testing
@testable import GraphEmulator

/// `/users/{id}/appRoleAssignments` with group-inherited assignments (graph.md 2.5).
@Suite struct GroupAccessTests {
    static let salesGroup = "90000000-0000-4000-8000-000000000009"
    static let salesAssignment = "a9000000-0000-4000-8000-000000000009"
    static let advanced = ["ConsistencyLevel": "eventual"]

    /// The fixture plus "All Sales" (bob, carol, alice) assigned to a resource.
    static func tenant() -> EmulatedTenant {
        var tenant = Fixture.tenant()
        tenant.groups = [EmulatedGroup(id: salesGroup, displayName: "All Sales", memberIds: [Fixture.bob, Fixture.carol, Fixture.alice])]
        tenant.appRoleAssignments.append(EmulatedAppRoleAssignment(
            id: salesAssignment, principalId: salesGroup, principalType: "Group", principalDisplayName: "All Sales",
            resourceId: "5e000000-0000-4000-8000-000000000003", resourceDisplayName: "ServiceNow"))
        return tenant
    }

    private static func ids(_ result: HTTPResult) -> [String] {
        result.values.compactMap { $0["id"] as? String }
    }

    @Test func everyDirectMemberGetsTheSameAssignmentObject() throws {
        let harness = try Harness(tenant: Self.tenant())
        let token = try harness.token()
        let bob = try harness.graph("/v1.0/users/\(Fixture.bob)/appRoleAssignments?$count=true", token: token, headers: Self.advanced)
        let carol = try harness.graph("/v1.0/users/\(Fixture.carol)/appRoleAssignments?$count=true", token: token, headers: Self.advanced)
        #expect(Self.ids(bob) == [Fixture.bobAssignment, Self.salesAssignment])
        #expect(Self.ids(carol) == [Self.salesAssignment])
        let fromBob = try #require(bob.values.last), fromCarol = try #require(carol.values.first)
        #expect(fromBob["id"] as? String == fromCarol["id"] as? String)
        for inherited in [fromBob, fromCarol] {
            #expect(inherited["principalType"] as? String == "Group")
            #expect(inherited["principalId"] as? String == Self.salesGroup)
            #expect(inherited["principalDisplayName"] as? String == "All Sales")
        }
        let own = try #require(bob.values.first)
        #expect(own["principalType"] as? String == "User" && own["principalId"] as? String == Fixture.bob)
    }

    @Test func groupAssignmentsAreOmittedWithoutHeaderOrWithoutCount() throws {
        let harness = try Harness(tenant: Self.tenant())
        let token = try harness.token()
        let path = "/v1.0/users/\(Fixture.bob)/appRoleAssignments"
        let plain = try harness.graph(path, token: token)
        let headerOnly = try harness.graph(path, token: token, headers: Self.advanced)
        let countOnly = try harness.graph(path + "?$count=true", token: token)
        let wrongLevel = try harness.graph(path + "?$count=true", token: token, headers: ["ConsistencyLevel": "session"])
        for result in [plain, headerOnly, countOnly, wrongLevel] {
            #expect(result.status == 200)
            #expect(Self.ids(result) == [Fixture.bobAssignment])
            #expect(result.json["@odata.count"] == nil)
        }
        #expect(try harness.graph("/v1.0/users/\(Fixture.carol)/appRoleAssignments", token: token).values.isEmpty)
    }

    @Test func advancedQueryCarriesTheTotalCount() throws {
        let harness = try Harness(tenant: Self.tenant())
        let result = try harness.graph("/v1.0/users/\(Fixture.bob)/appRoleAssignments?$count=true", token: try harness.token(),
                                       headers: ["consistencylevel": "Eventual"])
        #expect(result.json["@odata.count"] as? Int == 2)
        #expect(result.values.count == 2)
    }

    @Test func headerMustBeResentOnEveryPage() throws {
        var options = EmulatorOptions()
        options.pageCapUsers = 1
        let harness = try Harness(tenant: Self.tenant(), options: options)
        let token = try harness.token()
        let first = try harness.graph("/v1.0/users/\(Fixture.bob)/appRoleAssignments?$count=true", token: token, headers: Self.advanced)
        #expect(Self.ids(first) == [Fixture.bobAssignment])
        #expect(first.json["@odata.count"] as? Int == 2)
        let link = try #require(first.nextLink)
        #expect(link.contains("count=true"))
        let resent = try harness.graph(link, token: token, headers: Self.advanced)
        #expect(Self.ids(resent) == [Self.salesAssignment])
        #expect(resent.json["@odata.count"] == nil) // the count is on page 1 only
        let dropped = try harness.graph(link, token: token)
        #expect(dropped.status == 200)
        #expect(dropped.values.isEmpty) // the group-inherited assignment silently disappears
    }

    @Test func generatedTenantServesTheGroupAssignmentToEveryLeaverMember() throws {
        let (tenant, manifest) = TenantGenerator.generate(TenantSpec(users: 120, disabledFraction: 0.1, now: TenantGeneratorTests.now))
        let harness = try Harness(tenant: tenant)
        let token = try harness.token()
        let members = manifest.groupInheritedAccess.keys.sorted()
        #expect(members.count >= 2)
        var seen: [String] = []
        for member in members {
            let result = try harness.graph("/v1.0/users/\(member)/appRoleAssignments?$count=true", token: token, headers: Self.advanced)
            seen += result.values.filter { $0["principalType"] as? String == "Group" }.compactMap { $0["id"] as? String }
            let withoutHeader = try harness.graph("/v1.0/users/\(member)/appRoleAssignments", token: token)
            #expect(withoutHeader.values.allSatisfy { $0["principalType"] as? String == "User" })
        }
        #expect(seen.count == members.count && Set(seen).count == 1)
        #expect(Set(seen) == manifest.groupInheritedAccess[members[0]])
    }
}
