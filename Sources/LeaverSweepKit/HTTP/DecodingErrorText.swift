import Foundation

/// Why a JSON body could not be decoded, for error messages of the Graph and SCIM clients.
enum DecodingErrorText {
    /// The path to the bad field and what was wrong, without dumping the payload (it may hold personal data).
    static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing \(key.stringValue) at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(context.debugDescription) at \(path(context))"
        case .dataCorrupted(let context):
            let at = path(context)
            return at.isEmpty ? context.debugDescription : "\(context.debugDescription) at \(at)"
        @unknown default: return "\(error)"
        }
    }
}
