import Foundation

extension Planner {
    /// Entra deprovisions a disabled user in its next provisioning cycle ("typically every 20–40 minutes"): give it
    /// two cycles and a margin before an account the logs still show in place counts as lingering.
    public static let provisioningGrace: TimeInterval = 2 * 3600

    /// SCIM accounts still active, accounts Entra provisioned and never took away, and manual checklist lines.
    func appFindings(_ leaver: LeaverCase, journal: [String: JournalEntry], excluded: Bool) -> [Finding] {
        var findings: [Finding] = []
        for account in leaver.appAccounts.sorted(by: { ($0.app, $0.accountId) < ($1.app, $1.accountId) }) where account.active {
            findings.append(appAccountFinding(account, leaver: leaver, journal: journal, excluded: excluded))
        }
        let disabledSince = leaver.disabledAt?.at ?? leaver.firstSeenDisabled
        if now.timeIntervalSince(disabledSince) >= Self.provisioningGrace {
            for account in leaver.provisionedAccounts.sorted(by: { $0.app < $1.app }) where account.stillInPlace {
                findings.append(provisionedFinding(account, leaver: leaver, excluded: excluded))
            }
        }
        // A checklist line is done when acknowledged during this disable episode; a rehire and second leave reopens it.
        let episodeStart = Self.wholeSeconds(leaver.firstSeenDisabled)
        for line in leaver.manualApps.sorted(by: { $0.app < $1.app }) {
            if let acknowledged = line.acknowledgedAt, acknowledged >= episodeStart { continue }
            if let since = line.since, disabledSince < since { continue }
            findings.append(Finding(
                key: "\(FindingKind.manualDeprovisioning.rawValue):\(line.app):\(leaver.user.id)", kind: .manualDeprovisioning,
                user: leaver.user, objectId: leaver.user.id, objectDisplayName: line.app,
                detail: "\(line.owner.map { "owner \($0); " } ?? "")when done: leaversweep ack \"\(line.app)\" \(leaver.user.userPrincipalName)",
                reaction: excluded ? .excluded : .flag(.deprovisionByHand), app: line.app
            ))
        }
        return findings
    }

    /// App writes wait for `policy.appGrace` after the disable, like devices for `deviceGrace`: a mistaken disable
    /// or a rehire should not cost anyone their app access. A write already journaled is never held back.
    func appGraceOr(_ reaction: Reaction, _ action: PlannedAction, leaver: LeaverCase, journal: [String: JournalEntry]) -> Reaction {
        guard case .act = reaction, policy.appGrace > 0, journal[action.key] == nil else { return reaction }
        let graceEnds = Self.wholeSeconds(leaver.disabledAt?.at ?? leaver.firstSeenDisabled).addingTimeInterval(policy.appGrace)
        return Self.wholeSeconds(now) < graceEnds ? .deferred(action, until: graceEnds) : reaction
    }

    func appAccountFinding(_ account: AppAccount, leaver: LeaverCase, journal: [String: JournalEntry], excluded: Bool) -> Finding {
        // The user is part of the key: one account matched by two leavers is two findings, never one.
        let key = "\(FindingKind.appAccountActive.rawValue):\(account.app):\(leaver.user.id):\(account.accountId)"
        var detail = "account \(account.userName ?? account.accountId) is active in the app"
        let chosen: Reaction
        if excluded {
            chosen = .excluded
        } else if !account.checkedTonight {
            // Last known state: never write on it, and keep the finding open rather than call it fixed.
            detail += " (as last seen \(GraphTimestamp.readable(account.checkedAt)); the app could not be checked tonight)"
            chosen = .flag(.deprovisionInApp)
        } else if let ambiguity = account.ambiguity {
            // Deactivating on a match that may be someone else's could lock out a colleague.
            detail += "; not deactivated automatically, because \(ambiguity): check whose account it is"
            chosen = .flag(.deprovisionInApp)
        } else if policy.deprovisionApps.contains(account.app) {
            let action = PlannedAction.deactivateAppAccount(app: account.app, accountId: account.accountId, userId: leaver.user.id,
                                                            episodeStart: leaver.firstSeenDisabled, findingKey: key)
            chosen = appGraceOr(reaction(for: action, leaver: leaver, journal: journal), action, leaver: leaver, journal: journal)
        } else {
            detail += "; deactivate it there, or set deprovision = true for this app"
            chosen = .flag(.deprovisionInApp)
        }
        return Finding(key: key, kind: .appAccountActive, user: leaver.user, objectId: account.accountId,
                       objectDisplayName: account.app, detail: detail, reaction: chosen, app: account.app)
    }

    func provisionedFinding(_ account: ProvisionedAccount, leaver: LeaverCase, excluded: Bool) -> Finding {
        var detail = account.placedAt.map { "Entra provisioned the account (last \(GraphTimestamp.readable($0))) and its logs show no later disable or delete" }
            ?? "Entra's provisioning logs show a failed removal and no successful one since"
        if let failure = account.removalFailure { detail += "; the last attempt failed: \(failure)" }
        if let stalled = account.jobStalled { detail += "; \(stalled)" }
        detail += ". Removed it by hand? leaversweep ack \"\(account.app)\" \(leaver.user.userPrincipalName)"
        return Finding(
            key: "\(FindingKind.provisionedAccountLingering.rawValue):\(account.servicePrincipalId):\(leaver.user.id)",
            kind: .provisionedAccountLingering, user: leaver.user, objectId: account.servicePrincipalId,
            objectDisplayName: account.app, detail: detail,
            reaction: excluded ? .excluded : .flag(.deprovisionInApp), app: account.app
        )
    }
}
