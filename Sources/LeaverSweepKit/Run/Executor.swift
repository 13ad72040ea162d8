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

/// Carries out planned writes, journaling each before it is sent and after Graph answers.
struct Executor {
    let graph: GraphClient
    let store: StateStore
    let runId: Int64
    let now: @Sendable () -> Date
    let log: RunLog
    /// Test hook: kill the process after this many writes were answered but before the answer is journaled —
    /// the worst moment to die — so tests can prove the next run completes the work without repeats.
    let crashAfterWrites: Int?

    func execute(_ actions: [PlannedAction]) -> ExecutionResult {
        var result = ExecutionResult()
        var sent = 0
        var accountChecks: [String: AccountCheck] = [:]
        for action in actions {
            if StopSignal.requested {
                result.stoppedBy = RunFailure.stopped("stopped by SIGTERM after \(sent) write(s); the rest stay planned for the next run")
                return result
            }
            do {
                // The snapshot may be minutes or hours old: never act on an account enabled again since.
                let check = try accountChecks[action.userId] ?? confirmDisabled(action.userId)
                accountChecks[action.userId] = check
                switch check {
                case .stillDisabled: break
                case .enabledOrGone:
                    result.outcomes[action.key] = .skipped(reason: "the account was enabled again (or deleted) during the run")
                    continue
                case .unknown(let info):
                    result.outcomes[action.key] = .failed(info)
                    continue
                }

                try store.markInFlight(action, runId: runId, at: now())
                do {
                    let response = try send(action)
                    sent += 1
                    crashIfAsked(sent)
                    let at = now()
                    try store.markApplied(action.key, runId: runId, at: at, requestId: response.requestId, clientRequestId: response.clientRequestId)
                    result.outcomes[action.key] = .applied(at: at, requestId: response.requestId)
                } catch RunFailure.graph(let error) {
                    sent += 1
                    crashIfAsked(sent)
                    try store.markFailed(action.key, runId: runId, at: now(), error: error.info)
                    result.outcomes[action.key] = .failed(error.info)
                } catch RunFailure.transport(let what, let error) {
                    // No answer after bounded retries: the outcome is unknown, so it stays retryable (no HTTP status).
                    let info = GraphErrorInfo(httpStatus: nil, code: "network_error", message: "\(what): \(error)", requestId: nil, clientRequestId: nil)
                    try store.markFailed(action.key, runId: runId, at: now(), error: info)
                    result.outcomes[action.key] = .failed(info)
                }
            } catch {
                // Token endpoint down, state database unwritable: stop, and say how far we got.
                result.stoppedBy = error
                return result
            }
        }
        return result
    }

    enum AccountCheck {
        case stillDisabled
        case enabledOrGone
        /// The check itself failed: don't write without knowing.
        case unknown(GraphErrorInfo)
    }

    /// `GET /users/{id}?$select=id,accountEnabled` right before the first write for a user.
    private func confirmDisabled(_ userId: String) throws -> AccountCheck {
        do {
            let response = try graph.send("GET", "/users/\(GraphQuery.segment(userId))?$select=id,accountEnabled")
            let user = try JSONDecoder().decode(UserPayload.self, from: response.body)
            return user.accountEnabled == false ? .stillDisabled : .enabledOrGone
        } catch RunFailure.graph(let error) where error.info.httpStatus == 404 {
            return .enabledOrGone  // deleted since the snapshot: nothing left to act on
        } catch RunFailure.graph(let error) {
            return .unknown(error.info)
        } catch RunFailure.transport(let what, let error) {
            return .unknown(GraphErrorInfo(httpStatus: nil, code: "network_error", message: "\(what): \(error)", requestId: nil, clientRequestId: nil))
        } catch is DecodingError {
            return .unknown(GraphErrorInfo(httpStatus: nil, code: "unreadable_response", message: "could not read accountEnabled for \(userId)", requestId: nil, clientRequestId: nil))
        }
    }

    private func send(_ action: PlannedAction) throws -> GraphResponse {
        let target = GraphQuery.segment(action.targetId)
        switch action.kind {
        case .revokeSessions:
            return try graph.send("POST", "/users/\(target)/revokeSignInSessions")
        case .disableDevice:
            return try graph.send("PATCH", "/devices/\(target)", json: Data(#"{"accountEnabled":false}"#.utf8))
        }
    }

    private func crashIfAsked(_ sent: Int) {
        guard let limit = crashAfterWrites, sent >= limit else { return }
        kill(getpid(), SIGKILL)
    }
}
