import Foundation

/// What one night of directory churn changed, as `POST /_emulator/churn` reports it.
public struct ChurnSummary: Sendable, Equatable {
    /// Users picked: the newly disabled ones plus the renamed ones.
    public var changedUsers: Int
    /// Ids of the users this churn disabled, in pick order.
    public var newlyDisabled: [String]
    public var changedDevices: Int
}

extension TenantState {
    /// A night's worth of HR and helpdesk activity, deterministic for a seed: round(fraction × users) users are
    /// picked; every 10th pick (the 1st, 11th, …) that is enabled is disabled, with the "Disable account" audit
    /// event a real disable leaves; every other pick gets a new displayName. round(fraction × devices) devices
    /// get a new displayName. Every change goes through the change log, so delta queries see it.
    mutating func churn(fraction: Double, seed: UInt64, now: Date) -> ChurnSummary {
        var random = SplitMix64(seed: seed)
        let userPicks = pick(Int((Double(users.count) * fraction).rounded()), of: users.count, &random)
        var disabled: [String] = []
        for (ordinal, index) in userPicks.enumerated() {
            let user = users[index]
            if ordinal % 10 == 0 && user.accountEnabled {
                updateUser(at: index) { $0.accountEnabled = false }
                let domain = user.userPrincipalName.split(separator: "@").last.map(String.init) ?? "contoso.com"
                appendAudit(EmulatedAuditEvent(id: random.guid(), activityDisplayName: "Disable account", activityDateTime: now,
                                               targetUserId: user.id, targetUPN: user.userPrincipalName,
                                               initiatedByUPN: "hr.admin@\(domain)"))
                disabled.append(user.id)
            } else {
                var name = "\(random.pick(Names.first)) \(random.pick(Names.last))"
                if name == user.displayName { name += " Jr." }
                updateUser(at: index) { $0.displayName = name }
            }
        }
        let devicePicks = pick(Int((Double(devices.count) * fraction).rounded()), of: devices.count, &random)
        for index in devicePicks {
            let device = devices[index]
            var name: String
            if device.operatingSystem == "Windows" {
                let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
                name = random.pick(["DESKTOP-", "LAPTOP-", "CONTOSO-"]) + String((0..<7).map { _ in random.pick(alphabet) })
            } else {
                let base = device.displayName.components(separatedBy: " (").first ?? device.displayName
                name = "\(base) (\(2 + random.below(98)))"
            }
            if name == device.displayName { name += "-2" }
            updateDevice(at: index) { $0.displayName = name }
        }
        return ChurnSummary(changedUsers: userPicks.count, newlyDisabled: disabled, changedDevices: devicePicks.count)
    }

    /// `count` distinct positions in `0..<total`, uniformly, in pick order (partial Fisher–Yates).
    private func pick(_ count: Int, of total: Int, _ random: inout SplitMix64) -> ArraySlice<Int> {
        var order = Array(0..<total)
        let wanted = max(0, min(count, total))
        random.shuffle(&order, first: wanted)
        return order.prefix(wanted)
    }
}
