import Foundation

/// Which SCIM attribute identifies a departed Entra user's account in a downstream app.
///
/// Raw values are the spellings of the `match` setting (`userName | externalId | email`).
public enum SCIMMatch: String, Sendable, CaseIterable, Equatable {
    case userName
    case externalId
    case email

    /// The attribute path used in the filter (RFC 7643 §4.1).
    public var attributePath: String {
        switch self {
        case .userName: return "userName"
        case .externalId: return "externalId"
        case .email: return "emails.value"
        }
    }

    /// The filter `<attribute> eq "<value>"`, the value written as a JSON string (RFC 7644 §3.4.2.2
    /// defines a filter's string value by RFC 7159), so quotes and backslashes in it cannot end the
    /// string early and turn the rest of a hostile value into filter syntax.
    public func filter(for value: String) -> String {
        "\(attributePath) eq \(Self.jsonString(value))"
    }

    /// Whether `user` carries `value` in this attribute, compared the way RFC 7643 defines the
    /// attribute: `userName` and `emails.value` are `caseExact: false`, `externalId` is `caseExact: true`.
    public func matches(_ user: SCIMUser, value: String) -> Bool {
        switch self {
        case .userName: return Self.equalIgnoringCase(user.userName, value)
        case .externalId: return user.externalId == value
        case .email: return user.emails.contains { Self.equalIgnoringCase($0, value) }
        }
    }

    /// Whether `user` could be an answer to the filter by any server's reading of it (case ignored
    /// everywhere). A resource that fails even this was not selected by the filter at all.
    func looselyMatches(_ user: SCIMUser, value: String) -> Bool {
        switch self {
        case .userName: return Self.equalIgnoringCase(user.userName, value)
        case .externalId: return user.externalId.map { Self.equalIgnoringCase($0, value) } ?? false
        case .email: return user.emails.contains { Self.equalIgnoringCase($0, value) }
        }
    }

    static func equalIgnoringCase(_ a: String, _ b: String) -> Bool {
        a.lowercased() == b.lowercased()
    }

    /// A JSON string literal (RFC 8259 §7): quote, backslash and control characters escaped.
    static func jsonString(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                text += String(format: "\\u%04x", scalar.value)
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}
