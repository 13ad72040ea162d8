import Foundation
import LeaverSweepCore

#if canImport(Glibc)
import Glibc
#endif

/// What the executor did, even when it had to stop early.
struct ExecutionResult {
    var outcomes: [String: ActionOutcome] = [:]
    /// Set when the run could not go on (no token, state database error); later actions stay planned.
    var stoppedBy: Error?
}

/// Carries out planned writes in JSON batches of up to 20, a few batches at once. Each batch is journaled in
/// flight (durably) before it is sent and with Graph's answers after, so a crash at any point leaves a journal
/// the next run can reconcile.
struct Executor: @unchecked Sendable {
    let graph: GraphClient
    let store: StateStore
    let runId: Int64
    let now: @Sendable () -> Date
    let log: RunLog
    /// Test hook: kill the process after this many writes were answered but before the answers are journaled —
    /// the worst moment to die — so tests can prove the next run completes the work without repeats.
    let crashAfterWrites: Int?
    /// Lanes of write batches under way at once (the client's concurrency limit still bounds requests in flight).
    /// Kept modest so that SIGTERM or the blast-radius of a bug meets most writes still unsent.
    var threads = 8
    /// Whether to stop at the next safe point; SIGTERM by default, a scripted moment in tests.
    var stopRequested: @Sendable () -> Bool = { StopSignal.requested }
    /// SCIM clients by app name, for `deactivate_app_account` writes.
    var apps: [String: SCIMClient] = [:]

    func execute(_ actions: [PlannedAction]) -> ExecutionResult {
        var result = ExecutionResult()
        guard !actions.isEmpty else { return result }
        let checks: [String: AccountCheck]
        let started = Date()
        do {
            checks = try confirmDisabled(Array(Set(actions.map(\.userId))).sorted())
            log.debug("reconcile: \(checks.count) accounts re-checked in \(RunLog.elapsed(since: started))")
        } catch {
            result.stoppedBy = error
            return result
        }
        var eligible: [PlannedAction] = []
        for action in actions {
            switch checks[action.userId] ?? .unknown(Self.unreadable(action.userId)) {
            case .stillDisabled: eligible.append(action)
            case .enabledOrGone: result.outcomes[action.key] = .skipped(reason: "the account was enabled again (or deleted) during the run")
            case .unknown(let info): result.outcomes[action.key] = .failed(info)
            }
        }

        let progress = ExecutionProgress(stopRequested: stopRequested)
        let graphWrites = eligible.filter(\.kind.isGraphWrite)
        do {
            try send(graphWrites, progress: progress)
        } catch {
            progress.stop(error)
        }
        if progress.stoppedBy == nil {
            sendToApps(eligible.filter { !$0.kind.isGraphWrite }, progress: progress)
        }
        result.outcomes.merge(progress.outcomes) { _, new in new }
        result.stoppedBy = progress.stoppedBy
        log.debug("reconcile: \(progress.sent) writes answered, \(RunLog.elapsed(since: started)) since the re-check began")
        return result
    }

    /// Writes go out in lanes of batches (`GraphClient.streamBatches`): each batch's new writes are journaled in
    /// flight before it is sent, and every answer as it arrives; SIGTERM is checked before every batch.
    private func send(_ writes: [PlannedAction], progress: ExecutionProgress) throws {
        try graph.streamBatches(writes.map(Self.request), lanes: threads,
                                beforeSending: { [store, runId, now] indices in
                                    try store.journalTogether {
                                        for index in indices { try store.markInFlight(writes[index], runId: runId, at: now()) }
                                    }
                                },
                                stopReason: { progress.stopRequest() },
                                answered: { answers in
                                    crashIfAsked(progress.answered(answers.count))
                                    try journal(answers.map { (writes[$0.index], $0.result) }, progress: progress)
                                })
    }

    private func journal(_ answers: [(PlannedAction, Result<GraphResponse, Error>)], progress: ExecutionProgress) throws {
        var stop: Error?
        try store.journalTogether {
            for (action, answer) in answers {
                switch answer {
                case .success(let response):
                    let at = now()
                    try store.markApplied(action.key, runId: runId, at: at, requestId: response.requestId, clientRequestId: response.clientRequestId)
                    try forgetRemoved(action)
                    progress.record(action.key, .applied(at: at, requestId: response.requestId))
                case .failure(RunFailure.graph(let error)) where error.info.httpStatus == 404 && action.kind.isRemoval:
                    // Someone removed it first: the access is gone, which is what this write was for.
                    let at = now()
                    try store.markApplied(action.key, runId: runId, at: at, requestId: error.info.requestId, clientRequestId: error.info.clientRequestId,
                                          note: "already removed (404)")
                    try forgetRemoved(action)
                    progress.record(action.key, .applied(at: at, requestId: error.info.requestId))
                case .failure(RunFailure.graph(let error)):
                    try store.markFailed(action.key, runId: runId, at: now(), error: error.info)
                    progress.record(action.key, .failed(error.info))
                case .failure(RunFailure.transport(let what, let error)):
                    // No answer after bounded retries: the outcome is unknown, so it stays retryable (no HTTP status).
                    let info = GraphErrorInfo(httpStatus: nil, code: "network_error", message: "\(what): \(error)", requestId: nil, clientRequestId: nil)
                    try store.markFailed(action.key, runId: runId, at: now(), error: info)
                    progress.record(action.key, .failed(info))
                case .failure(let error):
                    // Token endpoint down and the like: the write stays in flight and the next run settles it.
                    stop = error
                }
            }
        }
        if let stop { throw stop }
    }

    /// A removed assignment or grant leaves the snapshot in the same transaction as its journal entry: a delta night
    /// re-reads app access only for users who changed, and must not take a row a crash left behind for a re-grant.
    private func forgetRemoved(_ action: PlannedAction) throws {
        switch action.kind {
        case .removeAppRoleAssignment: try store.forgetAppRoleAssignment(id: action.targetId, userId: action.userId)
        case .removeDelegatedGrant: try store.forgetGrant(id: action.targetId)
        case .revokeSessions, .disableDevice, .deactivateAppAccount: break
        }
    }

    static func request(_ action: PlannedAction) -> GraphBatchItem {
        let target = GraphQuery.segment(action.targetId)
        switch action.kind {
        case .revokeSessions:
            return GraphBatchItem("POST", "/users/\(target)/revokeSignInSessions")
        case .disableDevice:
            return GraphBatchItem("PATCH", "/devices/\(target)", json: Data(#"{"accountEnabled":false}"#.utf8))
        case .removeAppRoleAssignment:
            return GraphBatchItem("DELETE", "/users/\(GraphQuery.segment(action.userId))/appRoleAssignments/\(target)")
        case .removeDelegatedGrant:
            return GraphBatchItem("DELETE", "/oauth2PermissionGrants/\(target)")
        case .deactivateAppAccount:
            preconditionFailure("SCIM writes are not sent to Graph")
        }
    }

    enum AccountCheck {
        case stillDisabled
        case enabledOrGone
        /// The check itself failed: don't write without knowing.
        case unknown(GraphErrorInfo)
    }

    /// The snapshot may be minutes or hours old: never act on an account enabled again since. One
    /// `GET /users/{id}?$select=id,accountEnabled` per user, in batches, right before the writes.
    private func confirmDisabled(_ userIds: [String]) throws -> [String: AccountCheck] {
        let answers = graph.batch(userIds.map { .user($0, select: "id,accountEnabled") })
        var checks: [String: AccountCheck] = [:]
        for (userId, answer) in zip(userIds, answers) {
            switch answer {
            case .success(let response):
                guard let user = try? JSONDecoder().decode(UserPayload.self, from: response.body) else {
                    checks[userId] = .unknown(Self.unreadable(userId))
                    continue
                }
                checks[userId] = user.accountEnabled == false ? .stillDisabled : .enabledOrGone
            case .failure(RunFailure.graph(let error)) where error.info.httpStatus == 404:
                checks[userId] = .enabledOrGone  // deleted since the snapshot: nothing left to act on
            case .failure(RunFailure.graph(let error)):
                checks[userId] = .unknown(error.info)
            case .failure(RunFailure.transport(let what, let error)):
                checks[userId] = .unknown(GraphErrorInfo(httpStatus: nil, code: "network_error", message: "\(what): \(error)", requestId: nil, clientRequestId: nil))
            case .failure(let error):
                throw error
            }
        }
        return checks
    }

    static func unreadable(_ userId: String) -> GraphErrorInfo {
        GraphErrorInfo(httpStatus: nil, code: "unreadable_response", message: "could not read accountEnabled for \(userId)", requestId: nil, clientRequestId: nil)
    }

    func crashIfAsked(_ sent: Int) {
        guard let limit = crashAfterWrites, sent >= limit else { return }
        kill(getpid(), SIGKILL)
    }
}

/// Shared by the batches in flight: answers so far, and the first reason to stop.
final class ExecutionProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String: ActionOutcome] = [:]
    private var answeredCount = 0
    private var firstStop: Error?
    private let stopRequested: @Sendable () -> Bool

    init(stopRequested: @escaping @Sendable () -> Bool) { self.stopRequested = stopRequested }

    var outcomes: [String: ActionOutcome] { lock.withLock { recorded } }
    var sent: Int { lock.withLock { answeredCount } }
    var stoppedBy: Error? { lock.withLock { firstStop } }

    func answered(_ count: Int) -> Int { lock.withLock { answeredCount += count; return answeredCount } }
    func record(_ key: String, _ outcome: ActionOutcome) { lock.withLock { recorded[key] = outcome } }
    func stop(_ error: Error) { lock.withLock { if firstStop == nil { firstStop = error } } }

    /// Between batches is a safe point to stop: everything sent so far is journaled.
    func stopRequest() -> Error? {
        stopRequested() ? RunFailure.stopped("stopped by SIGTERM after \(sent) write(s); the rest stay planned for the next run") : nil
    }

    func stopIfSIGTERM() throws {
        if let reason = stopRequest() { throw reason }
    }
}
