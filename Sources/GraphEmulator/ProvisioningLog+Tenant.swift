import Foundation

extension ProvisioningLog {
    /// Leavers with a "Disable account" event inside retention get records in every provisioned app they are
    /// assigned (directly or through a group); every fourth active user gets refreshes, and a few unassigned
    /// users a skip, as a real log is mostly noise. Leavers disabled before retention have no records left.
    mutating func write(for tenant: EmulatedTenant, apps: [String: ProvisioningApp]) {
        var disabledAt: [String: Date] = [:]
        for event in tenant.auditEvents where event.activityDisplayName == "Disable account" {
            disabledAt[event.targetUserId] = max(disabledAt[event.targetUserId] ?? .distantPast, event.activityDateTime)
        }
        let groups = Dictionary(tenant.groups.map { ($0.id, $0.memberIds) }) { first, _ in first }
        var resourcesOf: [String: Set<String>] = [:]
        for assignment in tenant.appRoleAssignments where apps[assignment.resourceId] != nil {
            let holders = assignment.principalType == "Group" ? groups[assignment.principalId] ?? [] : [assignment.principalId]
            // A user assigned twice (directly and through a group) has one account in the app.
            for holder in holders { resourcesOf[holder, default: []].insert(assignment.resourceId) }
        }
        let firstApp = apps.values.min { $0.servicePrincipal.id < $1.servicePrincipal.id }
        for (index, user) in tenant.users.enumerated() {
            let held = (resourcesOf[user.id] ?? []).sorted().compactMap { apps[$0] }
            if !user.accountEnabled {
                guard let at = disabledAt[user.id], at >= retentionStart else { continue }
                for app in held { leaver(user, disabledAt: at, in: app) }
            } else if index % 4 == 0 {
                for app in held { active(user, in: app) }
            } else if held.isEmpty, index % 61 == 0, let app = firstApp {
                skipped(user, in: app)
            }
        }
    }
}
