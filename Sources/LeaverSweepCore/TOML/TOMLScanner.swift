import Foundation

/// A cursor over the UTF-8 bytes of a TOML text that knows its line and column.
///
/// Every character with meaning in TOML is ASCII, so scanning bytes is simpler and faster than scanning
/// `Character`s; multi-byte scalars only pass through into strings and comments. The text came from a Swift
/// `String`, so it is valid UTF-8, and cutting it at ASCII bytes always leaves valid UTF-8.
///
/// Only `consumeNewline()` moves past a line break, so `line` and the column base stay right.
struct TOMLScanner {
    /// A remembered position, so that an error can point back at where a construct began.
    struct Mark {
        let line: Int
        let offset: Int
        let lineStart: Int
    }

    let bytes: [UInt8]
    var offset: Int
    private(set) var line = 1
    private var lineStart: Int

    init(_ text: String) {
        bytes = Array(text.utf8)
        // A byte-order mark is not content; Windows editors like to add one.
        offset = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        lineStart = offset
    }

    var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    func peek(_ distance: Int) -> UInt8? {
        let index = offset + distance
        return index < bytes.count ? bytes[index] : nil
    }

    var mark: Mark { Mark(line: line, offset: offset, lineStart: lineStart) }

    /// Moves past bytes the caller knows are not line breaks.
    mutating func advance(by count: Int = 1) {
        offset = min(offset + count, bytes.count)
    }

    // MARK: Errors

    /// An error at `mark`, or at the cursor when no mark is given.
    func error(_ message: String, at mark: Mark? = nil) -> TOMLParseError {
        let mark = mark ?? self.mark
        // Count scalars, not bytes (skip UTF-8 continuation bytes), so columns match what editors show.
        var column = 1
        for byte in bytes[mark.lineStart..<mark.offset] where byte & 0xC0 != 0x80 {
            column += 1
        }
        return TOMLParseError(line: mark.line, column: column, message: message)
    }

    /// How the character under the cursor reads in a message: `'x'`, `end of line`, `end of input`.
    var currentDescription: String {
        guard let byte = current else { return "end of input" }
        if isAtLineBreak { return "end of line" }
        if Self.isControl(byte) { return "control character \(Self.scalarName(UInt32(byte)))" }
        let length = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
        let end = min(offset + length, bytes.count)
        return "'\(String(decoding: bytes[offset..<end], as: UTF8.self))'"
    }

    /// Control characters TOML forbids raw in strings and comments: all C0 controls but tab, and DEL.
    static func isControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != TOMLByte.tab) || byte == 0x7F
    }

    static func scalarName(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    // MARK: Whitespace, comments, line ends

    mutating func skipWhitespace() {
        while let byte = current, byte == TOMLByte.space || byte == TOMLByte.tab {
            offset += 1
        }
    }

    /// Whether the cursor is on LF or CRLF; a lone CR is not a line break in TOML but a control character.
    var isAtLineBreak: Bool {
        current == TOMLByte.lineFeed || (current == TOMLByte.carriageReturn && peek(1) == TOMLByte.lineFeed)
    }

    /// Consumes LF or CRLF and starts a new line; returns `false` when not at a line break.
    mutating func consumeNewline() throws(TOMLParseError) -> Bool {
        switch current {
        case TOMLByte.lineFeed?:
            offset += 1
        case TOMLByte.carriageReturn?:
            // A lone CR is not a line break in TOML; accepting it would make line numbers disagree with editors.
            guard peek(1) == TOMLByte.lineFeed else { throw error("a carriage return must be followed by a line feed") }
            offset += 2
        default:
            return false
        }
        line += 1
        lineStart = offset
        return true
    }

    /// Skips a `#` comment up to (not including) the line break.
    mutating func skipComment() throws(TOMLParseError) {
        offset += 1
        while let byte = current, byte != TOMLByte.lineFeed {
            if byte == TOMLByte.carriageReturn, peek(1) == TOMLByte.lineFeed { return }
            if Self.isControl(byte) {
                throw error("\(currentDescription) is not allowed in a comment")
            }
            offset += 1
        }
    }

    /// Requires the rest of the line to be blank or a comment, and moves to the next line.
    mutating func finishLine(after construct: String) throws(TOMLParseError) {
        skipWhitespace()
        if current == TOMLByte.hash { try skipComment() }
        if current == nil { return }
        guard try consumeNewline() else {
            throw error("expected end of line after \(construct), found \(currentDescription)")
        }
    }

    /// Skips whitespace, comments and line breaks, which may all appear between array elements.
    mutating func skipTrivia() throws(TOMLParseError) {
        while true {
            skipWhitespace()
            if current == TOMLByte.hash { try skipComment() }
            guard try consumeNewline() else { return }
        }
    }
}
