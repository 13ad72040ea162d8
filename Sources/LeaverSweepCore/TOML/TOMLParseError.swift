import Foundation

/// Why a TOML text was rejected, and where.
///
/// Line and column are 1-based and point at the offending character, so that an operator can go straight
/// to it; columns count Unicode scalars, which is what editors show for the text found in config files.
public struct TOMLParseError: Error, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// For example `line 3, column 9: expected '=' after key 'mode'`.
    public var description: String {
        "line \(line), column \(column): \(message)"
    }
}
