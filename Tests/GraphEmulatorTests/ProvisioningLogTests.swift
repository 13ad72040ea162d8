import Foundation
import Testing
@testable import GraphEmulator

/// `GET /auditLogs/provisioning` (graph.md 2.6) and the identity-reports limit (graph.md 5).
@Suite struct ProvisioningLogTests {
    typealias P = ProvisioningFixture

    private static func ids(_ result: HTTPResult) -> [String] {
        result.values.compactMap { $0["id"] as? String }
    }

    private static func since(_ daysAgo: Double) -> String {
        GraphTime.seconds(P.now - daysAgo * P.day)
    }

    @Test func recordsCarryTheDocumentedShapeNewestFirst() throws {
        let harness = try Harness(tenant: P.tenant())
        let result = try harness.graph("/v1.0/auditLogs/provisioning", token: try harness.token())
        #expect(result.status == 200)
        #expect(result.json["@odata.context"] as? String == "https://graph.microsoft.com/v1.0/$metadata#auditLogs/provisioning")
        #expect(Self.ids(result) == ["e6", "e5", "e4", "e3", "e2", "e1"])
        let failure = try #require(result.values.first { $0["id"] as? String == "e5" })
        #expect(failure["provisioningAction"] as? String == "disable")
        #expect(failure["jobId"] as? String == P.salesforceJob)
        #expect(failure["tenantId"] as? String == EmulatorOptions().tenantGUID)
        let statusInfo = try #require(failure["provisioningStatusInfo"] as? [String: Any])
        #expect(statusInfo["status"] as? String == "failure")
        let error = try #require(statusInfo["errorInformation"] as? [String: Any])
        #expect(error["errorCode"] as? String == "UnprocessableEntity" && error["reason"] as? String == "UnprocessableEntity from the app")
        let principal = try #require(failure["servicePrincipal"] as? [String: Any], "an object, as every Graph example shows")
        #expect(principal["id"] as? String == P.salesforce && principal["displayName"] as? String == "Salesforce")
        let source = try #require(failure["sourceIdentity"] as? [String: Any])
        #expect(source["id"] as? String == Fixture.bob && source["identityType"] as? String == "User")
        #expect((failure["targetSystem"] as? [String: Any])?["displayName"] as? String == "Salesforce")
        #expect((failure["provisioningSteps"] as? [[String: Any]])?.last?["status"] as? String == "failure")
        #expect((failure["initiatedBy"] as? [String: Any])?["displayName"] as? String == "Azure AD Provisioning Service")
        let success = try #require(result.values.first { $0["id"] as? String == "e4" })
        #expect((success["provisioningStatusInfo"] as? [String: Any])?["errorInformation"] is NSNull)
    }

    @Test func filtersByDateServicePrincipalUserActionAndStatus() throws {
        let harness = try Harness(tenant: P.tenant())
        let token = try harness.token()
        func ids(_ filter: String) throws -> [String] {
            let result = try harness.graph("/v1.0/auditLogs/provisioning?$filter=" + URLCoding.encodeQueryComponent(filter), token: token)
            #expect(result.status == 200, "\(filter): \(result.text.prefix(200))")
            return Self.ids(result)
        }
        #expect(try ids("activityDateTime ge \(Self.since(5.01))") == ["e6", "e5", "e4", "e3"])
        #expect(try ids("activityDateTime gt \(Self.since(4.95)) and activityDateTime lt \(Self.since(1.5))") == ["e5", "e4"])
        #expect(try ids("servicePrincipal/id eq '\(P.salesforce.uppercased())'") == ["e5", "e1"])
        #expect(try ids("sourceIdentity/id eq '\(Fixture.carol)' and provisioningAction eq 'disable'") == ["e4", "e3"])
        #expect(try ids("provisioningStatusInfo/status eq 'Failure'") == ["e5", "e3"], "status is the one case-insensitive filter")
        #expect(try ids("jobId eq '\(P.serviceNowJob)' and activityDateTime le \(Self.since(4.99))") == ["e3", "e2"])

        let unsupported = try harness.graph("/v1.0/auditLogs/provisioning?$filter=durationInMilliseconds%20gt%201000", token: token)
        #expect(unsupported.status == 400 && unsupported.errorCode == "Request_UnsupportedQuery")
        let badDate = try harness.graph("/v1.0/auditLogs/provisioning?$filter=activityDateTime%20ge%20yesterday", token: token)
        #expect(badDate.status == 400)
    }

    @Test func pagesWithTopAndOrdersAscendingOnRequest() throws {
        let harness = try Harness(tenant: P.tenant())
        let token = try harness.token()
        let first = try harness.graph("/v1.0/auditLogs/provisioning?$top=4&$orderby=activityDateTime%20asc&$select=id,activityDateTime",
                                      token: token)
        #expect(Self.ids(first) == ["e1", "e2", "e3", "e4"])
        #expect(first.values.allSatisfy { Set($0.keys) == ["id", "activityDateTime"] })
        let link = try #require(first.nextLink)
        #expect(link.hasPrefix(harness.emulator.baseURL + "/v1.0/auditLogs/provisioning?"))
        let second = try harness.graph(link, token: token)
        #expect(Self.ids(second) == ["e5", "e6"])
        #expect(second.nextLink == nil)
        #expect(try harness.graph("/v1.0/auditLogs/provisioning?$top=1001", token: token).status == 400)
        #expect(try harness.graph("/v1.0/auditLogs/provisioning?$top=1000", token: token).status == 200)
        #expect(try harness.graph("/v1.0/auditLogs/provisioning?$orderby=jobId", token: token).status == 400)
    }

    @Test func aFreeTenantGetsTheLicenceError() throws {
        var options = EmulatorOptions()
        options.deniedEndpoints = ["auditLogs/provisioning"]
        let harness = try Harness(tenant: P.tenant(), options: options)
        let token = try harness.token()
        let denied = try harness.graph("/v1.0/auditLogs/provisioning", token: token)
        #expect(denied.status == 403)
        #expect(denied.errorCode == "Authentication_RequestFromNonPremiumTenantOrB2CTenant")
        #expect(try harness.graph("/v1.0/auditLogs/directoryAudits", token: token).status == 200, "only the named path is denied")
    }

    @Test func reportThrottlingAnswersTheSixthRequestWithinTenSecondsWith429() throws {
        var options = EmulatorOptions()
        options.reportThrottling = true
        let harness = try Harness(tenant: P.tenant(), options: options)
        let token = try harness.token()
        // The two report endpoints share one budget; other Graph calls do not use it.
        let paths = ["/v1.0/auditLogs/provisioning", "/v1.0/auditLogs/directoryAudits", "/v1.0/auditLogs/provisioning?$top=1",
                     "/v1.0/auditLogs/directoryAudits", "/v1.0/auditLogs/provisioning"]
        for path in paths { #expect(try harness.graph(path, token: token).status == 200) }
        #expect(try harness.graph("/v1.0/users", token: token).status == 200)
        let throttled = try harness.graph("/v1.0/auditLogs/provisioning", token: token)
        #expect(throttled.status == 429)
        #expect(throttled.errorCode == "TooManyRequests")
        let wait = try #require(throttled.headers["retry-after"].flatMap(Int.init))
        #expect((1...10).contains(wait))
        #expect(try harness.graph("/v1.0/auditLogs/directoryAudits", token: token).status == 429, "still inside the window")

        harness.emulator.advanceClock(by: TimeInterval(wait))
        #expect(try harness.graph("/v1.0/auditLogs/provisioning", token: token).status == 200)
        let statuses = harness.emulator.recordedRequests().filter { $0.path.hasPrefix("/v1.0/auditLogs") }.map(\.status)
        #expect(statuses == [200, 200, 200, 200, 200, 429, 429, 200])
        #expect(harness.emulator.recordedRequests().allSatisfy { $0.fault == nil }, "a modelled limit, not an injected fault")
    }

    @Test func reportThrottlingIsOffByDefault() throws {
        let harness = try Harness(tenant: P.tenant())
        let token = try harness.token()
        for _ in 0..<8 { #expect(try harness.graph("/v1.0/auditLogs/provisioning?$top=1", token: token).status == 200) }
    }

    @Test func innerBatchRequestsToReportsAreThrottledOneByOne() throws {
        var options = EmulatorOptions()
        options.reportThrottling = true
        let harness = try Harness(tenant: P.tenant(), options: options)
        let result = try harness.graph("POST", "/v1.0/$batch", token: try harness.token(), body: BatchTests.batch((1...7).map {
            ["id": "\($0)", "method": "GET", "url": "/auditLogs/provisioning?$top=1"]
        }))
        #expect(result.status == 200)
        let statuses = BatchTests.responses(result).values.compactMap { $0["status"] as? Int }
        #expect(statuses.filter { $0 == 200 }.count == 5)
        #expect(statuses.filter { $0 == 429 }.count == 2)
        let throttled = try #require(BatchTests.responses(result).values.first { $0["status"] as? Int == 429 })
        #expect((throttled["headers"] as? [String: String])?["Retry-After"] != nil)
    }
}
