import Foundation

/// The `Date:` header value, `Mon, 23 Nov 2026 02:17:00 +0000`.
///
/// Computed from the instant in UTC with fixed English names: a `DateFormatter` would follow the machine's locale
/// (`lun., 23 nov.`) unless every caller remembered `en_US_POSIX`.
public enum MailDate {
    static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public static func rfc5322(_ date: Date) -> String {
        // GraphTimestamp already does exact proleptic Gregorian arithmetic in UTC; reuse its fields.
        let stamp = Array(GraphTimestamp.format(date).utf8)
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + Int(stamp[$1] - 48) } }
        let (year, month, day) = (number(0..<4), number(5..<7), number(8..<10))
        let time = String(decoding: stamp[11..<19], as: UTF8.self)
        let seconds = Int64((date.timeIntervalSince1970).rounded(.down))
        let daysSinceEpoch = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        // 1970-01-01 was a Thursday.
        let weekday = weekdays[Int(((daysSinceEpoch % 7) + 7) % 7)]
        let dayText = day < 10 ? "0\(day)" : "\(day)"
        return "\(weekday), \(dayText) \(months[month - 1]) \(year) \(time) +0000"
    }
}
