import Foundation
import Testing
@testable import GraphEmulator

/// `GET /users/{id}` and the audit trail `PATCH /users/{id}` leaves behind.
@Suite struct UserWritesAndLookupTests {
    private static func audits(_ harness: Harness, _ activity: String, since: Date, token: String) throws -> HTTPResult {
        let name = activity.replacingOccurrences(of: " ", with: "%20")
        return try harness.graph("/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName%20eq%20'\(name)'"
                                 + "%20and%20activityDateTime%20ge%20\(GraphTime.seconds(since))", token: token)
    }

    @Test func enablingAndDisablingWriteMatchingAuditEvents() throws {
        let harness = try Harness()
        let token = try harness.token()
        let since = Date() - 60
        #expect(try harness.graph("PATCH", "/v1.0/users/\(Fixture.bob)", token: token, body: #"{"accountEnabled":true}"#).status == 204)
        #expect(try harness.graph("PATCH", "/v1.0/users/\(Fixture.alice)", token: token, body: #"{"accountEnabled":false}"#).status == 204)
        // Setting the value it already has is no flip and leaves no event.
        #expect(try harness.graph("PATCH", "/v1.0/users/\(Fixture.carol)", token: token, body: #"{"accountEnabled":false}"#).status == 204)

        let enabled = try Self.audits(harness, "Enable account", since: since, token: token)
        #expect(enabled.status == 200)
        #expect(enabled.values.count == 1)
        let enable = try #require(enabled.values.first)
        let target = try #require((enable["targetResources"] as? [[String: Any]])?.first)
        #expect(target["id"] as? String == Fixture.bob)
        let change = (target["modifiedProperties"] as? [[String: Any]])?.first
        #expect(change?["oldValue"] as? String == "[false]" && change?["newValue"] as? String == "[true]")

        let disabled = try Self.audits(harness, "Disable account", since: since, token: token)
        let disabledTargets = disabled.values.compactMap { (($0["targetResources"] as? [[String: Any]])?.first)?["id"] as? String }
        #expect(disabledTargets == [Fixture.alice]) // bob's and carol's older events fall before `since`
        let all = try harness.graph("/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName%20eq%20'Disable%20account'", token: token)
        #expect(all.values.count == 3)
        #expect(try Self.audits(harness, "Enable account", since: Date() + 3_600, token: token).values.isEmpty)
    }

    @Test func singleUserHonoursSelect() throws {
        let harness = try Harness()
        let token = try harness.token()
        let bob = try harness.graph("/v1.0/users/\(Fixture.bob)?$select=id,accountEnabled", token: token)
        #expect(bob.status == 200)
        #expect(Set(bob.json.keys) == ["@odata.context", "id", "accountEnabled"])
        #expect(bob.json["accountEnabled"] as? Bool == false)
        #expect((bob.json["@odata.context"] as? String)?.hasSuffix("$metadata#users(id,accountEnabled)/$entity") == true)
        let byUPN = try harness.graph("/v1.0/users/ALICE@contoso.com?$select=id,accountEnabled,signInSessionsValidFromDateTime", token: token)
        #expect(byUPN.json["id"] as? String == Fixture.alice && byUPN.json["accountEnabled"] as? Bool == true)
        #expect(byUPN.json["signInSessionsValidFromDateTime"] is String)
    }

    @Test func singleUserDefaultPropertySetOmitsAccountEnabled() throws {
        let harness = try Harness()
        let alice = try harness.graph("/v1.0/users/\(Fixture.alice)", token: try harness.token())
        #expect(alice.status == 200)
        #expect(Set(alice.json.keys) == ["@odata.context", "businessPhones", "displayName", "givenName", "jobTitle", "mail",
                                         "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"])
        #expect(alice.json["@odata.context"] as? String == "https://graph.microsoft.com/v1.0/$metadata#users/$entity")
    }

    @Test func singleUserUnknownIdIs404AndUnknownPropertyIs400() throws {
        let harness = try Harness()
        let token = try harness.token()
        let missing = try harness.graph("/v1.0/users/00000000-dead-4000-8000-000000000000?$select=id,accountEnabled", token: token)
        #expect(missing.status == 404)
        #expect(missing.errorCode == "Request_ResourceNotFound")
        let bad = try harness.graph("/v1.0/users/\(Fixture.bob)?$select=id,enabled", token: token)
        #expect(bad.status == 400)
        #expect(bad.errorMessage == "Could not find a property named 'enabled' on type 'microsoft.graph.user'.")
    }
}
