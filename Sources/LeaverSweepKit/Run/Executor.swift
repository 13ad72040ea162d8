import Foundation
import LeaverSweepCore

#if canImport(Glibc)
import Glibc
#endif

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

    func execute(_ actions: [PlannedAction]) throws -> [String: ActionOutcome] {
        var outcomes: [String: ActionOutcome] = [:]
        var sent = 0
        for action in actions {
            try store.markInFlight(action, runId: runId, at: now())
            do {
                let response = try send(action)
                sent += 1
                crashIfAsked(sent)
                let at = now()
                try store.markApplied(action.key, runId: runId, at: at, requestId: response.requestId, clientRequestId: response.clientRequestId)
                outcomes[action.key] = .applied(at: at, requestId: response.requestId)
                log.debug("applied \(action.key) (request-id \(response.requestId ?? "none"))")
            } catch RunFailure.graph(let error) {
                sent += 1
                crashIfAsked(sent)
                try store.markFailed(action.key, runId: runId, at: now(), error: error.info)
                outcomes[action.key] = .failed(error.info)
                log.debug("failed \(action.key): \(error)")
            } catch RunFailure.transport(let what, let error) {
                // No answer after bounded retries: the outcome is unknown, so it stays retryable (no HTTP status).
                let info = GraphErrorInfo(httpStatus: nil, code: "network_error", message: "\(what): \(error)", requestId: nil, clientRequestId: nil)
                try store.markFailed(action.key, runId: runId, at: now(), error: info)
                outcomes[action.key] = .failed(info)
            }
        }
        return outcomes
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
