import Foundation

/// SCIM's error body (`urn:ietf:params:scim:api:messages:2.0:Error`, RFC 7644 §3.12), as far as the app sent it.
public struct SCIMErrorDetail: Sendable, Equatable {
    /// The HTTP status the app repeated in the body (a string by the RFC; some apps send a number).
    public var status: String?
    /// RFC 7644's error keyword for 400s (`invalidFilter`, `uniqueness`, `mutability`…).
    public var scimType: String?
    public var detail: String?

    public init(status: String? = nil, scimType: String? = nil, detail: String? = nil) {
        self.status = status
        self.scimType = scimType
        self.detail = detail
    }

    /// Reads the body when it is a SCIM error; nil for anything else (HTML error pages, empty bodies).
    static func parse(_ body: Data) -> SCIMErrorDetail? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return nil }
        let schemas = object["schemas"] as? [String] ?? []
        let status = (object["status"] as? String) ?? (object["status"] as? NSNumber).map { "\($0)" }
        let detail = SCIMErrorDetail(status: status, scimType: object["scimType"] as? String, detail: object["detail"] as? String)
        let isSCIMError = schemas.contains(SCIMClient.errorSchema) || detail.scimType != nil || detail.detail != nil
        return isSCIMError ? detail : nil
    }
}
