import Foundation

/// In-process twins of the scale control endpoints (`/_emulator/churn`, `expire-delta-tokens`, `advance-clock`),
/// for tests that hold the emulator object.
extension GraphEmulator {
    /// See `POST /_emulator/churn`: disables every 10th picked enabled user, renames the rest and some devices.
    @discardableResult
    public func churn(fraction: Double, seed: UInt64) -> ChurnSummary {
        synchronized { service.state.churn(fraction: fraction, seed: seed, now: Date().addingTimeInterval(clockOffset)) }
    }

    /// Every delta token and delta skiptoken issued so far answers 410 Gone `syncStateNotFound` from now on.
    public func expireDeltaTokens() {
        synchronized { expireDeltaTokensLocked() }
    }

    /// Moves the emulator's clock forward (tokens, audit times, delta token age all follow it).
    public func advanceClock(by seconds: TimeInterval) {
        synchronized { clockOffset += max(0, seconds) }
    }
}
