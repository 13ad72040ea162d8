import Foundation
import Testing
@testable import GraphEmulator

@Suite struct DevicesEndpointTests {
    @Test func expandRegisteredOwnersAddsTypedOwnerReferences() throws {
        let harness = try Harness()
        let result = try harness.graph(
            "/v1.0/devices?$select=id,accountEnabled,operatingSystem,onPremisesSyncEnabled&$expand=registeredOwners($select=id)",
            token: try harness.token())
        #expect(result.status == 200)
        let iPhone = try #require(result.values.first { $0["id"] as? String == Fixture.bobIPhone })
        let owners = try #require(iPhone["registeredOwners"] as? [[String: Any]])
        #expect(owners.count == 1)
        #expect(owners[0]["@odata.type"] as? String == "#microsoft.graph.user")
        #expect(owners[0]["id"] as? String == Fixture.bob)
        #expect(Set(owners[0].keys) == ["@odata.type", "id"])
    }

    @Test func defaultDevicePropertiesIncludeTheReconcilerFields() throws {
        let harness = try Harness()
        let device = try #require(try harness.graph("/v1.0/devices", token: try harness.token()).values.first)
        for name in ["id", "deviceId", "displayName", "accountEnabled", "operatingSystem", "operatingSystemVersion", "trustType",
                     "isManaged", "isCompliant", "onPremisesSyncEnabled", "approximateLastSignInDateTime", "physicalIds"] {
            #expect(device[name] != nil, "missing \(name)")
        }
        #expect(device["registeredOwners"] == nil)
    }

    @Test func expandUsesItsOwnPageCap() throws {
        var options = EmulatorOptions()
        options.pageCapWithExpand = 3
        let harness = try Harness(options: options)
        let token = try harness.token()
        #expect(try harness.graph("/v1.0/devices?$expand=registeredOwners", token: token).values.count == 3)
        #expect(try harness.graph("/v1.0/devices", token: token).values.count == 4)
        let (items, pages) = try harness.collect("/v1.0/devices?$expand=registeredOwners($select=id,userPrincipalName)", token: token)
        #expect(items.count == 4 && pages == 2)
        #expect((items[0]["registeredOwners"] as? [[String: Any]])?.first?["userPrincipalName"] as? String == "alice@contoso.com")
    }

    @Test func registeredOwnersNavigationIsPaged() throws {
        let harness = try Harness()
        let result = try harness.graph("/v1.0/devices/\(Fixture.bobWindows)/registeredOwners", token: try harness.token())
        #expect(result.values.map { $0["id"] as? String } == [Fixture.bob])
        #expect(result.values.first?["@odata.type"] as? String == "#microsoft.graph.user")
    }

    @Test func patchDisablesCloudWindowsDevice() throws {
        let harness = try Harness()
        let result = try harness.graph("PATCH", "/v1.0/devices/\(Fixture.bobWindows)", token: try harness.token(),
                                       body: #"{"accountEnabled": false}"#)
        #expect(result.status == 204)
        #expect(result.body.isEmpty)
        #expect(harness.emulator.device(id: Fixture.bobWindows)?["accountEnabled"] as? Bool == false)
    }

    @Test func patchRefusesNonWindowsAndSyncedDevicesWithoutChangingThem() throws {
        let harness = try Harness()
        let token = try harness.token()
        let iPhone = try harness.graph("PATCH", "/v1.0/devices/\(Fixture.bobIPhone)", token: token, body: #"{"accountEnabled":false}"#)
        #expect(iPhone.status == 400)
        #expect(iPhone.errorCode == "Request_BadRequest")
        #expect(iPhone.errorMessage == "Properties other than ExtendedAttribute1..15 can be modified only on windows devices.")
        let synced = try harness.graph("PATCH", "/v1.0/devices/\(Fixture.bobSynced)", token: token, body: #"{"accountEnabled":false}"#)
        #expect(synced.status == 400)
        #expect(synced.errorMessage == "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.")
        #expect(harness.emulator.device(id: Fixture.bobIPhone)?["accountEnabled"] as? Bool == true)
        #expect(harness.emulator.device(id: Fixture.bobSynced)?["accountEnabled"] as? Bool == true)
    }

    @Test func patchUnknownDeviceIs404AndMalformedBodyIs400() throws {
        let harness = try Harness()
        let token = try harness.token()
        let missing = try harness.graph("PATCH", "/v1.0/devices/00000000-dead-4000-8000-000000000000", token: token,
                                        body: #"{"accountEnabled":false}"#)
        #expect(missing.status == 404)
        #expect(missing.errorCode == "Request_ResourceNotFound")
        let malformed = try harness.graph("PATCH", "/v1.0/devices/\(Fixture.bobWindows)", token: token, body: "{accountEnabled:")
        #expect(malformed.status == 400)
        #expect(malformed.errorCode == "BadRequest")
    }

    @Test func alternateDeviceIdKeyAddressesTheSameDevice() throws {
        let harness = try Harness()
        let result = try harness.graph("PATCH", "/v1.0/devices(deviceId='e2000000-0000-4000-8000-000000000002')",
                                       token: try harness.token(), body: #"{"accountEnabled":false}"#)
        #expect(result.status == 204)
        #expect(harness.emulator.device(id: Fixture.bobWindows)?["accountEnabled"] as? Bool == false)
    }
}
