import Foundation

/// Parses TOML 1.0 configuration text into a tree of values that remember their source lines.
///
/// Our own parser rather than a package because configuration errors must name the key and the line
/// ("config.toml:7: policy.mode: …") and existing Swift TOML libraries do not expose value positions.
/// It is strict: anything outside the supported subset is an error, never silently ignored. It never
/// traps on any input and bounds nesting, so hostile or fuzzed input yields a `TOMLParseError`.
public enum TOMLParser {
    /// The deepest nesting of tables and arrays accepted; real configs use 3 or 4 levels, and the bound keeps
    /// input such as ten thousand `[`s from exhausting the stack.
    public static let maxNestingDepth = 64

    /// Parses a whole document; the text is the file's contents, with or without a byte-order mark.
    public static func parse(_ text: String) throws(TOMLParseError) -> TOMLDocument {
        var builder = TOMLDocumentBuilder(text: text, maxDepth: maxNestingDepth)
        return TOMLDocument(root: try builder.build())
    }
}
