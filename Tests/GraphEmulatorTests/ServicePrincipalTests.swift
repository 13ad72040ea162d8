import Foundation
import Testing
@testable import GraphEmulator

/// `/servicePrincipals`, one service principal, and its provisioning jobs (graph.md 2.6).
@Suite struct ServicePrincipalTests {
    typealias P = ProvisioningFixture

    private static func ids(_ items: [[String: Any]]) -> [String] {
        items.compactMap { $0["id"] as? String }
    }

    @Test func listsSelectsFiltersAndPagesServicePrincipals() throws {
        var options = EmulatorOptions()
        options.pageCapUsers = 2
        let harness = try Harness(tenant: P.tenant(), options: options)
        let token = try harness.token()
        let (all, pages) = try harness.collect("/v1.0/servicePrincipals?$select=id,displayName,appId", token: token)
        #expect(Self.ids(all) == [P.salesforce, P.serviceNow, P.zoom])
        #expect(pages == 2)
        #expect(all.allSatisfy { Set($0.keys) == ["id", "displayName", "appId"] })

        let first = try harness.graph("/v1.0/servicePrincipals?$select=id,displayName", token: token)
        #expect(first.json["@odata.context"] as? String == "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals(id,displayName)")

        let one = try harness.graph("/v1.0/servicePrincipals?$filter=id%20eq%20'\(P.zoom.uppercased())'", token: token)
        #expect(Self.ids(one.values) == [P.zoom])
        #expect(one.values.first?["appRoleAssignmentRequired"] as? Bool == true, "no $select: every property")
        let byName = try harness.graph("/v1.0/servicePrincipals?$filter=displayName%20eq%20'ServiceNow'%20and%20accountEnabled%20eq%20true",
                                       token: token)
        #expect(Self.ids(byName.values) == [P.serviceNow])

        let unsupported = try harness.graph("/v1.0/servicePrincipals?$filter=startswith(displayName,'Sales')", token: token)
        #expect(unsupported.status == 400)
        #expect(unsupported.errorCode == "Request_UnsupportedQuery")
        #expect(try harness.graph("/v1.0/servicePrincipals?$select=nope", token: token).status == 400)
    }

    @Test func getsOneServicePrincipalByIdOrAppId() throws {
        let harness = try Harness(tenant: P.tenant())
        let token = try harness.token()
        let byId = try harness.graph("/v1.0/servicePrincipals/\(P.serviceNow)?$select=id,appId,displayName", token: token)
        #expect(byId.status == 200)
        #expect(byId.json["displayName"] as? String == "ServiceNow")
        #expect(byId.json["@odata.context"] as? String
                    == "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals(id,appId,displayName)/$entity")
        let byAppId = try harness.graph("/v1.0/servicePrincipals(appId='a0000000-0000-4000-8000-00000000000c')", token: token)
        #expect(byAppId.json["id"] as? String == P.zoom)
        let missing = try harness.graph("/v1.0/servicePrincipals/00000000-dead-4000-8000-000000000000", token: token)
        #expect(missing.status == 404)
        #expect(missing.errorCode == "Request_ResourceNotFound")
    }

    @Test func servesJobsShapedAsGraphDocumentsThem() throws {
        let harness = try Harness(tenant: P.tenant())
        let token = try harness.token()
        let healthy = try harness.graph("/v1.0/servicePrincipals/\(P.serviceNow)/synchronization/jobs", token: token)
        #expect(healthy.status == 200)
        #expect(healthy.json["@odata.context"] as? String
                    == "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('\(P.serviceNow)')/synchronization/jobs")
        let job = try #require(healthy.values.first)
        #expect(job["id"] as? String == P.serviceNowJob && job["templateId"] as? String == "ServiceNowOutDelta")
        let schedule = try #require(job["schedule"] as? [String: Any])
        #expect(schedule["interval"] as? String == "PT40M" && schedule["state"] as? String == "Active")
        #expect(schedule.keys.contains("expiration"))
        let status = try #require(job["status"] as? [String: Any])
        #expect(status["code"] as? String == "Active")
        #expect(status["countSuccessiveCompleteFailures"] as? Int == 0)
        #expect(status["quarantine"] is NSNull)
        let last = try #require(status["lastSuccessfulExecution"] as? [String: Any])
        #expect(last["state"] as? String == "Succeeded" && last["countExported"] as? Int == 3)
        #expect((last["timeEnded"] as? String).flatMap(GraphTime.parse) != nil)
        #expect(status["steadyStateFirstAchievedTime"] as? String == "0001-01-01T00:00:00Z")

        let quarantined = try harness.graph("/v1.0/servicePrincipals/\(P.salesforce)/synchronization/jobs/\(P.salesforceJob)", token: token)
        #expect(quarantined.status == 200)
        let quarantinedStatus = try #require(quarantined.json["status"] as? [String: Any])
        #expect(quarantinedStatus["code"] as? String == "Quarantine")
        let quarantine = try #require(quarantinedStatus["quarantine"] as? [String: Any])
        #expect(quarantine["reason"] as? String == "EncounteredEscrowProportionThreshold")
        #expect(quarantine["seriesCount"] as? Int == 4)
        #expect((quarantine["seriesBegan"] as? String).flatMap(GraphTime.parse).map { abs($0.timeIntervalSince(P.now - 4 * P.day)) < 1 } == true)
        #expect(quarantine["error"] is NSNull)

        let none = try harness.graph("/v1.0/servicePrincipals/\(P.zoom)/synchronization/jobs", token: token)
        #expect(none.status == 200 && none.values.isEmpty)
        #expect(try harness.graph("/v1.0/servicePrincipals/\(P.zoom)/synchronization/jobs/nope", token: token).status == 404)
        #expect(try harness.graph("/v1.0/servicePrincipals/00000000-dead-4000-8000-000000000000/synchronization/jobs",
                                  token: token).status == 404)
        #expect(try harness.graph("POST", "/v1.0/servicePrincipals/\(P.serviceNow)/synchronization/jobs", token: token,
                                  body: "{}").status == 405)
    }

    @Test func synchronizationCanBeDeniedWith403Or401WhileTheRestStaysReadable() throws {
        var options = EmulatorOptions()
        options.deniedEndpoints = ["servicePrincipals/*/synchronization"]
        let denied = try Harness(tenant: P.tenant(), options: options)
        let token = try denied.token()
        let refused = try denied.graph("/v1.0/servicePrincipals/\(P.serviceNow)/synchronization/jobs", token: token)
        #expect(refused.status == 403)
        #expect(refused.errorCode == "Authorization_RequestDenied")
        #expect(try denied.graph("/v1.0/servicePrincipals/\(P.serviceNow)", token: token).status == 200)
        #expect(try denied.graph("/v1.0/servicePrincipals", token: token).status == 200)

        var unauthorizedOptions = EmulatorOptions()
        unauthorizedOptions.unauthorizedEndpoints = ["servicePrincipals/*/synchronization"]
        let unauthorized = try Harness(tenant: P.tenant(), options: unauthorizedOptions)
        let second = try unauthorized.token()
        let answer = try unauthorized.graph("/v1.0/servicePrincipals/\(P.salesforce)/synchronization/jobs", token: second)
        #expect(answer.status == 401)
        #expect(answer.errorCode == "UnknownError" && answer.errorMessage == "")
        #expect(answer.headers["www-authenticate"] == nil, "not a token problem")
        #expect(try unauthorized.graph("/v1.0/users", token: second).status == 200, "the token itself is fine")
    }

    @Test func jobsAreReadableInsideABatch() throws {
        var options = EmulatorOptions()
        options.deniedEndpoints = ["servicePrincipals/*/synchronization"]
        let harness = try Harness(tenant: P.tenant(), options: options)
        let result = try harness.graph("POST", "/v1.0/$batch", token: try harness.token(), body: BatchTests.batch([
            ["id": "1", "method": "GET", "url": "/servicePrincipals/\(P.serviceNow)/synchronization/jobs"],
            ["id": "2", "method": "GET", "url": "/servicePrincipals/\(P.serviceNow)?$select=id,displayName"],
        ]))
        let byId = BatchTests.responses(result)
        #expect(byId.mapValues { $0["status"] as? Int } == ["1": 403, "2": 200])
    }
}
