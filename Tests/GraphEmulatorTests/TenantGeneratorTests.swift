import Foundation
import Testing
@testable import GraphEmulator

@Suite struct TenantGeneratorTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func sameSeedGivesSameTenantAndDifferentSeedDiffers() {
        let spec = TenantSpec(users: 300, seed: 7, now: Self.now)
        let (first, firstManifest) = TenantGenerator.generate(spec)
        let (second, secondManifest) = TenantGenerator.generate(spec)
        #expect(first == second)
        #expect(firstManifest == secondManifest)
        var other = spec
        other.seed = 8
        #expect(TenantGenerator.generate(other).0.users.map(\.id) != first.users.map(\.id))
    }

    @Test func manifestFollowsTheRulesAndCoversEveryCase() {
        let (tenant, manifest) = TenantGenerator.generate(TenantSpec(users: 400, disabledFraction: 0.05, now: Self.now))
        let users = Dictionary(uniqueKeysWithValues: tenant.users.map { ($0.id, $0) })
        #expect(manifest.disabledUserIds.count == 20)
        #expect(manifest.disabledUserIds == Set(tenant.users.filter { !$0.accountEnabled }.map(\.id)))

        // Revocation: needed when sessions predate the last "Disable account" event, or there is no event.
        var sawRevoked = false, sawMissed = false, sawNoEvent = false
        for id in manifest.disabledUserIds {
            let events = tenant.auditEvents.filter { $0.targetUserId == id && $0.activityDisplayName == "Disable account" }
            let sessions = users[id]!.signInSessionsValidFromDateTime
            if let disabledAt = events.map(\.activityDateTime).max() {
                #expect(manifest.expectedRevocations.contains(id) == (sessions < disabledAt))
                if sessions < disabledAt { sawMissed = true } else { sawRevoked = true }
            } else {
                #expect(manifest.expectedRevocations.contains(id))
                sawNoEvent = true
            }
        }
        #expect(sawRevoked && sawMissed && sawNoEvent)

        let devices = Dictionary(uniqueKeysWithValues: tenant.devices.map { ($0.id, $0) })
        for id in manifest.expectedDeviceDisables {
            let device = devices[id]!
            #expect(device.accountEnabled && device.onPremisesSyncEnabled != true)
            #expect(device.registeredOwnerIds.contains { manifest.disabledUserIds.contains($0) })
        }
        #expect(manifest.nonWindowsLeftoverDevices.isSubset(of: manifest.expectedDeviceDisables))
        #expect(manifest.nonWindowsLeftoverDevices.allSatisfy { devices[$0]!.operatingSystem != "Windows" })
        #expect(manifest.expectedDeviceDisables.subtracting(manifest.nonWindowsLeftoverDevices).allSatisfy {
            devices[$0]!.operatingSystem == "Windows" && devices[$0]!.trustType == "AzureAd"
        })
        #expect(manifest.syncedLeftoverDevices.allSatisfy { devices[$0]!.onPremisesSyncEnabled == true && devices[$0]!.accountEnabled })
        #expect(manifest.syncedLeftoverDevices.isDisjoint(with: manifest.expectedDeviceDisables))
        #expect(!manifest.nonWindowsLeftoverDevices.isEmpty && !manifest.syncedLeftoverDevices.isEmpty)
        #expect(manifest.expectedDeviceDisables.count > manifest.nonWindowsLeftoverDevices.count)
        #expect(tenant.devices.contains { !$0.accountEnabled && $0.registeredOwnerIds.contains(where: manifest.disabledUserIds.contains) })

        #expect(!manifest.usersWithAppAccess.isEmpty && manifest.usersWithAppAccess.isSubset(of: manifest.disabledUserIds))
        #expect(tenant.grants.filter { $0.consentType == "AllPrincipals" }.count == 1)
    }

    @Test func hostileNamesAppearWhenAsked() {
        let (tenant, _) = TenantGenerator.generate(TenantSpec(users: 400, now: Self.now, hostileNames: true))
        #expect(tenant.users.contains { $0.displayName == "<img src=x onerror=alert(1)>" })
        #expect(tenant.users.contains { $0.displayName.count >= 300 } || tenant.devices.contains { $0.displayName.count >= 300 })
    }

    @Test func demoTenantCoversEveryCaseIncludingBreakGlass() throws {
        let (tenant, manifest) = TenantGenerator.demo(now: Self.now)
        #expect((35...45).contains(tenant.users.count))
        let breakGlass = try #require(tenant.users.first { $0.userPrincipalName == "breakglass@contoso.com" })
        #expect(!breakGlass.accountEnabled)
        #expect(tenant.devices.contains { $0.accountEnabled && $0.registeredOwnerIds == [breakGlass.id] })
        #expect(manifest.disabledUserIds.count == 7)
        #expect(!manifest.expectedRevocations.isEmpty && manifest.expectedRevocations.count < manifest.disabledUserIds.count)
        #expect(!manifest.nonWindowsLeftoverDevices.isEmpty && !manifest.syncedLeftoverDevices.isEmpty)
        #expect(!manifest.usersWithAppAccess.isEmpty)
        #expect(TenantGenerator.demo(now: Self.now).0 == tenant)
    }

    @Test func salesGroupGivesLeaversTheSameInheritedAssignment() throws {
        let (tenant, manifest) = TenantGenerator.generate(TenantSpec(users: 400, now: Self.now))
        let group = try #require(tenant.groups.first { $0.displayName == "All Sales" })
        #expect(tenant.groups.count == 1)
        let disabledMembers = Set(group.memberIds.filter(manifest.disabledUserIds.contains))
        #expect(disabledMembers.count >= 2)
        #expect(group.memberIds.contains { !manifest.disabledUserIds.contains($0) })
        let assignment = try #require(tenant.appRoleAssignments.first { $0.principalId == group.id })
        #expect(assignment.principalType == "Group" && assignment.principalDisplayName == "All Sales")
        #expect(assignment.resourceDisplayName == "Salesforce")
        #expect(manifest.groupInheritedAccess == Dictionary(uniqueKeysWithValues: disabledMembers.map { ($0, [assignment.id]) }))
        #expect(disabledMembers.isSubset(of: manifest.usersWithAppAccess))
        #expect(DriftManifest(deriving: tenant) == manifest)

        let (small, smallManifest) = TenantGenerator.generate(TenantSpec(users: 20, disabledFraction: 0.05, now: Self.now))
        #expect(smallManifest.disabledUserIds.count == 1)
        #expect(small.groups.isEmpty && smallManifest.groupInheritedAccess.isEmpty)
        #expect(!small.appRoleAssignments.contains { $0.principalType == "Group" })
    }

    @Test func demoSalesGroupCoversTwoLeaversAndActiveSellers() throws {
        let (tenant, manifest) = TenantGenerator.demo(now: Self.now)
        let group = try #require(tenant.groups.first)
        let users = Dictionary(uniqueKeysWithValues: tenant.users.map { ($0.id, $0) })
        #expect(group.memberIds.filter { users[$0]?.accountEnabled == false }.compactMap { users[$0]?.displayName }
                    == ["Alex Wilber", "Isaiah Langer"])
        #expect(group.memberIds.filter { users[$0]?.accountEnabled == true }.count == 3)
        #expect(manifest.groupInheritedAccess.count == 2)
        #expect(Set(manifest.groupInheritedAccess.values).count == 1)
        #expect(Set(manifest.groupInheritedAccess.keys).isSubset(of: manifest.usersWithAppAccess))
    }

    @Test func generatesTheRequestedSizeAndDisabledFraction() {
        let (tenant, manifest) = TenantGenerator.generate(TenantSpec(users: 20_000, now: Self.now))
        #expect(tenant.users.count == 20_000)
        #expect(manifest.disabledUserIds.count == 1_000)
    }
}
