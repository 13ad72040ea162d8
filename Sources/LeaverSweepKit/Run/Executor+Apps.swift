import Foundation
import LeaverSweepCore

extension Executor {
    /// SCIM deactivations, one PATCH each, journaled like Graph writes: in flight (durably) before the request, with
    /// the app's answer after. A few at once per run; the SCIM client honours the app's `Retry-After`.
    func sendToApps(_ actions: [PlannedAction], progress: ExecutionProgress) {
        try? ParallelWork.forEach(actions, threads: 4) { action in
            guard progress.stoppedBy == nil else { return }
            do {
                try progress.stopIfSIGTERM()
                try deactivate(action, progress: progress)
            } catch {
                progress.stop(error)
            }
        }
    }

    private func deactivate(_ action: PlannedAction, progress: ExecutionProgress) throws {
        guard let app = action.app, let client = apps[app] else {
            let info = GraphErrorInfo(httpStatus: nil, code: "app_not_available", message: "no SCIM connection to app \"\(action.app ?? "?")\" tonight",
                                      requestId: nil, clientRequestId: nil)
            progress.record(action.key, .failed(info))
            return
        }
        try store.markInFlight(action, runId: runId, at: now())
        let answer = Result { try client.deactivate(userId: action.targetId) }
        crashIfAsked(progress.answered(1))
        let at = now()
        switch answer {
        case .success:
            try store.journalTogether {
                try store.markApplied(action.key, runId: runId, at: at, requestId: nil, clientRequestId: nil)
                try store.markAppAccountInactive(app: app, accountId: action.targetId, at: at)
            }
            progress.record(action.key, .applied(at: at, requestId: nil))
        case .failure(let error as SCIMError) where error.failure == .notFound:
            // Deleted in the app since tonight's lookup: the account is gone, which is what this write was for.
            try store.journalTogether {
                try store.markApplied(action.key, runId: runId, at: at, requestId: nil, clientRequestId: nil, note: "account not found in the app (404)")
                try store.markAppAccountInactive(app: app, accountId: action.targetId, at: at)
            }
            progress.record(action.key, .applied(at: at, requestId: nil))
        case .failure(let error):
            let info = (error as? SCIMError)?.info
                ?? GraphErrorInfo(httpStatus: nil, code: "scim_error", message: "\(error)", requestId: nil, clientRequestId: nil)
            try store.markFailed(action.key, runId: runId, at: at, error: info)
            progress.record(action.key, .failed(info))
        }
    }
}
