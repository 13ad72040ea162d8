import Foundation
import LeaverSweepCore

#if canImport(Glibc)
import Glibc
#endif

/// One run at a time per state database: an exclusive `flock` on `<database>.lock`, held until the process exits.
///
/// flock, not a PID file: the kernel releases it when the holder dies, however it dies, so a stale lock
/// can never block the next night.
public final class RunLock {
    private let descriptor: Int32
    public let path: String

    public init(database: String) throws {
        path = database + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw RunFailure.store("cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            close(fd)
            if busy { throw RunFailure.lockHeld(path) }
            throw RunFailure.store("cannot lock \(path): \(String(cString: strerror(errno)))")
        }
        descriptor = fd
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
