import Foundation

/// A TOML table: keys and values in the order they appear in the file.
///
/// An array of pairs rather than a dictionary because order matters for humans — error messages and
/// round-tripped reports list keys as the author wrote them. Config tables are small, so lookups scan.
public struct TOMLTable: Sendable, Equatable {
    public var entries: [(key: String, value: TOMLValue)]

    public init(entries: [(key: String, value: TOMLValue)] = []) {
        self.entries = entries
    }

    /// The value for `key`, or `nil` when the table has no such key.
    public subscript(key: String) -> TOMLValue? {
        entries.first { $0.key == key }?.value
    }

    /// The keys in file order.
    public var keys: [String] {
        entries.map(\.key)
    }

    // Written by hand because tuples cannot conform to Equatable, so it cannot be synthesized.
    public static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}
