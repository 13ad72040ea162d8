import Foundation

/// A path prefix under `/v1.0` that a denial applies to, written as in `EmulatorOptions.deniedEndpoints`:
/// `auditLogs` (a first segment), `auditLogs/provisioning`, or `servicePrincipals/*/synchronization`, where `*`
/// matches any one segment. Matching is case-insensitive, as Graph's routing is.
struct EndpointPattern {
    let segments: [String]

    init(_ text: String) {
        segments = text.split(separator: "/", omittingEmptySubsequences: true).map { $0.lowercased() }
    }

    /// True when `path` (decoded segments after `/v1.0`) starts with this pattern.
    func matches(_ path: [String]) -> Bool {
        guard !segments.isEmpty, path.count >= segments.count else { return false }
        return zip(segments, path).allSatisfy { pattern, segment in pattern == "*" || pattern == segment.lowercased() }
    }

    static func anyMatches(_ patterns: Set<String>, _ path: [String]) -> Bool {
        patterns.contains { EndpointPattern($0).matches(path) }
    }
}
