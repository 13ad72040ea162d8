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
    private var deviceById: [String: Int] = [:]
    private var deviceByDeviceId: [String: Int] = [:]
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

    init(_ tenant: EmulatedTenant) {
        users = tenant.users.sorted { $0.id < $1.id }
        devices = tenant.devices.sorted { $0.id < $1.id }
        auditEvents = tenant.auditEvents.sorted(by: Self.auditOrder)
        for (index, user) in users.enumerated() {
            userById[user.id.lowercased()] = index
            userByUPN[user.userPrincipalName.lowercased()] = index
        }
        for (index, device) in devices.enumerated() {
            deviceById[device.id.lowercased()] = index
            deviceByDeviceId[device.deviceId.lowercased()] = index
        }
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
        deviceById[objectId.lowercased()]
    }

    func deviceIndex(deviceId: String) -> Int? {
        deviceByDeviceId[deviceId.lowercased()]
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

    mutating func updateUser(at index: Int, _ change: (inout EmulatedUser) -> Void) {
        change(&users[index])
    }

    mutating func updateDevice(at index: Int, _ change: (inout EmulatedDevice) -> Void) {
        change(&devices[index])
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
