import Foundation

/// Reads a TOML text statement by statement and enforces TOML's rules about defining tables and keys.
///
/// Those rules hinge on history — was this table made by a header, a dotted key, or only as a header's
/// parent? — so the builder works on the mutable `TOMLTableNode` tree and freezes it at the end.
struct TOMLDocumentBuilder {
    typealias KeyPart = TOMLScanner.KeyPart

    var scanner: TOMLScanner
    let maxDepth: Int
    private let root: TOMLTableNode
    /// The table that `key = value` lines go into: the root, or the one named by the latest header.
    private var current: TOMLTableNode

    init(text: String, maxDepth: Int) {
        scanner = TOMLScanner(text)
        self.maxDepth = maxDepth
        root = TOMLTableNode(origin: .header, line: 1, keyLine: 1, depth: 0)
        current = root
    }

    mutating func build() throws(TOMLParseError) -> TOMLTable {
        // Every pass consumes at least one line or throws, so this loop ends on any input.
        while true {
            scanner.skipWhitespace()
            switch scanner.current {
            case nil:
                return root.makeTable()
            case TOMLByte.hash?, TOMLByte.lineFeed?, TOMLByte.carriageReturn?:
                try scanner.finishLine(after: "comment")
            case TOMLByte.openBracket?:
                try parseHeader()
            default:
                try parseKeyValue(into: current)
                try scanner.finishLine(after: "value")
            }
        }
    }

    // MARK: Key/value pairs

    /// Parses `key = value` into `table`; shared by top-level lines and inline tables.
    mutating func parseKeyValue(into table: TOMLTableNode) throws(TOMLParseError) {
        let key = try scanner.scanKey()
        guard scanner.current == TOMLByte.equals else {
            throw scanner.error("expected '=' after key '\(TOMLScanner.display(key))', found \(scanner.currentDescription)")
        }
        scanner.offset += 1
        scanner.skipWhitespace()
        switch scanner.current {
        case nil, TOMLByte.lineFeed?, TOMLByte.carriageReturn?, TOMLByte.hash?:
            throw scanner.error("missing value after '=' for key '\(TOMLScanner.display(key))'")
        default:
            break
        }
        let value = try parseValue(keyLine: key[0].mark.line, depth: table.depth + key.count)
        try insert(value, at: key, into: table)
    }

    private func insert(_ value: TOMLValue, at key: [KeyPart], into table: TOMLTableNode) throws(TOMLParseError) {
        var target = table
        for (index, part) in key.dropLast().enumerated() {
            let name = TOMLScanner.display(key[...index])
            switch target[part.name] {
            case nil:
                let child = try newTable(.dotted, in: target, line: value.keyLine, depthStep: 1, at: part)
                target.add(.table(child), for: part.name)
                target = child
            case .table(let child)? where child.origin == .dotted:
                target = child
            case .table(let child)?:
                // TOML keeps a header's table in one place: extend it under its header, not from outside.
                throw scanner.error(
                    "table '\(name)' belongs to a [table] header (line \(child.keyLine)) and cannot be extended with dotted keys",
                    at: part.mark)
            case .tableArray(let array)?:
                throw scanner.error(
                    "'\(name)' is an array of tables (first defined on line \(array.line)) and cannot be extended with dotted keys",
                    at: part.mark)
            case .value(let existing)?:
                throw notATable(existing, path: key[...index])
            }
        }
        let last = key[key.count - 1]
        if let existing = target[last.name] {
            throw scanner.error(
                "duplicate key '\(TOMLScanner.display(key))' (first defined on line \(existing.definitionLine))",
                at: key[0].mark)
        }
        target.add(.value(value), for: last.name)
    }

    // MARK: Headers

    private mutating func parseHeader() throws(TOMLParseError) {
        let line = scanner.line
        scanner.offset += 1
        let isArray = scanner.current == TOMLByte.openBracket
        if isArray { scanner.offset += 1 }
        scanner.skipWhitespace()
        let key = try scanner.scanKey()
        // `[[a]]` must close with two adjacent brackets, just as it opens with two.
        for _ in 0..<(isArray ? 2 : 1) {
            guard scanner.current == TOMLByte.closeBracket else {
                let closing = isArray ? "]]" : "]"
                throw scanner.error("expected '\(closing)' to close the header, found \(scanner.currentDescription)")
            }
            scanner.offset += 1
        }
        try scanner.finishLine(after: "table header")
        current = isArray
            ? try appendTableArrayElement(at: key, line: line)
            : try defineTable(at: key, line: line)
    }

    /// `[a.b]`: defines `b`, which may exist only as an implicit parent from an earlier header.
    private func defineTable(at key: [KeyPart], line: Int) throws(TOMLParseError) -> TOMLTableNode {
        let parent = try headerParent(of: key, line: line)
        let last = key[key.count - 1]
        let name = TOMLScanner.display(key)
        switch parent[last.name] {
        case nil:
            let table = try newTable(.header, in: parent, line: line, depthStep: 1, at: last)
            parent.add(.table(table), for: last.name)
            return table
        case .table(let table)? where table.origin == .implicit:
            table.origin = .header
            table.line = line
            table.keyLine = line
            return table
        case .table(let table)? where table.origin == .dotted:
            throw scanner.error("table '\(name)' is already defined by dotted keys on line \(table.keyLine)", at: last.mark)
        case .table(let table)?:
            throw scanner.error("table '\(name)' is already defined (first defined on line \(table.keyLine))", at: last.mark)
        case .tableArray(let array)?:
            throw scanner.error(
                "'\(name)' is an array of tables (first defined on line \(array.line)); use [[\(name)]] to add an element",
                at: last.mark)
        case .value(let value)?:
            throw notATable(value, path: key[...])
        }
    }

    /// `[[a.b]]`: starts the array `b` or appends a new table to it.
    private func appendTableArrayElement(at key: [KeyPart], line: Int) throws(TOMLParseError) -> TOMLTableNode {
        let parent = try headerParent(of: key, line: line)
        let last = key[key.count - 1]
        let name = TOMLScanner.display(key)
        switch parent[last.name] {
        case nil:
            // The array sits one level below the parent and its tables one more.
            let table = try newTable(.header, in: parent, line: line, depthStep: 2, at: last)
            parent.add(.tableArray(TOMLTableArrayNode(first: table)), for: last.name)
            return table
        case .tableArray(let array)?:
            let table = try newTable(.header, in: parent, line: line, depthStep: 2, at: last)
            array.append(table)
            return table
        case .table(let table)?:
            throw scanner.error(
                "table '\(name)' is already defined (first defined on line \(table.keyLine)), so it cannot be an array of tables",
                at: last.mark)
        case .value(let value)?:
            if case .array = value.kind {
                throw scanner.error(
                    "cannot append to '\(name)' with [[\(name)]]: it is a static array defined on line \(value.keyLine)",
                    at: last.mark)
            }
            throw notATable(value, path: key[...])
        }
    }

    /// Walks all but the last component of a header's key, creating implicit tables on the way.
    private func headerParent(of key: [KeyPart], line: Int) throws(TOMLParseError) -> TOMLTableNode {
        var table = root
        for (index, part) in key.dropLast().enumerated() {
            switch table[part.name] {
            case nil:
                let child = try newTable(.implicit, in: table, line: line, depthStep: 1, at: part)
                table.add(.table(child), for: part.name)
                table = child
            case .table(let child)?:
                // Headers may define sub-tables of tables made by dotted keys; TOML 1.0 allows it.
                table = child
            case .tableArray(let array)?:
                // `[a.b]` after `[[a]]` means `b` inside the most recent `a`.
                table = array.last
            case .value(let value)?:
                throw notATable(value, path: key[...index])
            }
        }
        return table
    }

    // MARK: Helpers

    private func newTable(
        _ origin: TOMLTableNode.Origin, in parent: TOMLTableNode, line: Int, depthStep: Int, at part: KeyPart
    ) throws(TOMLParseError) -> TOMLTableNode {
        let depth = parent.depth + depthStep
        guard depth <= maxDepth else { throw tooDeep(at: part.mark) }
        return TOMLTableNode(origin: origin, line: line, keyLine: line, depth: depth)
    }

    func tooDeep(at mark: TOMLScanner.Mark) -> TOMLParseError {
        scanner.error("nesting deeper than \(maxDepth) levels is not supported", at: mark)
    }

    /// The error for treating a plain value (or a closed inline table) as a table to add to.
    private func notATable(_ value: TOMLValue, path: ArraySlice<KeyPart>) -> TOMLParseError {
        let name = TOMLScanner.display(path)
        let mark = path[path.endIndex - 1].mark
        if case .table = value.kind {
            return scanner.error("inline table '\(name)' (defined on line \(value.keyLine)) cannot be extended", at: mark)
        }
        let article = value.typeName.first.map { "aeiou".contains($0) } == true ? "an" : "a"
        return scanner.error(
            "key '\(name)' is already defined as \(article) \(value.typeName) on line \(value.keyLine), so it cannot be a table",
            at: mark)
    }
}
