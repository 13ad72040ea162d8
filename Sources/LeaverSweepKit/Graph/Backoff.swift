import Foundation

/// How long to wait before retrying: Graph's `Retry-After` when given, else capped exponential backoff.
/// Jitter spreads retries of many clients (and of the MSP's many tenant jobs) so they don't return in lockstep.
enum Backoff {
    static let maximumRetryAfter: Double = 300

    static func delay(retryAfter header: String?, attempt: Int) -> Double {
        if let header, let seconds = parseRetryAfter(header) {
            return min(seconds, maximumRetryAfter) + Double.random(in: 0...0.25)
        }
        return exponential(attempt: attempt)
    }

    static func exponential(attempt: Int) -> Double {
        let ceiling = min(32, pow(2, Double(max(0, attempt - 1))))
        return Double.random(in: (ceiling / 2)...ceiling)
    }

    /// Seconds, or an HTTP-date (RFC 9110 allows both).
    static func parseRetryAfter(_ header: String) -> Double? {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0 { return seconds }
        // An HTTP-date is short ASCII; anything else is not one, and DateFormatter leaks on some non-ASCII input.
        guard trimmed.utf8.count <= 64, trimmed.unicodeScalars.allSatisfy(\.isASCII) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let date = formatter.date(from: trimmed) { return max(0, date.timeIntervalSinceNow) }
        return nil
    }
}
