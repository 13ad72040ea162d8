import Foundation

/// Opaque `$skiptoken` values: base64url of "collection, last key delivered, serial, canonical query" plus a keyed MAC.
///
/// The MAC (SipHash-2-4 with a per-emulator random key) makes tampered or hand-built tokens fail with 400,
/// and binding the query makes a client that drops `$select`/`$filter` from a nextLink fail too —
/// Graph's rule is to follow the whole nextLink, never to rebuild it.
struct SkipTokenCodec: Sendable {
    private let seal = TokenSeal()

    struct Position: Equatable {
        var collection: String
        var afterKey: String
        var canonicalQuery: String
        /// Makes otherwise equal positions encode differently (the endless-paging fault's fresh tokens).
        var serial = 0
    }

    func encode(_ position: Position) -> String {
        let payload = "\(position.collection)\n\(position.afterKey)\n\(position.serial)\n\(position.canonicalQuery)"
        return seal.seal(payload)
    }

    /// nil for anything this emulator did not issue, or issued for a different collection or query.
    func decode(_ token: String, collection: String, canonicalQuery: String) -> Position? {
        guard let payload = seal.open(token) else { return nil }
        let fields = payload.split(separator: "\n", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4, fields[0] == collection, let serial = Int(fields[2]), fields[3] == canonicalQuery else {
            return nil
        }
        return Position(collection: fields[0], afterKey: fields[1], canonicalQuery: fields[3], serial: serial)
    }
}

/// SipHash-2-4 (Aumasson & Bernstein): a small keyed MAC, enough to detect tampering without a crypto library.
enum SipHash24 {
    static func hash(_ message: [UInt8], key0: UInt64, key1: UInt64) -> UInt64 {
        var v0: UInt64 = 0x736f_6d65_7073_6575 ^ key0
        var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ key1
        var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ key0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ key1

        func round() {
            v0 &+= v1; v1 = v1.rotatedLeft(13); v1 ^= v0; v0 = v0.rotatedLeft(32)
            v2 &+= v3; v3 = v3.rotatedLeft(16); v3 ^= v2
            v0 &+= v3; v3 = v3.rotatedLeft(21); v3 ^= v0
            v2 &+= v1; v1 = v1.rotatedLeft(17); v1 ^= v2; v2 = v2.rotatedLeft(32)
        }

        let fullWords = message.count / 8
        for word in 0..<fullWords {
            var m: UInt64 = 0
            for byte in 0..<8 { m |= UInt64(message[word * 8 + byte]) << (8 * UInt64(byte)) }
            v3 ^= m
            round(); round()
            v0 ^= m
        }
        var last = UInt64(message.count & 0xff) << 56
        for byte in 0..<(message.count % 8) { last |= UInt64(message[fullWords * 8 + byte]) << (8 * UInt64(byte)) }
        v3 ^= last
        round(); round()
        v0 ^= last
        v2 ^= 0xff
        round(); round(); round(); round()
        return v0 ^ v1 ^ v2 ^ v3
    }
}

private extension UInt64 {
    func rotatedLeft(_ count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}
