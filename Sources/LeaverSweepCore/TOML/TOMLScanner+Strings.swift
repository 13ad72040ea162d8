import Foundation

/// The four TOML string forms. Each scanner starts with the cursor on the opening quote.
extension TOMLScanner {
    /// Whether the cursor is on three `delimiter`s, which open a multi-line string.
    func isAtTripleQuote(_ delimiter: UInt8) -> Bool {
        current == delimiter && peek(1) == delimiter && peek(2) == delimiter
    }

    /// `"…"`: escapes allowed, no raw line breaks or control characters.
    mutating func scanBasicString() throws(TOMLParseError) -> String {
        let start = mark
        offset += 1
        var text: [UInt8] = []
        while let byte = current {
            switch byte {
            case TOMLByte.quote:
                offset += 1
                return String(decoding: text, as: UTF8.self)
            case TOMLByte.backslash:
                try scanEscape(into: &text)
            case _ where isAtLineBreak:
                throw error("unterminated string: missing closing '\"' before the end of the line", at: start)
            default:
                try appendContent(byte, to: &text)
            }
        }
        throw error("unterminated string: missing closing '\"'", at: start)
    }

    /// `'…'`: taken verbatim, no escapes, no raw line breaks or control characters.
    mutating func scanLiteralString() throws(TOMLParseError) -> String {
        let start = mark
        offset += 1
        var text: [UInt8] = []
        while let byte = current {
            switch byte {
            case TOMLByte.apostrophe:
                offset += 1
                return String(decoding: text, as: UTF8.self)
            case _ where isAtLineBreak:
                throw error("unterminated string: missing closing \"'\" before the end of the line", at: start)
            default:
                try appendContent(byte, to: &text)
            }
        }
        throw error("unterminated string: missing closing \"'\"", at: start)
    }

    /// `"""…"""` (escapes, line-ending backslash) or `'''…'''` (verbatim), chosen by `delimiter`.
    ///
    /// Line breaks inside are normalized to LF so the value does not depend on how the file was saved.
    mutating func scanMultilineString(delimiter: UInt8) throws(TOMLParseError) -> String {
        let start = mark
        let isBasic = delimiter == TOMLByte.quote
        let name = isBasic ? "\"\"\"" : "'''"
        offset += 3
        // A line break right after the opening delimiter is not content; it lets the text start on its own line.
        _ = try consumeNewline()
        var text: [UInt8] = []
        while let byte = current {
            switch byte {
            case delimiter:
                var run = 0
                while peek(run) == delimiter { run += 1 }
                // Up to two quotes may sit right before the closing delimiter and belong to the content.
                guard run <= 5 else {
                    throw error("too many \(isBasic ? "'\"'" : "\"'\"") characters in a row in a multi-line string (at most 5)")
                }
                offset += run
                guard run >= 3 else {
                    text.append(contentsOf: repeatElement(delimiter, count: run))
                    continue
                }
                text.append(contentsOf: repeatElement(delimiter, count: run - 3))
                return String(decoding: text, as: UTF8.self)
            case TOMLByte.backslash where isBasic:
                if isAtLineEndingBackslash() {
                    try skipLineEndingBackslash()
                } else {
                    try scanEscape(into: &text)
                }
            case TOMLByte.lineFeed, TOMLByte.carriageReturn:
                _ = try consumeNewline()
                text.append(TOMLByte.lineFeed)
            default:
                try appendContent(byte, to: &text)
            }
        }
        throw error("unterminated multi-line string: missing closing \(name)", at: start)
    }

    // MARK: Pieces

    /// Appends one raw content byte, rejecting control characters, which TOML requires to be escaped.
    private mutating func appendContent(_ byte: UInt8, to text: inout [UInt8]) throws(TOMLParseError) {
        guard !Self.isControl(byte) else {
            throw error("\(currentDescription) must be escaped in a string")
        }
        text.append(byte)
        offset += 1
    }

    /// A backslash followed only by spaces or tabs up to the line break trims all whitespace that follows.
    private func isAtLineEndingBackslash() -> Bool {
        var distance = 1
        while let byte = peek(distance), byte == TOMLByte.space || byte == TOMLByte.tab { distance += 1 }
        let next = peek(distance)
        return next == TOMLByte.lineFeed || (next == TOMLByte.carriageReturn && peek(distance + 1) == TOMLByte.lineFeed)
    }

    private mutating func skipLineEndingBackslash() throws(TOMLParseError) {
        offset += 1
        repeat {
            skipWhitespace()
        } while try consumeNewline()
    }

    /// Decodes one escape sequence; the cursor is on the backslash.
    private mutating func scanEscape(into text: inout [UInt8]) throws(TOMLParseError) {
        let start = mark
        offset += 1
        guard let letter = current else { throw error("unterminated escape sequence at the end of input", at: start) }
        let simple: UInt8? = switch letter {
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "t"): 0x09
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "r"): 0x0D
        case TOMLByte.quote: TOMLByte.quote
        case TOMLByte.backslash: TOMLByte.backslash
        default: nil
        }
        if let simple {
            text.append(simple)
            offset += 1
            return
        }
        let digitCount = letter == UInt8(ascii: "u") ? 4 : letter == UInt8(ascii: "U") ? 8 : 0
        guard digitCount > 0 else {
            let shown = letter > 0x20 && letter < 0x7F
                ? "'\\\(Character(Unicode.Scalar(letter)))'" : "a backslash followed by \(currentDescription)"
            throw error("invalid escape sequence: \(shown)", at: start)
        }
        offset += 1
        var value: UInt32 = 0
        for _ in 0..<digitCount {
            guard let byte = current, let digit = Self.hexDigitValue(byte) else {
                throw error("\\\(Character(Unicode.Scalar(letter))) needs exactly \(digitCount) hexadecimal digits", at: start)
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        // Surrogates and values past U+10FFFF are not scalars and cannot be encoded as UTF-8.
        guard let scalar = Unicode.Scalar(value) else {
            throw error("\(Self.scalarName(value)) is not a Unicode scalar value", at: start)
        }
        text.append(contentsOf: String(scalar).utf8)
    }

    static func hexDigitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
