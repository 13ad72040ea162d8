import Foundation

/// Builds Graph request paths with OData query options percent-encoded as Graph expects.
enum GraphQuery {
    /// Unreserved characters plus the OData punctuation Graph documents unencoded in its examples.
    private static let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~,$()':")
    private static let segmentAllowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~@")

    static func path(_ path: String, _ options: [(String, String)]) -> String {
        guard !options.isEmpty else { return path }
        let query = options.map { "\($0.0)=\(encode($0.1))" }.joined(separator: "&")
        return "\(path)?\(query)"
    }

    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// An object id or UPN inside a path: everything but unreserved characters escaped, so `/`, `?` or `#` in
    /// directory data can never change which resource is addressed.
    static func segment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: segmentAllowed) ?? ""
    }
}
