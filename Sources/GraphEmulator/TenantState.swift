import Foundation

/// The emulator's mutable copy of the tenant, indexed for the lookups Graph routes need.
///
/// Users and devices stay sorted by id so listing is keyset paging over a sorted array (stable under writes
/// between pages). Only ever touched with the emulator's lock held.
struct TenantState {
    private(set) var users: [EmulatedUser]
    private(set) var devices: [EmulatedDevice]
    private var userById: [String: Int] = [:]
    private var userByUPN: [String: Int] = [:]
    private(set) var deviceLookup: DeviceIndex
    /// Every user and device mutation, for delta queries.
    private(set) var changes = ChangeLog()
    private(set) var assignments: [String: EmulatedAppRoleAssignment] = [:]
    private(set) var grants: [String: EmulatedGrant] = [:]
    /// Lower-cased principal id → lower-cased ids; the client asks per leaver, so avoid full scans.
    private var assignmentIdsByPrincipal: [String: Set<String>] = [:]
    private var grantIdsByPrincipal: [String: Set<String>] = [:]
    /// Lower-cased user id → ids of the groups the user is a direct member of.
    private var groupIdsByMember: [String: Set<String>] = [:]
    /// Lower-cased group id → group.
    private(set) var groups: [String: EmulatedGroup] = [:]
    /// Ascending by (time, id); readers reverse it for Graph's newest-first order.
    private(set) var auditEvents: [EmulatedAuditEvent]
    /// Sorted by id, for keyset paging of `/servicePrincipals`.
    let servicePrincipals: [EmulatedServicePrincipal]
    /// Lower-cased service principal id and appId → position in `servicePrincipals`.
    let servicePrincipalIndex: [String: Int]
    let servicePrincipalByAppId: [String: Int]
    /// Lower-cased service principal id → its jobs, sorted by job id.
    let synchronizationJobs: [String: [EmulatedSynchronizationJob]]
    /// Ascending by (time, id), like `auditEvents`.
    let provisioningEvents: [EmulatedProvisioningEvent]

    init(_ tenant: EmulatedTenant) {
        users = tenant.users.sorted { $0.id < $1.id }
        devices = tenant.devices.sorted { $0.id < $1.id }
        auditEvents = tenant.auditEvents.sorted(by: Self.auditOrder)
        servicePrincipals = tenant.servicePrincipals.sorted { $0.id < $1.id }
        servicePrincipalIndex = Dictionary(servicePrincipals.enumerated().map { ($1.id.lowercased(), $0) }) { first, _ in first }
        servicePrincipalByAppId = Dictionary(servicePrincipals.enumerated().map { ($1.appId.lowercased(), $0) }) { first, _ in first }
        synchronizationJobs = Dictionary(grouping: tenant.synchronizationJobs.sorted { $0.id < $1.id }) { $0.servicePrincipalId.lowercased() }
        provisioningEvents = tenant.provisioningEvents.sorted {
            $0.activityDateTime == $1.activityDateTime ? $0.id < $1.id : $0.activityDateTime < $1.activityDateTime
        }
        deviceLookup = DeviceIndex(devices)
        rebuildUserIndex()
        for assignment in tenant.appRoleAssignments {
            assignments[assignment.id.lowercased()] = assignment
            assignmentIdsByPrincipal[assignment.principalId.lowercased(), default: []].insert(assignment.id.lowercased())
        }
        for group in tenant.groups {
            groups[group.id.lowercased()] = group
            for member in group.memberIds { groupIdsByMember[member.lowercased(), default: []].insert(group.id.lowercased()) }
        }
        for grant in tenant.grants {
            grants[grant.id.lowercased()] = grant
            if let principal = grant.principalId {
                grantIdsByPrincipal[principal.lowercased(), default: []].insert(grant.id.lowercased())
            }
        }
    }

    private mutating func rebuildUserIndex() {
        userById = Dictionary(minimumCapacity: users.count)
        userByUPN = Dictionary(minimumCapacity: users.count)
        for (index, user) in users.enumerated() {
            userById[user.id.lowercased()] = index
            userByUPN[user.userPrincipalName.lowercased()] = index
        }
    }

    private static func auditOrder(_ a: EmulatedAuditEvent, _ b: EmulatedAuditEvent) -> Bool {
        a.activityDateTime == b.activityDateTime ? a.id < b.id : a.activityDateTime < b.activityDateTime
    }

    // MARK: Lookups

    /// `/users/{id | userPrincipalName}` accepts either key, case-insensitively.
    func userIndex(_ key: String) -> Int? {
        let lowered = key.lowercased()
        return userById[lowered] ?? userByUPN[lowered]
    }

    func user(_ key: String) -> EmulatedUser? {
        userIndex(key).map { users[$0] }
    }

    /// By object id, or by the alternate key `deviceId` (for `/devices(deviceId='…')`).
    func deviceIndex(objectId: String) -> Int? {
        deviceLookup.position(objectId: objectId)
    }

    func deviceIndex(deviceId: String) -> Int? {
        deviceLookup.position(deviceId: deviceId)
    }

    /// The devices a user registered or owns, sorted by id (`/users/{id}/registeredDevices`).
    func devices(ownedBy userId: String) -> [EmulatedDevice] {
        deviceLookup.positions(ownedBy: userId).map { devices[$0] }
    }

    func assignments(ofPrincipal principalId: String) -> [EmulatedAppRoleAssignment] {
        let ids = assignmentIdsByPrincipal[principalId.lowercased()] ?? []
        return ids.compactMap { assignments[$0] }.sorted { $0.id < $1.id }
    }

    /// What `/users/{id}/appRoleAssignments` can return: the user's own assignments plus, when
    /// `includeGroups`, those made to groups the user is a direct member of — the same objects (same ids)
    /// every member sees. Sorted by id; an assignment appears once even if reachable twice.
    func assignments(ofUser userId: String, includeGroups: Bool) -> [EmulatedAppRoleAssignment] {
        var ids = assignmentIdsByPrincipal[userId.lowercased()] ?? []
        if includeGroups {
            for group in groupIdsByMember[userId.lowercased()] ?? [] { ids.formUnion(assignmentIdsByPrincipal[group] ?? []) }
        }
        return ids.compactMap { assignments[$0] }.sorted { $0.id < $1.id }
    }

    func assignments(ofResource resourceId: String) -> [EmulatedAppRoleAssignment] {
        let wanted = resourceId.lowercased()
        return assignments.values.filter { $0.resourceId.lowercased() == wanted }.sorted { $0.id < $1.id }
    }

    /// Only `Principal` grants naming the user, as `/users/{id}/oauth2PermissionGrants` returns.
    func principalGrants(of userId: String) -> [EmulatedGrant] {
        let ids = grantIdsByPrincipal[userId.lowercased()] ?? []
        return ids.compactMap { grants[$0] }.filter { $0.consentType == "Principal" }.sorted { $0.id < $1.id }
    }

    // MARK: Mutations

    /// Applies `change` and logs the properties it changed (nothing is logged when nothing changed).
    mutating func updateUser(at index: Int, _ change: (inout EmulatedUser) -> Void) {
        let before = users[index]
        change(&users[index])
        let after = users[index]
        if before.userPrincipalName != after.userPrincipalName || before.id != after.id { rebuildUserIndex() }
        changes.record(.users, id: after.id, properties: PropertyDiff.user(before, after))
    }

    mutating func updateDevice(at index: Int, _ change: (inout EmulatedDevice) -> Void) {
        let before = devices[index]
        change(&devices[index])
        let after = devices[index]
        if before.deviceId != after.deviceId || before.registeredOwnerIds != after.registeredOwnerIds || before.id != after.id {
            deviceLookup = DeviceIndex(devices)
        }
        changes.record(.devices, id: after.id, properties: PropertyDiff.device(before, after))
    }

    /// `DELETE /users/{id}` moves a user to deleted items (restorable), which delta reports as `changed`.
    /// O(users) for the index rebuild; deletions are rare next to reads.
    mutating func deleteUser(at index: Int) {
        let removed = users.remove(at: index)
        rebuildUserIndex()
        changes.recordRemoval(.users, id: removed.id, reason: "changed")
    }

    /// `DELETE /devices/{id}` deletes a device for good, which delta reports as `deleted`.
    mutating func deleteDevice(at index: Int) {
        let removed = devices.remove(at: index)
        deviceLookup = DeviceIndex(devices)
        changes.recordRemoval(.devices, id: removed.id, reason: "deleted")
    }

    mutating func appendAudit(_ event: EmulatedAuditEvent) {
        // New events are nearly always the newest, so this is an append in practice.
        let position = auditEvents.lastIndex { !Self.auditOrder(event, $0) }.map { $0 + 1 } ?? 0
        auditEvents.insert(event, at: position)
    }

    @discardableResult
    mutating func removeAssignment(id: String) -> EmulatedAppRoleAssignment? {
        guard let removed = assignments.removeValue(forKey: id.lowercased()) else { return nil }
        assignmentIdsByPrincipal[removed.principalId.lowercased()]?.remove(id.lowercased())
        return removed
    }

    @discardableResult
    mutating func removeGrant(id: String) -> EmulatedGrant? {
        guard let removed = grants.removeValue(forKey: id.lowercased()) else { return nil }
        if let principal = removed.principalId { grantIdsByPrincipal[principal.lowercased()]?.remove(id.lowercased()) }
        return removed
    }
}
