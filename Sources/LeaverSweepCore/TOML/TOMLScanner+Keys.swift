import Foundation

/// Keys: bare (`A-Za-z0-9_-`), quoted (`"…"`, `'…'`), and dotted paths of those.
extension TOMLScanner {
    /// One component of a dotted key and where it was written, so errors can point at it.
    struct KeyPart {
        let name: String
        let mark: Mark
    }

    /// Scans `a`, `a.b`, `a . "b.c"`, …; the cursor ends after any whitespace following the key.
    mutating func scanKey() throws(TOMLParseError) -> [KeyPart] {
        var parts: [KeyPart] = []
        while true {
            parts.append(try scanKeyPart())
            skipWhitespace()
            guard current == TOMLByte.dot else { return parts }
            offset += 1
            skipWhitespace()
        }
    }

    private mutating func scanKeyPart() throws(TOMLParseError) -> KeyPart {
        let start = mark
        switch current {
        case TOMLByte.quote?, TOMLByte.apostrophe?:
            let delimiter = bytes[offset]
            guard !isAtTripleQuote(delimiter) else {
                throw error("multi-line strings cannot be used as keys")
            }
            let name = delimiter == TOMLByte.quote ? try scanBasicString() : try scanLiteralString()
            return KeyPart(name: name, mark: start)
        case let byte? where Self.isBareKeyByte(byte):
            while let byte = current, Self.isBareKeyByte(byte) { offset += 1 }
            return KeyPart(name: String(decoding: bytes[start.offset..<offset], as: UTF8.self), mark: start)
        default:
            throw error("expected a key, found \(currentDescription)")
        }
    }

    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        TOMLByte.isASCIILetter(byte) || TOMLByte.isDecimalDigit(byte) || byte == TOMLByte.underscore || byte == TOMLByte.minus
    }

    /// A key path as it would be written in TOML, for messages: `policy.mode`, `site."google.com"`.
    static func display(_ names: some Sequence<String>) -> String {
        names.map { name in
            if !name.isEmpty, name.utf8.allSatisfy(isBareKeyByte) { return name }
            var quoted = "\""
            for scalar in name.unicodeScalars {
                switch scalar {
                case "\"": quoted += "\\\""
                case "\\": quoted += "\\\\"
                case _ where scalar.value < 0x20 || scalar.value == 0x7F: quoted += "\\u" + scalarName(scalar.value).dropFirst(2)
                default: quoted.unicodeScalars.append(scalar)
                }
            }
            return quoted + "\""
        }.joined(separator: ".")
    }

    static func display(_ parts: some Sequence<KeyPart>) -> String {
        display(parts.lazy.map(\.name))
    }
}
