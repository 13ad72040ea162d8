import Foundation
import Testing
@testable import GraphEmulator

@Suite struct DeviceShardTests {
    static let generated = TenantGenerator.generate(TenantSpec(users: 300, disabledFraction: 0.05, seed: 5, now: Date())).0

    @Test func sixteenStartswithShardsPartitionTheDevices() throws {
        var options = EmulatorOptions()
        options.pageCapWithExpand = 7
        let harness = try Harness(tenant: Self.generated, options: options)
        let token = try harness.token()
        var seen: [String] = []
        for (position, shard) in "0123456789abcdef".enumerated() {
            // Upper case on every other letter: the prefix match is case-insensitive.
            let prefix = position % 2 == 1 ? shard.uppercased() : String(shard)
            let (items, pages) = try harness.collect(
                "/v1.0/devices?$filter=startswith(deviceId,'\(prefix)')&$select=id,deviceId,accountEnabled&$expand=registeredOwners($select=id)",
                token: token)
            let expected = Self.generated.devices.filter { $0.deviceId.hasPrefix(String(shard)) }
            #expect(items.count == expected.count, "shard \(shard)")
            #expect(pages == max(1, (expected.count + 6) / 7), "shard \(shard): $expand keeps its page cap")
            #expect(items.allSatisfy { ($0["deviceId"] as? String)?.hasPrefix(String(shard)) == true })
            #expect(items.allSatisfy { $0["registeredOwners"] is [[String: Any]] })
            seen += items.compactMap { $0["id"] as? String }
        }
        #expect(seen.count == Self.generated.devices.count)
        #expect(Set(seen) == Set(Self.generated.devices.map(\.id)))
    }

    @Test func startswithCombinesWithTopAndAccountEnabled() throws {
        let harness = try Harness(tenant: Self.generated)
        let token = try harness.token()
        let (items, pages) = try harness.collect(
            "/v1.0/devices?$filter=startswith(deviceId,%20'a')%20and%20accountEnabled%20eq%20false&$top=3&$select=id", token: token)
        let expected = Self.generated.devices.filter { $0.deviceId.hasPrefix("a") && !$0.accountEnabled }
        #expect(items.count == expected.count && !expected.isEmpty)
        #expect(pages == (expected.count + 2) / 3)
        let narrow = try harness.collect("/v1.0/devices?$filter=startswith(deviceId,'Ab')&$select=id,deviceId", token: token).items
        #expect(narrow.count == Self.generated.devices.filter { $0.deviceId.hasPrefix("ab") }.count, "longer prefixes narrow the shard")
        let other = try harness.graph("/v1.0/devices?$filter=startswith(displayName,'D')", token: token)
        #expect(other.status == 400 && other.errorCode == "Request_UnsupportedQuery")
    }

    @Test func countNeedsConsistencyLevelEventual() throws {
        let harness = try Harness(tenant: Self.generated)
        let token = try harness.token()
        let eventual = ["ConsistencyLevel": "eventual"]
        let devices = try harness.graph("/v1.0/devices/$count", token: token, headers: eventual)
        #expect(devices.status == 200)
        #expect(devices.headers["content-type"] == "text/plain")
        #expect(devices.text == String(Self.generated.devices.count))
        let users = try harness.graph("/v1.0/users/$count", token: token, headers: eventual)
        #expect(users.text == String(Self.generated.users.count))
        let shard = try harness.graph("/v1.0/devices/$count?$filter=startswith(deviceId,'b')", token: token, headers: eventual)
        #expect(shard.text == String(Self.generated.devices.filter { $0.deviceId.hasPrefix("b") }.count))
        for path in ["/v1.0/users/$count", "/v1.0/devices/$count"] {
            let plain = try harness.graph(path, token: token)
            #expect(plain.status == 400)
            #expect(plain.errorCode == "Request_BadRequest")
            #expect(plain.errorMessage == "$count is not currently supported.")
        }
    }

    @Test(arguments: ["registeredDevices", "ownedDevices"])
    func aUsersDevicesAreListedAsTypedDirectoryObjects(navigation: String) throws {
        let harness = try Harness()
        let result = try harness.graph("/v1.0/users/bob@contoso.com/\(navigation)?$select=id,operatingSystem", token: try harness.token())
        #expect(result.status == 200)
        #expect(result.values.compactMap { $0["id"] as? String } == [Fixture.bobWindows, Fixture.bobIPhone, Fixture.bobSynced])
        #expect(result.values.allSatisfy { $0["@odata.type"] as? String == "#microsoft.graph.device" })
        #expect(result.values.allSatisfy { Set($0.keys) == ["@odata.type", "id", "operatingSystem"] })
        let carol = try harness.graph("/v1.0/users/\(Fixture.carol)/\(navigation)", token: try harness.token())
        #expect(carol.status == 200 && carol.values.isEmpty)
    }

    @Test func registeredOwnersWithSelectIdReturnsOnlyTheId() throws {
        let harness = try Harness()
        let result = try harness.graph("/v1.0/devices/\(Fixture.bobIPhone)/registeredOwners?$select=id", token: try harness.token())
        #expect(result.status == 200)
        #expect(result.values.map { Set($0.keys) } == [["@odata.type", "id"]])
        #expect(result.values.first?["id"] as? String == Fixture.bob)
    }

    @Test func requestLogCarriesBytesAndBatchFlags() throws {
        let harness = try Harness()
        let token = try harness.token()
        let page = try harness.graph("/v1.0/users?$select=id", token: token)
        let log = try harness.client.send("GET", "/_emulator/requests")
        let records = (try JSONSerialization.jsonObject(with: log.body)) as? [[String: Any]] ?? []
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0["batch"] as? Bool == false })
        #expect(records[1]["responseBytes"] as? Int == page.body.count)
        #expect((records[0]["responseBytes"] as? Int ?? 0) > 0, "the token response counts too")
    }
}
