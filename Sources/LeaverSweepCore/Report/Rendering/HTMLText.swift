import Foundation

/// Makes untrusted text safe inside HTML element content and quoted attribute values.
///
/// Directory strings (display names, UPNs, app names, Graph's error messages) are chosen by whoever can edit the
/// directory, so they are treated as hostile: control characters and bidi overrides are removed (an RLO can make
/// `gpj.exe` read as `exe.jpg`), line breaks become spaces, long values are cut, and `& < > " '` are escaped.
public enum HTMLText {
    /// The escaped, cleaned text, cut to `limit` Unicode scalars with an ellipsis.
    public static func safe(_ text: String, limit: Int = 200) -> String {
        escape(UntrustedText.clean(text, limit: limit))
    }

    /// Escapes the five characters that matter in HTML text and attributes; nothing else is changed.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            // `&apos;` is not HTML 4, and Outlook's Word engine is an HTML 4 renderer.
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

/// Cleaning shared by the HTML report, the mail headers and the subject: what to drop from untrusted text.
enum UntrustedText {
    /// Removes control characters and bidi controls, turns tabs and line breaks into spaces, and cuts long values.
    static func clean(_ text: String, limit: Int = .max) -> String {
        var result = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit {
                result.append("…")
                break
            }
            if isLineBreakOrTab(scalar) {
                result.append(" ")
            } else if isInvisibleControl(scalar) {
                continue
            } else {
                result.append(scalar)
            }
            count += 1
        }
        return String(result)
    }

    static func isLineBreakOrTab(_ scalar: Unicode.Scalar) -> Bool {
        [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029].contains(scalar.value)
    }

    static func isInvisibleControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        let isBidiControl = (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
            || value == 0x200E || value == 0x200F || value == 0x061C
        return value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value) || isBidiControl
    }
}
