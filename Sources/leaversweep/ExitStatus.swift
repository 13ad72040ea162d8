import ArgumentParser
import LeaverSweepKit

/// Exit statuses monitoring can tell apart. Documented in the README; never renumber.
enum ExitStatus: Int32 {
    /// The run completed and nothing is left for a person.
    case success = 0
    /// The run failed (Graph, network, token, state database); the report says what was and was not done.
    case runFailed = 1
    /// The run completed, and some drift needs a person (flagged findings or writes Graph refused).
    case driftNeedsAPerson = 2
    /// The run completed but the report email could not be sent; it stays in the outbox for the next run.
    case mailFailed = 3
    /// The blast-radius guard tripped: nothing was written; the report says why.
    case guardTripped = 4
    /// Another run holds the state database's lock; this one did nothing.
    case anotherRunHoldsTheLock = 5
    /// The configuration is invalid; nothing was contacted.
    case configurationError = 78

    init(_ result: RunResult) {
        if result.failed {
            self = .runFailed
        } else if result.guardTripped {
            self = .guardTripped
        } else if result.mail?.failed == true {
            self = .mailFailed
        } else if result.needsAPerson {
            self = .driftNeedsAPerson
        } else {
            self = .success
        }
    }

    var exitCode: ExitCode { ExitCode(rawValue) }
}
