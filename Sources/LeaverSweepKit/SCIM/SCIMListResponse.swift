import Foundation

/// One page of a SCIM query result (`urn:ietf:params:scim:api:messages:2.0:ListResponse`, RFC 7644 §3.4.2).
struct SCIMListResponse: Decodable {
    var totalResults: Int
    /// 1-based index of the first resource on this page, when the app says.
    var startIndex: Int?
    var itemsPerPage: Int?
    /// RFC 7644 lets an app leave `Resources` out when nothing matched.
    var resources: [SCIMUser]

    private enum CodingKeys: String, CodingKey {
        case totalResults, startIndex, itemsPerPage
        case resources = "Resources"
        // Not RFC spelling, but seen in the wild; accepting it costs nothing and loses no account.
        case lowercaseResources = "resources"
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        totalResults = try container.decode(Int.self, forKey: .totalResults)
        startIndex = try container.decodeIfPresent(Int.self, forKey: .startIndex)
        itemsPerPage = try container.decodeIfPresent(Int.self, forKey: .itemsPerPage)
        resources = try container.decodeIfPresent([SCIMUser].self, forKey: .resources)
            ?? container.decodeIfPresent([SCIMUser].self, forKey: .lowercaseResources)
            ?? []
    }
}
