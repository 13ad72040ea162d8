import Foundation
import Testing
@testable import GraphEmulator

@Suite struct DeltaQueryTests {
    /// Follows a delta round to its deltaLink; returns the items, the page count and the deltaLink.
    static func round(_ harness: Harness, _ start: String, token: String,
                      headers: [String: String] = [:]) throws -> (items: [[String: Any]], pages: Int, deltaLink: String) {
        var items: [[String: Any]] = []
        var next = start
        var pages = 0
        while true {
            let page = try harness.graph(next, token: token, headers: headers)
            guard page.status == 200 else { throw TestClientError(description: "\(page.status) \(page.text)") }
            items += page.values
            pages += 1
            if let link = page.nextLink {
                #expect(page.json["@odata.deltaLink"] == nil)
                next = link
            } else {
                return (items, pages, try #require(page.json["@odata.deltaLink"] as? String))
            }
        }
    }

    static func token(in link: String, _ name: String) -> String? {
        URLComponents(string: link)?.queryItems?.first { $0.name == name }?.value
    }

    @Test func firstRoundPagesEveryUserThenEndsWithAnOpaqueDeltaLink() throws {
        var options = EmulatorOptions()
        options.pageCapDelta = 5
        let harness = try Harness(tenant: Fixture.tenant(extraUsers: 9), options: options)
        let token = try harness.token()
        let first = try harness.graph("/v1.0/users/delta?$select=id,accountEnabled", token: token)
        let next = try #require(first.nextLink)
        #expect(next.hasPrefix(harness.emulator.baseURL + "/v1.0/users/delta?$skiptoken="))
        #expect(!next.contains("select"), "query options travel inside the token")
        let (items, pages, deltaLink) = try Self.round(harness, "/v1.0/users/delta?$select=id,accountEnabled", token: token)
        #expect(pages == 3 && items.count == 12)
        #expect(Set(items.compactMap { $0["id"] as? String }).count == 12)
        #expect(items.allSatisfy { Set($0.keys) == ["id", "accountEnabled"] })
        let deltaToken = try #require(Self.token(in: deltaLink, "$deltatoken"))
        #expect(Int(deltaToken) == nil && deltaToken.count > 20)
        let nothing = try harness.graph(deltaLink, token: token)
        #expect(nothing.values.isEmpty && nothing.json["@odata.deltaLink"] is String)
    }

    @Test func selectDecidesWhichChangesMakeAUserAppear() throws {
        let harness = try Harness()
        let token = try harness.token()
        let narrow = try Self.round(harness, "/v1.0/users/delta?$select=id,accountEnabled,displayName", token: token).deltaLink
        let wide = try Self.round(harness, "/v1.0/users/delta?$select=id,signInSessionsValidFromDateTime", token: token).deltaLink
        #expect(try harness.graph("PATCH", "/v1.0/users/\(Fixture.alice)", token: token, body: #"{"accountEnabled":false}"#).status == 204)
        #expect(try harness.graph("POST", "/v1.0/users/\(Fixture.bob)/revokeSignInSessions", token: token).status == 200)

        let changed = try Self.round(harness, narrow, token: token).items
        #expect(changed.count == 1, "the revocation touched an unselected property: \(changed)")
        #expect(changed.first?["id"] as? String == Fixture.alice)
        #expect(changed.first?["accountEnabled"] as? Bool == false)
        #expect(changed.first?["displayName"] as? String == "Alice Archer", "all selected properties, not only the changed one")
        let revoked = try Self.round(harness, wide, token: token).items
        #expect(revoked.compactMap { $0["id"] as? String } == [Fixture.bob])
    }

    @Test func preferReturnMinimalSendsOnlyTheChangedProperties() throws {
        let harness = try Harness()
        let token = try harness.token()
        let link = try Self.round(harness, "/v1.0/users/delta?$select=id,accountEnabled,displayName,jobTitle", token: token).deltaLink
        _ = try harness.graph("PATCH", "/v1.0/users/\(Fixture.alice)", token: token, body: #"{"jobTitle":"Architect"}"#)
        let minimal = try Self.round(harness, link, token: token, headers: ["Prefer": "return=minimal"]).items
        #expect(minimal.count == 1)
        #expect(minimal.first.map { Set($0.keys) } == ["id", "jobTitle"])
    }

    @Test func deletedDevicesComeBackAsRemovedAndLatestStartsFromNow() throws {
        let harness = try Harness()
        let token = try harness.token()
        _ = try harness.graph("PATCH", "/v1.0/devices/\(Fixture.windowsLaptop)", token: token, body: #"{"displayName":"OLD"}"#)
        let latest = try harness.graph("/v1.0/devices/delta?$deltatoken=latest&$select=id,displayName", token: token)
        #expect(latest.values.isEmpty && latest.nextLink == nil)
        let link = try #require(latest.json["@odata.deltaLink"] as? String)
        #expect(try harness.graph("DELETE", "/v1.0/devices/\(Fixture.bobIPhone)", token: token).status == 204)
        _ = try harness.graph("PATCH", "/v1.0/devices/\(Fixture.bobWindows)", token: token, body: #"{"displayName":"LAPTOP-X"}"#)
        let items = try Self.round(harness, link, token: token).items
        #expect(items.count == 2, "the rename before 'latest' is not replayed: \(items)")
        let removed = try #require(items.first { $0["id"] as? String == Fixture.bobIPhone })
        #expect((removed["@removed"] as? [String: Any])?["reason"] as? String == "deleted")
        #expect(Set(removed.keys) == ["id", "@removed"])
        #expect(items.first { $0["id"] as? String == Fixture.bobWindows }?["displayName"] as? String == "LAPTOP-X")
        #expect(try harness.graph("/v1.0/devices/\(Fixture.bobIPhone)", token: token).status == 404)
    }

    @Test(arguments: ["$top=5", "$expand=manager", "$orderby=displayName", "$filter=accountEnabled%20eq%20false"])
    func unsupportedOptionsAre400(option: String) throws {
        let harness = try Harness()
        let result = try harness.graph("/v1.0/users/delta?\(option)", token: try harness.token())
        #expect(result.status == 400)
        #expect(result.errorCode == "Request_BadRequest")
    }

    @Test func expiredAndAgedTokensAnswer410WithAFreshLocation() throws {
        var options = EmulatorOptions()
        options.pageCapDelta = 2
        let harness = try Harness(options: options)
        let token = try harness.token()
        let start = "/v1.0/users/delta?$select=id,accountEnabled"
        let link = try Self.round(harness, start, token: token).deltaLink
        harness.emulator.advanceClock(by: 6 * 86_400)
        let token6 = try harness.token()
        #expect(try harness.graph(link, token: token6).status == 200, "six days old is still valid")
        harness.emulator.advanceClock(by: 2 * 86_400)
        let token8 = try harness.token()
        let aged = try harness.graph(link, token: token8)
        #expect(aged.status == 410)
        #expect(aged.errorCode == "syncStateNotFound")
        #expect(aged.headers["location"] == harness.emulator.baseURL + "/v1.0/users/delta?$select=id,accountEnabled")

        let fresh = try Self.round(harness, try #require(aged.headers["location"]), token: token8)
        #expect(fresh.items.count == 3)
        #expect(fresh.pages == 2)
        let midRound = try #require(try harness.graph("/v1.0/users/delta", token: token8).nextLink)
        #expect(try harness.client.send("POST", "/_emulator/expire-delta-tokens").status == 200)
        for link in [fresh.deltaLink, midRound] {
            let expired = try harness.graph(link, token: token8)
            #expect(expired.status == 410 && expired.errorCode == "syncStateNotFound")
        }
        let forged = try harness.graph("/v1.0/users/delta?$deltatoken=12345", token: token8)
        #expect(forged.status == 410 && forged.headers["location"] == harness.emulator.baseURL + "/v1.0/users/delta")
        let wrongKind = try harness.graph("/v1.0/devices/delta?$skiptoken=" + (Self.token(in: midRound, "$skiptoken") ?? ""), token: token8)
        #expect(wrongKind.status == 400, "a users token on devices is a client bug, not an expiry")
    }

    @Test func churnIsVisibleThroughDeltaAndTheAuditLog() throws {
        let (tenant, _) = TenantGenerator.generate(TenantSpec(users: 120, disabledFraction: 0.05, seed: 7, now: Date()))
        let harness = try Harness(tenant: tenant)
        let token = try harness.token()
        let started = Date()
        let users = try Self.round(harness, "/v1.0/users/delta?$select=id,accountEnabled", token: token).deltaLink
        let devices = try Self.round(harness, "/v1.0/devices/delta?$select=id,displayName", token: token).deltaLink
        let churn = try harness.client.send("POST", "/_emulator/churn", headers: ["Content-Type": "application/json"],
                                            body: #"{"fraction":0.1,"seed":2}"#)
        #expect(churn.status == 200)
        let newlyDisabled = try #require(churn.json["newlyDisabled"] as? [String])
        #expect(churn.json["changedUsers"] as? Int == 12)
        #expect(churn.json["changedDevices"] as? Int == Int((Double(tenant.devices.count) * 0.1).rounded()))
        #expect((1...2).contains(newlyDisabled.count))

        let disabledChanges = try Self.round(harness, users, token: token).items
        #expect(Set(disabledChanges.compactMap { $0["id"] as? String }) == Set(newlyDisabled), "renames are not selected")
        #expect(disabledChanges.allSatisfy { $0["accountEnabled"] as? Bool == false })
        #expect(try Self.round(harness, devices, token: token).items.count == churn.json["changedDevices"] as? Int)
        for id in newlyDisabled {
            let audits = try harness.graph(
                "/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName%20eq%20'Disable%20account'%20and%20targetResources/any(t:t/id%20eq%20'\(id)')",
                token: token)
            let newest = try #require(audits.values.first?["activityDateTime"] as? String)
            #expect(try #require(GraphTime.parse(newest)) >= started.addingTimeInterval(-1))
        }
    }
}
