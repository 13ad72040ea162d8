import Foundation

/// The identity-reports limit (graph.md 5): about 5 requests per 10 seconds per app per tenant, shared by
/// `/auditLogs/directoryAudits` and `/auditLogs/provisioning`. A sliding window over the emulator's clock
/// (wall time plus `advance-clock`), so tests move past it without sleeping.
struct ReportThrottle {
    static let limit = 5
    static let window: TimeInterval = 10
    /// Admitted requests still inside the window, oldest first. Refused requests do not count: the client was
    /// told to wait, and a real token bucket does not charge for a 429.
    private var admitted: [Date] = []

    /// True for the report endpoints the limit covers (decoded segments after `/v1.0`).
    static func covers(_ path: [String]) -> Bool {
        path.count == 2 && path[0].lowercased() == "auditlogs"
            && ["directoryaudits", "provisioning"].contains(path[1].lowercased())
    }

    /// Nil when the request may run (and is counted); otherwise the whole seconds until a slot frees, at least 1.
    mutating func admit(at now: Date) -> Int? {
        admitted.removeAll { now.timeIntervalSince($0) >= Self.window }
        guard admitted.count >= Self.limit, let oldest = admitted.first else {
            admitted.append(now)
            return nil
        }
        return max(1, Int((Self.window - now.timeIntervalSince(oldest)).rounded(.up)))
    }
}
