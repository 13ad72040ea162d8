import Foundation

/// What happened to one planned write in this run.
public enum ActionOutcome: Sendable, Equatable {
    case applied(at: Date, requestId: String?)
    case failed(GraphErrorInfo)
    /// Not sent because a last check showed it must not be (e.g. the account was enabled again during the run).
    case skipped(reason: String)
}

extension ReportedFinding {
    /// Combines the planner's reaction with what the executor did (if anything) into the reported status.
    public init(finding: Finding, outcome: ActionOutcome?, earlierApplication: (at: Date, requestId: String?)? = nil, earlierError: GraphErrorInfo? = nil) {
        self.key = finding.key
        self.kind = finding.kind
        self.user = UserRef(id: finding.user.id, userPrincipalName: finding.user.userPrincipalName, displayName: finding.user.displayName)
        self.object = ObjectRef(id: finding.objectId, displayName: finding.objectDisplayName)
        self.detail = finding.detail
        self.app = finding.app
        self.action = nil
        self.actionKey = nil
        self.humanTask = nil
        self.appliedAt = nil
        self.requestId = nil
        self.error = nil

        switch finding.reaction {
        case .excluded:
            status = .excluded
        case .flag(let task):
            status = .flagged
            humanTask = task
        case .refusedEarlier(let task, let key):
            status = .flagged
            humanTask = task
            actionKey = key
            action = Self.actionKind(ofKey: key)
            error = earlierError
            requestId = earlierError?.requestId
        case .alreadyApplied(let key):
            status = .applied
            actionKey = key
            action = Self.actionKind(ofKey: key)
            appliedAt = earlierApplication.map { GraphTimestamp.format($0.at) }
            requestId = earlierApplication?.requestId
        case .deferred(let planned, let until):
            status = .planned
            action = planned.kind
            actionKey = planned.key
            detail += planned.kind == .disableDevice
                ? " — will be disabled after \(GraphTimestamp.readable(until)) (policy.device_grace)"
                : " — will be sent after \(GraphTimestamp.readable(until)) (policy.app_grace)"
        case .act(let planned):
            action = planned.kind
            actionKey = planned.key
            switch outcome {
            case .applied(let at, let id)?:
                status = .applied
                appliedAt = GraphTimestamp.format(at)
                requestId = id
            case .failed(let info)?:
                status = .failed
                error = info
                requestId = info.requestId
                // A refusal that a retry will not change goes to the person named by the planner.
                if JournalEntry(key: planned.key, state: .failed, httpStatus: info.httpStatus).failedPermanently {
                    humanTask = planned.ifRefused
                }
            case .skipped(let reason)?:
                status = .excluded
                detail += " — not acted on: \(reason)"
            case nil:
                status = .planned
            }
        }
    }

    static func actionKind(ofKey key: String) -> ActionKind? {
        guard let prefix = key.split(separator: ":").first else { return nil }
        return ActionKind(rawValue: String(prefix))
    }
}
