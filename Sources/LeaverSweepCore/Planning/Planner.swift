import Foundation

/// The drift rules, as a pure function of the snapshot, the journal and the policy.
///
/// Like a protocol state machine it returns values and performs nothing: the executor sends the actions, so
/// every rule is testable without a network or a database.
public struct Planner: Sendable {
    public var policy: Policy
    /// The run's clock reading, passed in so the rules stay pure.
    public var now: Date

    /// Graph says a revocation "takes a few minutes" to show in `signInSessionsValidFromDateTime`; after this
    /// long, drift that is still visible means the revocation did not stick, and it is sent again (it is idempotent).
    public static let revocationPropagation: TimeInterval = 3600

    public init(policy: Policy, now: Date) {
        self.policy = policy
        self.now = now
    }

    /// The findings for one disabled user, each with its reaction.
    ///
    /// - Parameter journal: earlier runs' actions by key, so that a write that took effect is never sent twice
    ///   and one Graph refused for good is flagged instead of retried every night.
    public func findings(for leaver: LeaverCase, journal: [String: JournalEntry]) -> [Finding] {
        // Never act on an enabled account, whatever the caller passed in.
        guard !leaver.user.accountEnabled else { return [] }
        let excluded = policy.isExcluded(leaver.user)
        var findings: [Finding] = []

        if let finding = sessionFinding(leaver, journal: journal, excluded: excluded) {
            findings.append(finding)
        }
        for device in leaver.devices.sorted(by: { $0.id < $1.id }) {
            if let finding = deviceFinding(device, leaver: leaver, journal: journal, excluded: excluded) {
                findings.append(finding)
            }
        }
        for assignment in leaver.appRoleAssignments.sorted(by: { $0.id < $1.id }) {
            findings.append(appRoleFinding(assignment, leaver: leaver, journal: journal, excluded: excluded))
        }
        for grant in leaver.delegatedGrants.sorted(by: { $0.id < $1.id }) where grant.isUserConsent(of: leaver.user.id) {
            findings.append(grantFinding(grant, leaver: leaver, journal: journal, excluded: excluded))
        }
        findings += appFindings(leaver, journal: journal, excluded: excluded)
        return findings
    }

    /// Sessions not revoked: tokens issued before the account was disabled still work until revoked.
    /// When the disable time is unknown, or the user has no sessions timestamp, assume not revoked.
    func sessionFinding(_ leaver: LeaverCase, journal: [String: JournalEntry], excluded: Bool) -> Finding? {
        let user = leaver.user
        // Graph writes signInSessionsValidFromDateTime in whole seconds: compare at that precision, or a
        // revocation sent in the same second as the disable would look older than it and be sent again.
        if let validFrom = user.signInSessionsValidFrom, let disabled = leaver.disabledAt,
           validFrom >= Self.wholeSeconds(disabled.at) {
            return nil
        }
        let key = "\(FindingKind.sessionsNotRevoked.rawValue):\(user.id)"
        let action = PlannedAction.revokeSessions(userId: user.id, episodeStart: leaver.firstSeenDisabled, findingKey: key)
        return Finding(
            key: key, kind: .sessionsNotRevoked, user: user, objectId: user.id, objectDisplayName: user.displayName,
            detail: sessionDetail(leaver),
            reaction: excluded ? .excluded : reaction(for: action, leaver: leaver, journal: journal)
        )
    }

    /// Leftover device: enabled and registered to a disabled user.
    func deviceFinding(_ device: DirectoryDevice, leaver: LeaverCase, journal: [String: JournalEntry], excluded: Bool) -> Finding? {
        guard device.accountEnabled else { return nil }
        let key = "\(FindingKind.leftoverDevice.rawValue):\(device.id)"
        let chosen: Reaction
        let detail: String
        if excluded {
            chosen = .excluded
            detail = "enabled device of an excluded account"
        } else if device.isSyncedFromOnPremises {
            chosen = .flag(.disableInOnPremisesAD)
            detail = "synced from on-premises AD (\(device.trustType ?? "unknown trust type")); disable the computer object in AD"
        } else {
            // Graph refuses app-only updates of non-Windows devices; once it has said so, it is the MDM admin's job.
            let action = PlannedAction.disableDevice(
                deviceObjectId: device.id, ownerId: leaver.user.id, episodeStart: leaver.firstSeenDisabled,
                findingKey: key, ifRefused: device.isWindows ? .investigateFailedAction : .disableInMDM
            )
            // Whole seconds on both sides: stored times come back rounded to the millisecond, and "no grace"
            // must never defer a device because of a sub-second difference.
            let graceEnds = Self.wholeSeconds(leaver.disabledAt?.at ?? leaver.firstSeenDisabled).addingTimeInterval(policy.deviceGrace)
            if policy.deviceGrace > 0, journal[action.key] == nil, Self.wholeSeconds(now) < graceEnds {
                chosen = .deferred(action, until: graceEnds)
            } else {
                chosen = reaction(for: action, leaver: leaver, journal: journal)
            }
            detail = "\(device.operatingSystem ?? "unknown OS") device (\(device.trustType ?? "unknown trust type")) still enabled"
        }
        return Finding(
            key: key, kind: .leftoverDevice, user: leaver.user, objectId: device.id,
            objectDisplayName: device.displayName, detail: detail, reaction: chosen
        )
    }

    func appRoleFinding(_ assignment: AppRoleAssignment, leaver: LeaverCase, journal: [String: JournalEntry], excluded: Bool) -> Finding {
        let via = assignment.isInheritedFromGroup
            ? "through group \(assignment.principalDisplayName ?? assignment.principalId); remove the membership"
            : "assigned directly"
        // Assignments inherited from a group carry the group's assignment id, shared by every member.
        let key = "\(FindingKind.appRoleAssignment.rawValue):\(leaver.user.id):\(assignment.id)"
        var chosen: Reaction = excluded ? .excluded : .flag(.reviewAppAccess)
        // Only a direct assignment is the leaver's own to delete; deleting a group's would cut off every member.
        if !excluded, policy.removeAppRoleAssignments, !assignment.isInheritedFromGroup,
           assignment.principalId.caseInsensitiveCompare(leaver.user.id) == .orderedSame {
            let action = PlannedAction.removeAppRoleAssignment(assignmentId: assignment.id, userId: leaver.user.id,
                                                               episodeStart: leaver.firstSeenDisabled, findingKey: key, restore: assignment)
            chosen = appGraceOr(reaction(for: action, leaver: leaver, journal: journal), action, leaver: leaver, journal: journal)
        }
        let app = assignment.resourceDisplayName ?? assignment.resourceId
        return Finding(key: key, kind: .appRoleAssignment, user: leaver.user, objectId: assignment.id,
                       objectDisplayName: app, detail: via, reaction: chosen, app: app)
    }

    func grantFinding(_ grant: DelegatedGrant, leaver: LeaverCase, journal: [String: JournalEntry], excluded: Bool) -> Finding {
        let key = "\(FindingKind.delegatedGrant.rawValue):\(grant.id)"
        var chosen: Reaction = excluded ? .excluded : .flag(.reviewAppAccess)
        if !excluded, policy.removeUserConsentGrants {
            let action = PlannedAction.removeDelegatedGrant(grantId: grant.id, userId: leaver.user.id,
                                                            episodeStart: leaver.firstSeenDisabled, findingKey: key, restore: grant)
            chosen = appGraceOr(reaction(for: action, leaver: leaver, journal: journal), action, leaver: leaver, journal: journal)
        }
        let client = grant.clientDisplayName ?? grant.clientId
        return Finding(key: key, kind: .delegatedGrant, user: leaver.user, objectId: grant.id, objectDisplayName: client,
                       detail: "the user consented to scopes \"\(grant.scope ?? "")\"", reaction: chosen, app: client)
    }

    /// Decides between sending, not re-sending, and handing to a person, from what the journal remembers.
    func reaction(for action: PlannedAction, leaver: LeaverCase, journal: [String: JournalEntry]) -> Reaction {
        guard let entry = journal[action.key] else { return .act(action) }
        switch entry.state {
        case .applied:
            // A write applied before this disable episode began (re-enabled and disabled again between two runs)
            // says nothing about tonight's drift.
            let episodeStart = Self.wholeSeconds(leaver.disabledAt?.at ?? leaver.firstSeenDisabled)
            guard let appliedAt = entry.appliedAt, appliedAt >= episodeStart else { return .act(action) }
            switch action.kind {
            case .revokeSessions:
                return now.timeIntervalSince(appliedAt) < Self.revocationPropagation ? .alreadyApplied(actionKey: action.key) : .act(action)
            case .disableDevice:
                // A device disable shows at once; still enabled means a person enabled it again.
                return .flag(.reviewReenabledDevice)
            case .deactivateAppAccount:
                // Tonight's lookup is live: active again after LeaverSweep deactivated it means someone turned it back on.
                return .flag(.deprovisionInApp)
            case .removeAppRoleAssignment, .removeDelegatedGrant:
                // Removed rows leave the snapshot at once; seen again means it was granted again.
                return .flag(.reviewAppAccess)
            }
        case .failed where entry.failedPermanently:
            return .refusedEarlier(action.ifRefused, actionKey: action.key)
        case .inFlight where action.ifRefused == .disableInMDM:
            // A run died with this write's outcome unknown. For a device Graph refuses to let applications
            // disable, both possible outcomes (refused, or never sent) end with the MDM admin: don't send it twice.
            return .refusedEarlier(action.ifRefused, actionKey: action.key)
        case .failed, .inFlight:
            // The drift is still visible, so an in-flight write did not take effect (or has not yet): both
            // revocation and device disable are idempotent, so sending again is safe.
            return .act(action)
        }
    }

    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    private func sessionDetail(_ leaver: LeaverCase) -> String {
        let validFrom = leaver.user.signInSessionsValidFrom.map(GraphTimestamp.readable) ?? "never revoked"
        guard let disabled = leaver.disabledAt else {
            return "sessions valid from \(validFrom); disable time unknown, assuming not revoked"
        }
        let source = disabled.source == .auditLog ? "per audit log" : "first seen disabled"
        return "sessions valid from \(validFrom), before the account was disabled \(GraphTimestamp.readable(disabled.at)) (\(source))"
    }
}
