import Foundation
import Testing
@testable import GraphEmulator

@Suite struct UsersEndpointTests {
    @Test func defaultPropertySetOmitsAccountEnabled() throws {
        let harness = try Harness()
        let result = try harness.graph("/v1.0/users", token: try harness.token())
        #expect(result.status == 200)
        #expect(result.headers["content-type"] == GraphJSON.contentType)
        #expect(result.headers["request-id"]?.count == 36)
        #expect(result.headers["date"] != nil)
        #expect((result.json["@odata.context"] as? String)?.contains("$metadata#users") == true)
        let first = try #require(result.values.first)
        #expect(Set(first.keys) == ["businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
                                    "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"])
        #expect(first["mobilePhone"] is NSNull)
    }

    @Test func selectReturnsExactlyTheSelectedPropertiesWithSecondPrecisionTimestamps() throws {
        let harness = try Harness()
        let result = try harness.graph(
            "/v1.0/users?$select=id,accountEnabled,signInSessionsValidFromDateTime,onPremisesSyncEnabled,createdDateTime",
            token: try harness.token(), headers: ["client-request-id": "abc-123"])
        #expect(result.headers["client-request-id"] == "abc-123")
        let alice = try #require(result.values.first { $0["id"] as? String == Fixture.alice })
        #expect(Set(alice.keys) == ["id", "accountEnabled", "signInSessionsValidFromDateTime", "onPremisesSyncEnabled", "createdDateTime"])
        #expect(alice["accountEnabled"] as? Bool == true)
        #expect(alice["onPremisesSyncEnabled"] is NSNull)
        let stamp = try #require(alice["signInSessionsValidFromDateTime"] as? String)
        #expect(stamp.count == 20 && stamp.hasSuffix("Z") && !stamp.contains("."))
    }

    @Test func unknownSelectedPropertyIs400() throws {
        let harness = try Harness()
        let result = try harness.graph("/v1.0/users?$select=id,foo", token: try harness.token())
        #expect(result.status == 400)
        #expect(result.errorCode == "Request_BadRequest")
        #expect(result.errorMessage == "Could not find a property named 'foo' on type 'microsoft.graph.user'.")
        let inner = (result.json["error"] as? [String: Any])?["innerError"] as? [String: Any]
        #expect(inner?["request-id"] as? String == result.headers["request-id"])
    }

    @Test func pagingReturnsEveryUserExactlyOnce() throws {
        var options = EmulatorOptions()
        options.pageCapUsers = 7
        let harness = try Harness(tenant: Fixture.tenant(extraUsers: 47), options: options)
        let (items, pages) = try harness.collect("/v1.0/users?$select=id&$top=999", token: try harness.token())
        let ids = items.compactMap { $0["id"] as? String }
        #expect(ids.count == 50)
        #expect(Set(ids).count == 50)
        #expect(ids == ids.sorted())
        #expect(pages == 8)
    }

    @Test func filterOnAccountEnabledPagesOnlyDisabledUsers() throws {
        var options = EmulatorOptions()
        options.pageCapUsers = 4
        let harness = try Harness(tenant: Fixture.tenant(extraUsers: 30), options: options)
        let token = try harness.token()
        let (items, _) = try harness.collect("/v1.0/users?$filter=accountEnabled%20eq%20false&$select=id,accountEnabled", token: token)
        #expect(items.count == 12) // bob, carol and filler 0, 3, …, 27
        #expect(items.allSatisfy { $0["accountEnabled"] as? Bool == false })
        let unsupported = try harness.graph("/v1.0/users?$filter=accountEnabled%20ne%20true", token: token)
        #expect(unsupported.status == 400)
        #expect(unsupported.errorCode == "Request_UnsupportedQuery")
    }

    @Test(arguments: ["0", "1000", "abc", "-5"])
    func topOutsideOneTo999Is400(_ top: String) throws {
        let harness = try Harness()
        let result = try harness.graph("/v1.0/users?$top=\(top)", token: try harness.token())
        #expect(result.status == 400)
        #expect(result.errorMessage == "Invalid page size specified: '\(top)'. Must be between 1 and 999 inclusive.")
    }

    @Test func garbageOrTamperedSkipTokenIs400() throws {
        let harness = try Harness(tenant: Fixture.tenant(extraUsers: 10))
        let token = try harness.token()
        #expect(try harness.graph("/v1.0/users?$skiptoken=garbage", token: token).status == 400)
        let first = try harness.graph("/v1.0/users?$top=2", token: token)
        let link = try #require(first.nextLink)
        #expect(link.hasPrefix(harness.emulator.baseURL + "/v1.0/users?"))
        #expect(try harness.graph(link, token: token).status == 200)
        #expect(try harness.graph(link.replacingOccurrences(of: "$top=2", with: "$top=3"), token: token).status == 400)
        let skip = try #require(link.components(separatedBy: "$skiptoken=").last)
        var tampered = Array(skip)
        tampered[4] = tampered[4] == "A" ? "B" : "A"
        let result = try harness.graph("/v1.0/users?$top=2&$skiptoken=\(String(tampered))", token: token)
        #expect(result.status == 400)
        #expect(result.errorCode == "Request_BadRequest")
    }

    @Test func userLookupAcceptsIdOrUPNAndUnknownIs404() throws {
        let harness = try Harness()
        let token = try harness.token()
        #expect(try harness.graph("/v1.0/users/alice@contoso.com", token: token).json["id"] as? String == Fixture.alice)
        let missing = try harness.graph("/v1.0/users/nobody@contoso.com/appRoleAssignments", token: token)
        #expect(missing.status == 404)
        #expect(missing.errorCode == "Request_ResourceNotFound")
        #expect(missing.errorMessage == "Resource 'nobody@contoso.com' does not exist or one of its queried reference-property objects are not present.")
    }

    @Test func appAccessListsOnlyTheUsersOwnGrants() throws {
        let harness = try Harness()
        let token = try harness.token()
        let assignments = try harness.graph("/v1.0/users/\(Fixture.bob)/appRoleAssignments", token: token)
        #expect(assignments.values.map { $0["id"] as? String } == [Fixture.bobAssignment])
        #expect(assignments.values.first?["resourceDisplayName"] as? String == "Salesforce")
        let grants = try harness.graph("/v1.0/users/\(Fixture.bob)/oauth2PermissionGrants", token: token)
        #expect(grants.values.map { $0["id"] as? String } == [Fixture.bobGrant])
        #expect(try harness.graph("/v1.0/users/\(Fixture.alice)/oauth2PermissionGrants", token: token).values.isEmpty)
    }

    @Test func unknownSegmentIs400AndWrongMethodIs405() throws {
        let harness = try Harness()
        let token = try harness.token()
        let unknown = try harness.graph("/v1.0/groupz", token: token)
        #expect(unknown.status == 400)
        #expect(unknown.errorCode == "BadRequest")
        #expect(unknown.errorMessage == "Resource not found for the segment 'groupz'.")
        #expect(try harness.graph("DELETE", "/v1.0/users", token: token).status == 405)
    }
}
