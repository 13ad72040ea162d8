import Foundation

/// A parsed TOML file: the root table and everything under it.
///
/// A separate type from `TOMLTable` so that later additions (the source name, say) have somewhere to go
/// without changing what a table is.
public struct TOMLDocument: Sendable, Equatable {
    public let root: TOMLTable

    public init(root: TOMLTable) {
        self.root = root
    }
}
