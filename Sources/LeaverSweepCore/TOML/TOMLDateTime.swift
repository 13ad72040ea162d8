import Foundation

/// Checks the shape of TOML date-times, dates and times (RFC 3339 with TOML's relaxations).
///
/// LeaverSweep keeps date-times as text, but a typo such as `2024-13-01` should still fail at load time,
/// not later when something finally reads the value.
enum TOMLDateTime {
    /// Whether `text` is an offset date-time, local date-time, local date or local time.
    static func isValid(_ text: ArraySlice<UInt8>) -> Bool {
        var reader = Reader(bytes: Array(text))
        if reader.bytes.count > 2, reader.bytes[2] == TOMLByte.colon {
            return reader.readTime() && reader.isAtEnd
        }
        guard reader.readDate() else { return false }
        if reader.isAtEnd { return true }
        // RFC 3339 allows a space instead of T; TOML follows.
        guard reader.read(where: { $0 == UInt8(ascii: "T") || $0 == UInt8(ascii: "t") || $0 == TOMLByte.space }),
              reader.readTime() else { return false }
        if reader.isAtEnd { return true }
        return reader.readOffset() && reader.isAtEnd
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        var isAtEnd: Bool { index == bytes.count }

        mutating func read(where predicate: (UInt8) -> Bool) -> Bool {
            guard index < bytes.count, predicate(bytes[index]) else { return false }
            index += 1
            return true
        }

        mutating func number(digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + digits] {
                guard TOMLByte.isDecimalDigit(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += digits
            return value
        }

        mutating func readDate() -> Bool {
            guard let year = number(digits: 4), read(where: { $0 == TOMLByte.minus }),
                  let month = number(digits: 2), read(where: { $0 == TOMLByte.minus }),
                  let day = number(digits: 2), (1...12).contains(month) else { return false }
            let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let daysInMonth = [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            return (1...daysInMonth).contains(day)
        }

        mutating func readTime() -> Bool {
            guard let hour = number(digits: 2), read(where: { $0 == TOMLByte.colon }),
                  let minute = number(digits: 2), read(where: { $0 == TOMLByte.colon }),
                  let second = number(digits: 2),
                  hour <= 23, minute <= 59, second <= 60  // 60: leap seconds are valid RFC 3339
            else { return false }
            if read(where: { $0 == TOMLByte.dot }) {
                guard read(where: TOMLByte.isDecimalDigit) else { return false }
                while read(where: TOMLByte.isDecimalDigit) {}
            }
            return true
        }

        mutating func readOffset() -> Bool {
            if read(where: { $0 == UInt8(ascii: "Z") || $0 == UInt8(ascii: "z") }) { return true }
            guard read(where: { $0 == TOMLByte.plus || $0 == TOMLByte.minus }),
                  let hour = number(digits: 2), read(where: { $0 == TOMLByte.colon }),
                  let minute = number(digits: 2) else { return false }
            return hour <= 23 && minute <= 59
        }
    }
}
