import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Timestamp formats Graph uses, done by hand with gmtime/timegm: fast for 100k-row pages and free of
/// DateFormatter locale and thread-safety surprises.
enum GraphTime {
    /// `2026-11-20T10:00:00Z`: whole seconds, as Graph emits most directory timestamps.
    static func seconds(_ date: Date) -> String {
        let parts = components(date)
        return "\(parts.stamp)Z"
    }

    /// `2026-11-20T10:00:00.1234567Z`: seven fractional digits, as audit records carry.
    static func ticks(_ date: Date) -> String {
        let parts = components(date)
        return "\(parts.stamp).\(String(parts.ticks).leftPadded(to: 7))Z"
    }

    /// `2026-11-23T18:00:00` without zone, as in Graph's `innerError.date`.
    static func innerErrorDate(_ date: Date) -> String {
        components(date).stamp
    }

    /// `2026-11-23 18:00:00Z`, the format of `timestamp` in Entra token errors.
    static func tokenErrorTimestamp(_ date: Date) -> String {
        components(date).stamp.replacingOccurrences(of: "T", with: " ") + "Z"
    }

    /// RFC 9110 IMF-fixdate for the `Date` header.
    static func httpDate(_ date: Date) -> String {
        var time = time_t(floor(date.timeIntervalSince1970))
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` or a bare `YYYY-MM-DD`; nil otherwise.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ from: Int, _ length: Int) -> Int? {
            guard from + length <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[from..<(from + length)] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), bytes.count >= 10, bytes[4] == 45, let month = number(5, 2), bytes[7] == 45,
              let day = number(8, 2) else { return nil }
        var hour = 0, minute = 0, second = 0, fraction = 0.0, offset = 0
        var index = 10
        if bytes.count > 10 {
            guard bytes[10] == 84 || bytes[10] == 116, let h = number(11, 2), bytes.count > 13, bytes[13] == 58,
                  let m = number(14, 2) else { return nil }
            hour = h
            minute = m
            index = 16
            if index < bytes.count, bytes[index] == 58 {
                guard let s = number(17, 2) else { return nil }
                second = s
                index = 19
            }
            if index < bytes.count, bytes[index] == 46 {
                var digits = 0, scale = 1.0
                index += 1
                while index < bytes.count, (48...57).contains(bytes[index]) {
                    digits += 1
                    scale /= 10
                    fraction += Double(bytes[index] - 48) * scale
                    index += 1
                }
                guard digits > 0 else { return nil }
            }
            guard index < bytes.count else { return nil }
            if bytes[index] == 90 || bytes[index] == 122 {
                index += 1
            } else if bytes[index] == 43 || bytes[index] == 45, let oh = number(index + 1, 2),
                      index + 3 < bytes.count, bytes[index + 3] == 58, let om = number(index + 4, 2) {
                offset = (oh * 3600 + om * 60) * (bytes[index] == 43 ? 1 : -1)
                index += 6
            } else {
                return nil
            }
            guard index == bytes.count else { return nil }
        }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let epoch = timegm(&parts)
        return Date(timeIntervalSince1970: Double(epoch - offset) + fraction)
    }

    private static func components(_ date: Date) -> (stamp: String, ticks: Int) {
        let interval = date.timeIntervalSince1970
        let whole = floor(interval)
        var time = time_t(whole)
        var parts = tm()
        gmtime_r(&time, &parts)
        let ticks = min(9_999_999, Int(((interval - whole) * 10_000_000).rounded()))
        let stamp = "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
        return (stamp, ticks)
    }

    private static func two(_ value: Int32) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
