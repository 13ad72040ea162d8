import Foundation

/// An app's account for a person, as its SCIM endpoint describes it (the RFC 7643 User attributes
/// LeaverSweep needs; everything else in the resource is ignored).
public struct SCIMUser: Sendable, Equatable {
    /// The app's own identifier, used in `/Users/{id}`.
    public var id: String
    public var userName: String
    public var externalId: String?
    /// As the app sent it; `nil` when the app left the attribute out.
    public var active: Bool?
    /// The `value` of every entry in `emails`.
    public var emails: [String]
    public var displayName: String?

    public init(id: String, userName: String, externalId: String? = nil, active: Bool? = nil, emails: [String] = [], displayName: String? = nil) {
        self.id = id
        self.userName = userName
        self.externalId = externalId
        self.active = active
        self.emails = emails
        self.displayName = displayName
    }

    /// Whether the app may still let this person in.
    ///
    /// RFC 7643 §4.1.1 gives `active` no default and leaves its meaning to the app, and many apps do not
    /// support it at all; for them an account that exists is an account that works. So an account without
    /// `active` counts as active: a leaver's access is reported rather than assumed gone.
    public var isActive: Bool { active ?? true }
}

extension SCIMUser: Decodable {
    private enum CodingKeys: String, CodingKey {
        case id, userName, externalId, active, emails, displayName
    }

    private struct Email: Decodable {
        var value: String?
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        userName = try container.decode(String.self, forKey: .userName)
        externalId = try container.decodeIfPresent(String.self, forKey: .externalId)
        displayName = try container.decodeIfPresent(String.self, forKey: .displayName)
        emails = try container.decodeIfPresent([Email].self, forKey: .emails)?.compactMap(\.value) ?? []
        // Some apps send the boolean as a string ("True"); anything else is not an answer we can read.
        if let flag = try? container.decodeIfPresent(Bool.self, forKey: .active) {
            active = flag
        } else if let text = try? container.decodeIfPresent(String.self, forKey: .active) {
            switch text.lowercased() {
            case "true": active = true
            case "false": active = false
            default:
                throw DecodingError.dataCorruptedError(forKey: .active, in: container, debugDescription: "active is neither true nor false")
            }
        } else if container.contains(.active), try !container.decodeNil(forKey: .active) {
            throw DecodingError.dataCorruptedError(forKey: .active, in: container, debugDescription: "active is not a boolean")
        } else {
            active = nil
        }
    }
}
