import Foundation
import LeaverSweepCore

extension NightlyRun {
    struct Reconciled {
        var findings: [ReportedFinding]
        var stoppedBy: Error?
        var guardTripped: String?
    }

    /// Plans from the snapshot and the journal, settles writes a killed run left in flight, sends the rest —
    /// unless the blast-radius guard says this night looks like a mistake.
    func reconcile(store: StateStore, graph: GraphClient, runId: Int64, startedAt: Date, newlyDisabled: (count: Int, users: Int)?,
                   excludedMembers: [String] = [], apps: AppChecks.Outcome? = nil) throws -> Reconciled {
        let journal = try store.journal()
        var policy = Policy(mode: mode, exclusions: configuration.policy.exclude + excludedMembers, deviceGrace: configuration.policy.deviceGrace)
        policy.removeAppRoleAssignments = configuration.policy.removeAppRoleAssignments
        policy.removeUserConsentGrants = configuration.policy.removeUserConsentGrants
        policy.deprovisionApps = Set(configuration.apps.filter { $0.scim?.deprovision == true }.map(\.name))
        policy.appGrace = configuration.policy.appGrace
        let planner = Planner(policy: policy, now: startedAt)
        var findings: [Finding] = []
        var leaverIds = Set<String>()
        try store.forEachLeaverCase(apps: apps?.context) { leaver in
            leaverIds.insert(leaver.user.id)
            findings += planner.findings(for: leaver, journal: journal.mapValues(\.entry))
        }
        let planned = findings.compactMap { finding -> PlannedAction? in
            if case .act(let action) = finding.reaction { return action }
            return nil
        }

        var execution = ExecutionResult()
        let guardTripped = mode.writesToTenant && !acceptMassChange ? blastRadius(planned: planned.count, newlyDisabled: newlyDisabled) : nil
        if let guardTripped { context.log.error(guardTripped) }
        if mode.writesToTenant && guardTripped == nil {
            let checkedApps = Set((apps?.statuses ?? []).filter { $0.source == .scim && $0.health == .ok }.map(\.app))
            try confirmInFlightWrites(journal: journal, findings: findings, leaverIds: leaverIds, checkedApps: checkedApps, store: store, runId: runId)
            var executor = Executor(graph: graph, store: store, runId: runId, now: context.now, log: context.log,
                                    crashAfterWrites: context.environment["LEAVERSWEEP_TEST_CRASH_AFTER_WRITES"].flatMap(Int.init))
            executor.apps = apps?.clients ?? [:]
            execution = executor.execute(planned)
            readBackRevokedUsers(planned, execution, store: store, graph: graph)
            context.log.debug("reconcile: revoked users read back")
        }

        let reported = findings.map { finding in
            var earlier: (at: Date, requestId: String?)?
            var earlierError: GraphErrorInfo?
            var outcome: ActionOutcome?
            switch finding.reaction {
            case .alreadyApplied(let key):
                earlier = journal[key]?.appliedAt.map { ($0, journal[key]?.requestId) }
            case .refusedEarlier(_, let key):
                earlierError = journal[key]?.error
            case .act(let action):
                outcome = execution.outcomes[action.key]
            case .flag, .excluded, .deferred:
                break
            }
            return ReportedFinding(finding: finding, outcome: outcome, earlierApplication: earlier, earlierError: earlierError)
        }
        return Reconciled(findings: reported, stoppedBy: execution.stoppedBy, guardTripped: guardTripped)
    }

    /// Reads revoked users back once, so the snapshot holds Graph's new `signInSessionsValidFromDateTime` (the
    /// nightly delta does not track it). Best effort: what fails here is read again by the next run's snapshot.
    private func readBackRevokedUsers(_ planned: [PlannedAction], _ execution: ExecutionResult, store: StateStore, graph: GraphClient) {
        let revoked = planned.filter { action in
            guard action.kind == .revokeSessions, case .applied? = execution.outcomes[action.key] else { return false }
            return true
        }.map(\.targetId)
        guard !revoked.isEmpty else { return }
        let answers = graph.batch(revoked.map { .user($0) })
        let users = answers.compactMap { answer -> DirectoryUser? in
            guard let body = try? answer.get().body else { return nil }
            return try? JSONDecoder().decode(UserPayload.self, from: body).model()
        }
        do {
            try store.replaceUsers(users)
        } catch {
            context.log.warning("could not store the revoked users read back: \(error)")
        }
    }

    /// App writes' keys end `…:userId:episodeStamp` (see `PlannedAction`).
    static func userId(ofActionKey key: String) -> String? {
        let parts = key.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count >= 3 ? String(parts[parts.count - 2]) : nil
    }

    /// The reason this run must not write, or nil. The newly-disabled check needs a previous snapshot, so on the
    /// very first run only `max_actions` applies.
    func blastRadius(planned: Int, newlyDisabled: (count: Int, users: Int)?) -> String? {
        let limits = configuration.policy
        if planned > limits.maxActions {
            return "blast-radius guard: \(planned) writes planned, more than policy.max_actions = \(limits.maxActions). Nothing was written; review the report, then run once with --accept-mass-change if this is intended."
        }
        if let newly = newlyDisabled, newly.users > 0 {
            let fraction = Double(newly.count) / Double(newly.users)
            if fraction > limits.maxNewlyDisabledFraction {
                let percent = (fraction * 1000).rounded() / 10
                return "blast-radius guard: \(newly.count) of \(newly.users) users (\(percent)%) were disabled since the previous run, more than policy.max_newly_disabled_fraction = \(limits.maxNewlyDisabledFraction). Nothing was written; if HR or a sync did this by mistake, fix it at the source; if it is intended, run once with --accept-mass-change."
            }
        }
        return nil
    }

    /// A write a killed run left `in_flight` is marked applied only when its effect is visible in tonight's
    /// snapshot. Anything else stays in flight: the planner re-sends it, or hands it to a person.
    private func confirmInFlightWrites(journal: [String: JournaledAction], findings: [Finding], leaverIds: Set<String>,
                                       checkedApps: Set<String>, store: StateStore, runId: Int64) throws {
        let openFindingKeys = Set(findings.map(\.key))
        for (key, action) in journal where action.entry.state == .inFlight {
            let visible: Bool
            switch action.kind {
            case .revokeSessions?:
                // Still disabled, and no sessions finding: signInSessionsValidFromDateTime moved past the disable.
                visible = leaverIds.contains(action.targetId)
                    && !openFindingKeys.contains("\(FindingKind.sessionsNotRevoked.rawValue):\(action.targetId)")
            case .disableDevice?:
                visible = try store.deviceIsEnabled(action.targetId) == false
            case .deactivateAppAccount?:
                // Only a live answer from the app tonight proves the account inactive; the key names the app. A user
                // enabled again has no findings at all, which proves nothing: the write stays in flight.
                let checked = checkedApps.contains { action.findingKey.hasPrefix("\(FindingKind.appAccountActive.rawValue):\($0):") }
                visible = checked && Self.userId(ofActionKey: key).map(leaverIds.contains) == true && !openFindingKeys.contains(action.findingKey)
            case .removeAppRoleAssignment?, .removeDelegatedGrant?:
                // Still in the snapshot means not (known to be) removed: the planner sends it again, and 404 settles it.
                visible = !action.findingKey.isEmpty && Self.userId(ofActionKey: key).map(leaverIds.contains) == true
                    && !openFindingKeys.contains(action.findingKey)
            case nil:
                visible = false
            }
            if visible {
                try store.markApplied(key, runId: runId, at: context.now(), requestId: nil, clientRequestId: nil,
                                      note: "confirmed by snapshot after an interrupted run")
            }
        }
    }
}
