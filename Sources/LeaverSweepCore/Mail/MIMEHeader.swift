import Foundation

/// Header encoding for `MailMessage`: RFC 2047 encoded words, RFC 5322 quoting and folding, RFC 2231 parameters.
///
/// Every function here takes untrusted text and returns a value with no CR, LF or other control character,
/// so nothing a directory or config file contains can end a header early and start another one.
enum MIMEHeader {
    /// Longest encoded word's payload, in bytes: 39 bytes are 52 base64 characters, so a word is 64 characters
    /// (under RFC 2047's 75) and `Subject: ` plus one word still fits in 78 columns.
    static let encodedWordBytes = 39

    /// An unstructured value (Subject): plain when it is printable ASCII, otherwise UTF-8 encoded words.
    static func unstructured(_ text: String) -> String {
        let clean = UntrustedText.clean(text)
        let longestWord = clean.split(separator: " ").map(\.utf8.count).max() ?? 0
        // "=?" in plain text would be taken for the start of an encoded word by the reader's client.
        if clean.unicodeScalars.allSatisfy({ $0.isASCII }), !clean.contains("=?"), longestWord < 900 {
            return clean
        }
        return encodedWords(clean).joined(separator: " ")
    }

    /// A display name: an atom sequence as is, a quoted string when it has specials, encoded words when not ASCII.
    static func phrase(_ text: String) -> String {
        let clean = UntrustedText.clean(text)
        guard clean.unicodeScalars.allSatisfy({ $0.isASCII }), !clean.contains("=?") else {
            return encodedWords(clean).joined(separator: " ")
        }
        let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ ")
        if clean.allSatisfy(atext.contains), !clean.contains("  ") {
            return clean
        }
        return "\"" + clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `=?UTF-8?B?…?=` words, each at most `encodedWordBytes` of UTF-8, split between Unicode scalars so every
    /// word decodes on its own (RFC 2047 §5 forbids splitting a character across words).
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > encodedWordBytes, !chunk.isEmpty {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk.removeAll()
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty {
            words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
        }
        return words
    }

    /// `Name: value`, folded before spaces so lines stay within 78 columns where the value allows it.
    ///
    /// Never folds before the value's first word: a reader would take the line break and the space for part of
    /// the value (Python's `email` reads `Message-ID:` CRLF SP `<id>` as " <id>"). Never leaves a line of only
    /// spaces. A single word longer than the line stays whole on its own line; callers keep such words (message
    /// ids, encoded words, parameters) under 998 characters.
    static func line(_ name: String, _ value: String) -> String {
        var lines: [String] = []
        var current = name + ":"
        var lineHasWord = false
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if lineHasWord, !word.isEmpty, current.utf8.count + 1 + word.utf8.count > 78 {
                lines.append(current)
                current = " " + word
            } else {
                current += " " + word
            }
            lineHasWord = lineHasWord || !word.isEmpty
        }
        lines.append(current)
        return lines.joined(separator: "\r\n")
    }

    /// A MIME parameter such as `filename`: quoted when ASCII, RFC 2231 (`filename*=UTF-8''…`) otherwise, split
    /// into numbered sections (`filename*0*=…; filename*1*=…`) of at most `sectionLength` characters so `line`
    /// can fold between them.
    static func parameter(_ name: String, _ value: String) -> String {
        let clean = String(UntrustedText.clean(value, limit: 150).map { "\"\\/".contains($0) ? "_" : $0 })
        if clean.unicodeScalars.allSatisfy({ $0.isASCII }) {
            return "\(name)=\"\(clean)\""
        }
        let unreserved = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~".utf8)
        // One piece per Unicode scalar, so a section never splits a character's bytes or a `%XX` triplet.
        let pieces = clean.unicodeScalars.map { scalar in
            String(scalar).utf8.map { unreserved.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
        }
        var sections: [String] = []
        var current = "UTF-8''"
        for piece in pieces {
            if current.count + piece.count > sectionLength, !current.hasSuffix("''") {
                sections.append(current)
                current = ""
            }
            current += piece
        }
        sections.append(current)
        if sections.count == 1 { return "\(name)*=\(sections[0])" }
        return sections.enumerated().map { "\(name)*\($0.offset)*=\($0.element)" }.joined(separator: "; ")
    }

    /// Longest RFC 2231 section value: `filename*10*=` plus this still fits a 78-column line.
    static let sectionLength = 60

    /// Base64 in lines of 76 characters (RFC 2045 §6.8), CRLF between them.
    static func base64Lines(_ data: Data) -> String {
        let encoded = Array(data.base64EncodedString().utf8)
        var lines: [String] = []
        var start = 0
        while start < encoded.count {
            let end = min(start + 76, encoded.count)
            lines.append(String(decoding: encoded[start..<end], as: UTF8.self))
            start = end
        }
        return lines.joined(separator: "\r\n")
    }

    /// Text in canonical form: every line break (CR, LF or CRLF) as CRLF, as RFC 2046 requires of text parts.
    static func canonicalLineBreaks(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                if !previousWasCR { result.append("\r") }
                result.append("\n")
            } else if previousWasCR {
                result.append("\n")
                result.append(scalar)
            } else {
                result.append(scalar)
            }
            previousWasCR = scalar == "\r"
        }
        if previousWasCR { result.append("\n") }
        return String(result)
    }
}
