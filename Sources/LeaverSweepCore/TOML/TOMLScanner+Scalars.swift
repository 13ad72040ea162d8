import Foundation

/// Unquoted values: booleans, integers, floats and date-times.
extension TOMLScanner {
    /// Scans one unquoted value and works out which kind it is.
    ///
    /// The token is cut first (letters, digits and `_+-.:`) and classified afterwards, so that `1979-05-27`
    /// is not read as the integer 1979 followed by garbage.
    mutating func scanBareValue() throws(TOMLParseError) -> TOMLValue.Kind {
        let start = mark
        var end = tokenEnd(from: offset)
        // RFC 3339 allows "1979-05-27 07:32:00"; take the time too when a full date is followed by " hh:".
        if end - offset == 10, TOMLDateTime.isValid(bytes[offset..<end]), end + 3 < bytes.count,
           bytes[end] == TOMLByte.space, TOMLByte.isDecimalDigit(bytes[end + 1]),
           TOMLByte.isDecimalDigit(bytes[end + 2]), bytes[end + 3] == TOMLByte.colon {
            end = tokenEnd(from: end + 1)
        }
        guard end > offset else {
            throw error("expected a value, found \(currentDescription)")
        }
        let token = bytes[offset..<end]
        let kind = try classify(token, at: start)
        offset = end
        return kind
    }

    private func tokenEnd(from index: Int) -> Int {
        var end = index
        while end < bytes.count, Self.isBareValueByte(bytes[end]) { end += 1 }
        return end
    }

    private static func isBareValueByte(_ byte: UInt8) -> Bool {
        TOMLByte.isASCIILetter(byte) || TOMLByte.isDecimalDigit(byte) || byte == TOMLByte.underscore
            || byte == TOMLByte.plus || byte == TOMLByte.minus || byte == TOMLByte.dot || byte == TOMLByte.colon
    }

    private func classify(_ token: ArraySlice<UInt8>, at start: Mark) throws(TOMLParseError) -> TOMLValue.Kind {
        let text = String(decoding: token, as: UTF8.self)
        switch text {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan": return .float(.nan)
        case "-nan": return .float(-.nan)
        default: break
        }
        let bytes = Array(token)
        let looksLikeDate = bytes.count > 4 && bytes[0..<4].allSatisfy(TOMLByte.isDecimalDigit) && bytes[4] == TOMLByte.minus
        let looksLikeTime = bytes.count > 2 && bytes[0..<2].allSatisfy(TOMLByte.isDecimalDigit) && bytes[2] == TOMLByte.colon
        if looksLikeDate || looksLikeTime {
            guard TOMLDateTime.isValid(token) else { throw error("invalid date-time '\(text)'", at: start) }
            return .datetime(text)
        }
        var body = bytes[...]
        let sign = body.first.flatMap { $0 == TOMLByte.plus || $0 == TOMLByte.minus ? $0 : nil }
        if sign != nil { body = body.dropFirst() }
        guard let first = body.first, TOMLByte.isDecimalDigit(first) else {
            // Usually an unquoted string: `mode = enforce`.
            throw error("invalid value '\(text)' (strings must be quoted)", at: start)
        }
        if body.count > 2, first == UInt8(ascii: "0"), let radix = Self.radix(prefix: body[body.startIndex + 1]) {
            guard sign == nil else {
                throw error("invalid integer '\(text)': only decimal integers may have a sign", at: start)
            }
            return .integer(try integer(body.dropFirst(2), radix: radix, negative: false, text: text, at: start))
        }
        if body.contains(where: { $0 == TOMLByte.dot || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            return .float(try float(body, sign: sign, text: text, at: start))
        }
        return .integer(try integer(body, radix: 10, negative: sign == TOMLByte.minus, text: text, at: start))
    }

    private static func radix(prefix: UInt8) -> UInt64? {
        switch prefix {
        case UInt8(ascii: "x"): 16
        case UInt8(ascii: "o"): 8
        case UInt8(ascii: "b"): 2
        default: nil
        }
    }

    /// Digits in `radix` with single underscores only between digits; `nil` when the run breaks those rules.
    private static func digitValues(_ run: ArraySlice<UInt8>, radix: UInt64) -> [UInt64]? {
        guard let first = run.first, let last = run.last,
              first != TOMLByte.underscore, last != TOMLByte.underscore else { return nil }
        var values: [UInt64] = []
        var previous: UInt8 = 0
        for byte in run {
            if byte == TOMLByte.underscore {
                guard previous != TOMLByte.underscore else { return nil }
            } else {
                guard let value = hexDigitValue(byte), UInt64(value) < radix else { return nil }
                values.append(UInt64(value))
            }
            previous = byte
        }
        return values
    }

    private func integer(
        _ run: ArraySlice<UInt8>, radix: UInt64, negative: Bool, text: String, at start: Mark
    ) throws(TOMLParseError) -> Int64 {
        guard let digits = Self.digitValues(run, radix: radix) else {
            throw error("invalid integer '\(text)'", at: start)
        }
        // TOML forbids leading zeros in decimals (is 010 octal?); other radixes may pad with them.
        if radix == 10, digits.count > 1, digits[0] == 0 {
            throw error("invalid integer '\(text)': leading zeros are not allowed", at: start)
        }
        // Accumulate the magnitude unsigned so that Int64.min, whose magnitude Int64 cannot hold, parses.
        let limit = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        var magnitude: UInt64 = 0
        for digit in digits {
            let (shifted, overflowA) = magnitude.multipliedReportingOverflow(by: radix)
            let (sum, overflowB) = shifted.addingReportingOverflow(digit)
            guard !overflowA, !overflowB, sum <= limit else {
                throw error("integer '\(text)' does not fit in 64 bits", at: start)
            }
            magnitude = sum
        }
        if !negative { return Int64(magnitude) }
        return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
    }

    private func float(
        _ body: ArraySlice<UInt8>, sign: UInt8?, text: String, at start: Mark
    ) throws(TOMLParseError) -> Double {
        let isExponent = { (byte: UInt8) in byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") }
        let integerEnd = body.firstIndex { $0 == TOMLByte.dot || isExponent($0) } ?? body.endIndex
        let integerPart = body[body.startIndex..<integerEnd]
        var rest = body[integerEnd...]
        var fraction: ArraySlice<UInt8>?
        if rest.first == TOMLByte.dot {
            let fractionEnd = rest.firstIndex(where: isExponent) ?? rest.endIndex
            fraction = rest[(rest.startIndex + 1)..<fractionEnd]
            rest = rest[fractionEnd...]
        }
        var exponent: ArraySlice<UInt8>?
        if let first = rest.first, isExponent(first) {
            var digits = rest.dropFirst()
            if let exponentSign = digits.first, exponentSign == TOMLByte.plus || exponentSign == TOMLByte.minus {
                digits = digits.dropFirst()
            }
            exponent = digits
        }
        guard let integerDigits = Self.digitValues(integerPart, radix: 10),
              fraction.map({ Self.digitValues($0, radix: 10) != nil }) ?? true,
              exponent.map({ Self.digitValues($0, radix: 10) != nil }) ?? true
        else {
            throw error("invalid float '\(text)': digits must surround '.', follow 'e', and underscores sit between digits", at: start)
        }
        guard integerDigits.count == 1 || integerDigits[0] != 0 else {
            throw error("invalid float '\(text)': leading zeros are not allowed", at: start)
        }
        // The syntax is checked above; Double(_:) then rounds the underscore-free text correctly.
        var literal = sign.map { String(UnicodeScalar($0)) } ?? ""
        literal += String(decoding: body.filter { $0 != TOMLByte.underscore }, as: UTF8.self)
        guard let value = Double(literal), value.isFinite else {
            throw error("float '\(text)' is out of range", at: start)
        }
        return value
    }
}
