import Foundation
import Testing
@testable import GraphEmulator

@Suite struct AuditLogTests {
    @Test func filtersDisableAccountEventsNewestFirstWithSevenDigitTimestamps() throws {
        let harness = try Harness()
        let result = try harness.graph("/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName%20eq%20'Disable%20account'",
                                       token: try harness.token())
        #expect(result.status == 200)
        let targets = result.values.compactMap { (($0["targetResources"] as? [[String: Any]])?.first)?["id"] as? String }
        #expect(targets == [Fixture.carol, Fixture.bob])
        let bobEvent = result.values[1]
        let stamp = try #require(bobEvent["activityDateTime"] as? String)
        #expect(stamp.hasSuffix("Z") && stamp.split(separator: ".").last?.count == 8) // 7 digits + Z
        #expect(bobEvent["category"] as? String == "UserManagement")
        #expect(bobEvent["loggedByService"] as? String == "Core Directory")
        #expect(((bobEvent["initiatedBy"] as? [String: Any])?["user"] as? [String: Any])?["userPrincipalName"] as? String == "hr@contoso.com")
        let modified = (bobEvent["targetResources"] as? [[String: Any]])?.first?["modifiedProperties"] as? [[String: Any]]
        #expect(modified?.first?["newValue"] as? String == "[false]")
    }

    @Test func combinesDateRangeAndTargetFilters() throws {
        let harness = try Harness()
        let token = try harness.token()
        let since = GraphTime.seconds(Fixture.now - 10 * Fixture.day)
        let recent = try harness.graph(
            "/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName%20eq%20'Disable%20account'%20and%20activityDateTime%20ge%20\(since)",
            token: token)
        #expect(recent.values.count == 1)
        let bob = try harness.graph(
            "/v1.0/auditLogs/directoryAudits?$filter=targetResources/any(t:t/id%20eq%20'\(Fixture.bob)')", token: token)
        #expect(bob.values.count == 1)
        let bad = try harness.graph("/v1.0/auditLogs/directoryAudits?$filter=result%20eq%20'failure'", token: token)
        #expect(bad.status == 400)
    }

    @Test func pagesAuditRecords() throws {
        var options = EmulatorOptions()
        options.pageCapUsers = 1
        let harness = try Harness(options: options)
        let (items, pages) = try harness.collect("/v1.0/auditLogs/directoryAudits", token: try harness.token())
        #expect(items.count == 3 && pages == 3)
        #expect(try harness.graph("/v1.0/auditLogs/directoryAudits?$top=1001", token: try harness.token()).status == 400)
    }
}
