import Foundation

/// Seals a token's payload with a SipHash MAC under a per-emulator random key and wraps it in base64url, so clients
/// can neither read positions out of skip and delta tokens nor build their own; `open` refuses anything else.
struct TokenSeal: Sendable {
    private let key0: UInt64
    private let key1: UInt64

    init() {
        var random = SystemRandomNumberGenerator()
        key0 = random.next()
        key1 = random.next()
    }

    func seal(_ payload: String) -> String {
        let sealed = payload + "\n" + String(SipHash24.hash(Array(payload.utf8), key0: key0, key1: key1), radix: 16)
        return Data(sealed.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The payload, or nil for a token this emulator did not seal (another process, tampered, truncated).
    func open(_ token: String) -> String? {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let sealed = String(data: data, encoding: .utf8),
              let macSeparator = sealed.lastIndex(of: "\n") else { return nil }
        let payload = String(sealed[..<macSeparator])
        guard let mac = UInt64(sealed[sealed.index(after: macSeparator)...], radix: 16),
              mac == SipHash24.hash(Array(payload.utf8), key0: key0, key1: key1) else { return nil }
        return payload
    }
}
