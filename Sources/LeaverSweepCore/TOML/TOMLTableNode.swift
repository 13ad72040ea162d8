import Foundation

/// The mutable tree the parser builds before freezing it into `TOMLTable` values.
///
/// Whether TOML lets a table be extended depends on how it came to exist (a `[header]`, a dotted key, only as
/// the parent of another header), which the public, immutable model has no reason to carry.
final class TOMLTableNode {
    enum Origin {
        /// Created only as the parent in a header such as `[a.b]`; a later `[a]` may still define it.
        case implicit
        /// Defined by its own `[header]` or `[[header]]`.
        case header
        /// Created by a dotted key such as `a.b = 1`; only more dotted keys (and sub-table headers) may extend it.
        case dotted
        /// An inline table `{ … }` being parsed; frozen into a value once its `}` is read.
        case inline
    }

    enum Child {
        case value(TOMLValue)
        case table(TOMLTableNode)
        case tableArray(TOMLTableArrayNode)

        /// The line reported in "first defined on line N" messages.
        var definitionLine: Int {
            switch self {
            case .value(let value): value.keyLine
            case .table(let table): table.keyLine
            case .tableArray(let array): array.line
            }
        }

        func makeValue() -> TOMLValue {
            switch self {
            case .value(let value):
                value
            case .table(let table):
                table.makeValue()
            case .tableArray(let array):
                TOMLValue(kind: .array(array.tables.map { $0.makeValue() }), line: array.line)
            }
        }
    }

    var origin: Origin
    var line: Int
    var keyLine: Int
    /// Nesting level (the root is 0), kept so the parser can refuse input nested deeper than its limit.
    let depth: Int
    private var keys: [String] = []
    private var children: [String: Child] = [:]

    init(origin: Origin, line: Int, keyLine: Int, depth: Int) {
        self.origin = origin
        self.line = line
        self.keyLine = keyLine
        self.depth = depth
    }

    subscript(key: String) -> Child? {
        children[key]
    }

    /// Adds a new key; callers have checked that it is not already present.
    func add(_ child: Child, for key: String) {
        if children.updateValue(child, forKey: key) == nil {
            keys.append(key)
        }
    }

    func makeTable() -> TOMLTable {
        TOMLTable(entries: keys.compactMap { key in children[key].map { (key: key, value: $0.makeValue()) } })
    }

    func makeValue() -> TOMLValue {
        TOMLValue(kind: .table(makeTable()), line: line, keyLine: keyLine)
    }
}

/// The tables of one `[[name]]` array, in file order; never empty, because the first header creates it.
final class TOMLTableArrayNode {
    let line: Int
    private(set) var tables: [TOMLTableNode]

    init(first: TOMLTableNode) {
        line = first.line
        tables = [first]
    }

    /// The table that headers and keys after the latest `[[name]]` refer to.
    var last: TOMLTableNode { tables[tables.count - 1] }

    func append(_ table: TOMLTableNode) {
        tables.append(table)
    }
}
