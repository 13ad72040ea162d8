/// SplitMix64 (Steele, Lea & Flood): a tiny, fast, seedable generator. The tenant generator uses it instead of
/// `SystemRandomNumberGenerator` so the same seed yields the same tenant on every machine and run.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (modulo bias is irrelevant at these bounds).
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int(next() % UInt64(bound))
    }

    /// Uniform in `[0, 1)`.
    mutating func unit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }

    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    mutating func pick<T>(_ items: [T]) -> T {
        items[below(items.count)]
    }

    /// A version-4-shaped GUID string, lower-case like Graph's ids.
    mutating func guid() -> String {
        let high = next(), low = next()
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(36)
        for nibble in 0..<32 {
            var value = nibble < 16 ? (high >> UInt64(60 - nibble * 4)) & 0xF : (low >> UInt64(60 - (nibble - 16) * 4)) & 0xF
            if nibble == 12 { value = 4 }
            if nibble == 16 { value = 8 | (value & 0x3) }
            if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(digits[Int(value)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
