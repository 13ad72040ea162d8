import Foundation

/// Where a delta round stands: everything a `$skiptoken` (mid-round) or `$deltatoken` (between rounds) must
/// carry, because Graph encodes the first call's query options in its tokens and clients send nothing else.
struct DeltaCursor: Equatable {
    enum Kind: String {
        /// `$deltatoken` of an `@odata.deltaLink`: the next round reads changes after `upTo`.
        case delta = "d"
        /// `$skiptoken` of an `@odata.nextLink`: this round continues after `afterKey`.
        case skip = "s"
    }

    var kind: Kind
    var collection: DirectoryCollection
    /// Canonical `$select` names joined with commas; empty for the default property set.
    var select: String
    /// The change sequence this round reads after; -1 for the initial round, which lists every object.
    var from: Int
    /// The change sequence this round reads up to (its snapshot); the next deltaLink starts here.
    var upTo: Int
    /// The last id delivered in this round (ids ascend within a round).
    var afterKey: String
    /// The emulator's delta epoch at issue; `POST /_emulator/expire-delta-tokens` moves it on.
    var epoch: Int
    /// Emulator time of issue, whole seconds since 1970; directory sync state lives 7 days.
    var issuedAt: Int
}

/// Opaque delta tokens: base64url of the cursor's fields plus a SipHash MAC with a per-emulator random key,
/// so clients cannot read sequence numbers out of them or hand-build them.
struct DeltaTokenCodec: Sendable {
    private let seal = TokenSeal()

    func encode(_ cursor: DeltaCursor) -> String {
        let fields = [cursor.kind.rawValue, cursor.collection.rawValue, cursor.select, String(cursor.from),
                      String(cursor.upTo), String(cursor.epoch), String(cursor.issuedAt), cursor.afterKey]
        let payload = fields.joined(separator: "\n")
        return seal.seal(payload)
    }

    /// nil for a token this emulator did not issue (another process, tampered, truncated).
    func decode(_ token: String) -> DeltaCursor? {
        guard let payload = seal.open(token) else { return nil }
        let fields = payload.split(separator: "\n", maxSplits: 7, omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 8, let kind = DeltaCursor.Kind(rawValue: fields[0]),
              let collection = DirectoryCollection(rawValue: fields[1]), let from = Int(fields[3]), let upTo = Int(fields[4]),
              let epoch = Int(fields[5]), let issuedAt = Int(fields[6]) else { return nil }
        return DeltaCursor(kind: kind, collection: collection, select: fields[2], from: from, upTo: upTo,
                           afterKey: fields[7], epoch: epoch, issuedAt: issuedAt)
    }
}
