import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM (systemd stopping the unit, an admin's kill) asks the run to stop at the next safe point:
/// between snapshot pages, or after the write in flight has been journaled. SIGKILL needs no handling:
/// the journal makes every point safe.
public enum StopSignal {
    private static let flag = Atomic<Bool>(false)

    public static var requested: Bool { flag.load(ordering: .relaxed) }

    /// Installs the handler; the handler only sets an atomic flag (async-signal-safe). Also unblocks SIGTERM:
    /// a parent may start us with it blocked (some supervisors and test runners do), and a blocked SIGTERM
    /// would let a stop request go unnoticed until the run ends.
    public static func install() {
        signal(SIGTERM) { _ in StopSignal.flag.store(true, ordering: .relaxed) }
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// For tests.
    public static func reset() {
        flag.store(false, ordering: .relaxed)
    }
}
