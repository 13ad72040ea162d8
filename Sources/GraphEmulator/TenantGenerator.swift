import Foundation

/// Builds deterministic tenants with every kind of leaver drift, plus the manifest of what a correct client does.
public enum TenantGenerator {
    /// Deterministic for a given spec. Disabled users cycle through the cases so every case appears once
    /// there are a dozen leavers: revocation (done / missed / no audit event) × device (cloud Windows,
    /// non-Windows, synced, already disabled) × app access (own, or through the "All Sales" group). Provisioned
    /// apps (TenantBuilder+Provisioning) add stalled jobs and leavers whose app accounts were never deprovisioned.
    public static func generate(_ spec: TenantSpec) -> (EmulatedTenant, DriftManifest) {
        var builder = TenantBuilder(spec: spec)
        builder.build()
        let tenant = builder.tenant
        return (tenant, DriftManifest(deriving: tenant))
    }
}

/// The mutable working state of one generation run.
struct TenantBuilder {
    let spec: TenantSpec
    var random: SplitMix64
    var tenant = EmulatedTenant()
    let resources: [(id: String, name: String)]
    let delegatedClients: [String]
    let graphResourceId: String
    private static let day: TimeInterval = 86_400

    init(spec: TenantSpec) {
        self.spec = spec
        var seeded = SplitMix64(seed: spec.seed)
        resources = ["Salesforce", "ServiceNow", "Workday", "GitHub Enterprise Cloud", "Adobe Creative Cloud", "Zoom"]
            .map { (seeded.guid(), $0) }
        delegatedClients = (0..<3).map { _ in seeded.guid() }
        graphResourceId = seeded.guid()
        random = seeded
    }

    mutating func build() {
        let count = max(0, spec.users)
        let disabledCount = min(count, Int((Double(count) * max(0, spec.disabledFraction)).rounded()))
        // Partial Fisher–Yates picks which users are leavers; leaverOrdinal[i] is the case number or -1.
        var order = (0..<count).map { Int32($0) }
        var leaverOrdinal = [Int32](repeating: -1, count: count)
        for k in 0..<disabledCount {
            order.swapAt(k, k + random.below(count - k))
            leaverOrdinal[Int(order[k])] = Int32(k)
        }
        tenant.users.reserveCapacity(count)
        tenant.devices.reserveCapacity(Int(Double(count) * spec.devicesPerUser) + count / 50 + 1)
        for index in 0..<count {
            let ordinal = Int(leaverOrdinal[index])
            if ordinal >= 0 { addLeaver(index: index, ordinal: ordinal) } else { addActiveUser(index: index) }
        }
        for _ in 0..<(count / 50) { addDevice(owner: nil, category: .active, firstName: "Shared") }
        addTenantWideGrants()
        addSalesGroup()
        addProvisioning()
    }

    // MARK: Users

    private mutating func newUser(index: Int, guest: Bool = false) -> EmulatedUser {
        let firstIndex = random.below(Names.first.count), lastIndex = random.below(Names.last.count)
        let first = Names.first[firstIndex], last = Names.last[lastIndex]
        let local = "\(Names.mailSafeFirst[firstIndex]).\(Names.mailSafeLast[lastIndex])\(index)"
        var displayName = "\(first) \(last)"
        if spec.hostileNames && index % 17 == 3 { displayName = Names.hostile[(index / 17) % Names.hostile.count] }
        let created: Date? = random.chance(0.03) ? nil : spec.now - TimeInterval(30 + random.below(2_500)) * Self.day
        let synced: Bool? = guest ? nil : random.chance(0.35) ? true : random.chance(0.08) ? false : nil
        let upn = guest ? "\(local)_fabrikam.com#EXT#@\(spec.domain)" : "\(local)@\(spec.domain)"
        return EmulatedUser(
            id: random.guid(), userPrincipalName: upn, displayName: displayName, givenName: first, surname: last,
            mail: guest ? "\(local)@fabrikam.com" : "\(local)@\(spec.domain)", jobTitle: random.pick(Names.jobTitles),
            accountEnabled: true,
            signInSessionsValidFromDateTime: (created ?? spec.now - 3_000 * Self.day) + TimeInterval(random.below(86_400)),
            onPremisesSyncEnabled: synced, userType: guest ? "Guest" : "Member", createdDateTime: created)
    }

    private mutating func addActiveUser(index: Int) {
        let user = newUser(index: index, guest: random.chance(0.03))
        tenant.users.append(user)
        addDevices(for: user) { _ in .active }
        if index % 9 == 0 { addAssignment(to: user) }
        if index % 13 == 0 { addPrincipalGrant(to: user) }
        if index % 29 == 0 { addAudit("Update user", at: recentTime(), for: user) }
        if index % 97 == 5 {
            // Disabled by mistake and re-enabled: a "Disable account" event for an enabled user, to be ignored.
            let disabledAt = recentTime()
            addAudit("Disable account", at: disabledAt, for: user)
            addAudit("Enable account", at: disabledAt + 3_600, for: user)
        }
    }

    private mutating func addLeaver(index: Int, ordinal: Int) {
        var user = newUser(index: index)
        user.accountEnabled = false
        switch ordinal % 3 {
        case 0: // Properly offboarded: sessions revoked five minutes after the disable.
            let disabledAt = recentTime()
            user.signInSessionsValidFromDateTime = disabledAt + 300
            addAudit("Disable account", at: disabledAt, for: user)
        case 1: // Disabled, revocation missed: sessions predate the disable.
            let disabledAt = recentTime()
            user.signInSessionsValidFromDateTime = disabledAt - 30 * Self.day
            addAudit("Disable account", at: disabledAt, for: user)
        default: // Disabled before audit retention (30 days): no event, so a client must assume not revoked.
            let disabledAt = spec.now - TimeInterval(45 + random.below(355)) * Self.day
            user.signInSessionsValidFromDateTime = ordinal % 2 == 0 ? disabledAt - TimeInterval(1 + random.below(20)) * Self.day
                                                                    : disabledAt + 300
        }
        tenant.users.append(user)
        addDevices(for: user) { deviceOrdinal in
            [.cloudWindows, .mobile, .synced, .alreadyDisabled][(ordinal + deviceOrdinal) % 4]
        }
        if ordinal % 5 == 0 || ordinal % 5 == 1 { addAssignment(to: user) }
        if ordinal % 5 == 1 || ordinal % 5 == 2 { addPrincipalGrant(to: user) }
    }

    /// A moment in the last 25 days with seven-digit fractional seconds, like real audit timestamps.
    private mutating func recentTime() -> Date {
        spec.now - TimeInterval(3_600 + random.below(25 * 86_400 - 3_600)) - Double(random.below(10_000_000)) / 1e7
    }

    private mutating func addAudit(_ activity: String, at time: Date, for user: EmulatedUser) {
        tenant.auditEvents.append(EmulatedAuditEvent(
            id: random.guid(), activityDisplayName: activity, activityDateTime: time, targetUserId: user.id,
            targetUPN: user.userPrincipalName, initiatedByUPN: random.chance(0.5) ? "hr.admin@\(spec.domain)" : ""))
    }

    // MARK: App access

    private mutating func addAssignment(to user: EmulatedUser) {
        let resource = random.pick(resources)
        tenant.appRoleAssignments.append(EmulatedAppRoleAssignment(
            id: random.guid(), appRoleId: random.chance(0.5) ? "00000000-0000-0000-0000-000000000000" : random.guid(),
            principalId: user.id, principalType: "User", principalDisplayName: user.displayName,
            resourceId: resource.id, resourceDisplayName: resource.name,
            creationTimestamp: spec.now - TimeInterval(40 + random.below(900)) * Self.day))
    }

    private mutating func addPrincipalGrant(to user: EmulatedUser) {
        tenant.grants.append(EmulatedGrant(
            id: random.guid(), clientId: random.pick(delegatedClients), consentType: "Principal", principalId: user.id,
            resourceId: graphResourceId, scope: random.pick(["User.Read", "User.Read Mail.Read", "Files.ReadWrite.All offline_access"])))
    }

    /// One admin-consented grant: present, but never attributable to a single leaver.
    private mutating func addTenantWideGrants() {
        tenant.grants.append(EmulatedGrant(
            id: random.guid(), clientId: delegatedClients[0], consentType: "AllPrincipals", principalId: nil,
            resourceId: graphResourceId, scope: "User.Read openid profile"))
    }

    /// "All Sales", assigned to Salesforce, with two or three leavers and a few active users as direct members:
    /// every member sees the same assignment (same id) in its appRoleAssignments. Skipped below two leavers.
    private mutating func addSalesGroup() {
        var disabled = tenant.users.filter { !$0.accountEnabled }.map(\.id)
        var enabled = tenant.users.filter(\.accountEnabled).map(\.id)
        guard disabled.count >= 2 else { return }
        random.shuffle(&disabled, first: 3)
        random.shuffle(&enabled, first: 4)
        let members = Array(disabled.prefix(disabled.count >= 6 ? 3 : 2)) + Array(enabled.prefix(1 + random.below(3)))
        let group = EmulatedGroup(id: random.guid(), displayName: "All Sales", memberIds: members)
        tenant.groups.append(group)
        let resource = resources[0]
        tenant.appRoleAssignments.append(EmulatedAppRoleAssignment(
            id: random.guid(), principalId: group.id, principalType: "Group", principalDisplayName: group.displayName,
            resourceId: resource.id, resourceDisplayName: resource.name, creationTimestamp: spec.now - 400 * Self.day))
    }
}

extension SplitMix64 {
    /// Partial Fisher–Yates: puts `first` uniformly chosen elements (in random order) at the front.
    mutating func shuffle<T>(_ items: inout [T], first: Int) {
        for k in 0..<min(first, items.count) { items.swapAt(k, k + below(items.count - k)) }
    }
}
