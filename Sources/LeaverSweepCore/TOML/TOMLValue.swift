import Foundation

/// One TOML value and where it came from in the source.
///
/// Configuration errors must name the line ("config.toml:7: policy.mode: …"), so every value remembers the
/// line it starts on and the line of the key that introduced it. The two differ for the elements of a
/// multi-line array, which report their own line but belong to the key above them.
public struct TOMLValue: Sendable, Equatable {
    public let kind: Kind
    /// 1-based line where the value starts; for tables made by `[header]`s, the header's line.
    public let line: Int
    /// 1-based line of the key that defined the value; for tables made by `[header]`s, the header's line.
    public let keyLine: Int

    public init(kind: Kind, line: Int, keyLine: Int? = nil) {
        self.kind = kind
        self.line = line
        self.keyLine = keyLine ?? line
    }
}

extension TOMLValue {
    /// The value itself.
    ///
    /// Date-times keep their literal text: LeaverSweep does no date math on configuration, and keeping
    /// the text avoids choosing a calendar type the core does not otherwise need.
    public indirect enum Kind: Sendable, Equatable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case boolean(Bool)
        case datetime(String)
        case array([TOMLValue])
        case table(TOMLTable)
    }

    /// The TOML type's name, for messages such as "expected a string, got integer".
    public var typeName: String {
        switch kind {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .datetime: "datetime"
        case .array: "array"
        case .table: "table"
        }
    }
}
