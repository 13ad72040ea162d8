import Foundation

/// Values on the right of `=`: strings, scalars, arrays and inline tables.
extension TOMLDocumentBuilder {
    /// Parses one value at nesting level `depth`; `keyLine` is the line of the key it belongs to.
    mutating func parseValue(keyLine: Int, depth: Int) throws(TOMLParseError) -> TOMLValue {
        let start = scanner.mark
        let kind: TOMLValue.Kind
        switch scanner.current {
        case TOMLByte.quote?:
            kind = .string(scanner.isAtTripleQuote(TOMLByte.quote)
                ? try scanner.scanMultilineString(delimiter: TOMLByte.quote)
                : try scanner.scanBasicString())
        case TOMLByte.apostrophe?:
            kind = .string(scanner.isAtTripleQuote(TOMLByte.apostrophe)
                ? try scanner.scanMultilineString(delimiter: TOMLByte.apostrophe)
                : try scanner.scanLiteralString())
        case TOMLByte.openBracket?:
            return try parseArray(keyLine: keyLine, depth: depth)
        case TOMLByte.openBrace?:
            return try parseInlineTable(keyLine: keyLine, depth: depth)
        default:
            kind = try scanner.scanBareValue()
        }
        return TOMLValue(kind: kind, line: start.line, keyLine: keyLine)
    }

    /// `[a, b, …]`, which may span lines and hold comments and a trailing comma.
    private mutating func parseArray(keyLine: Int, depth: Int) throws(TOMLParseError) -> TOMLValue {
        let start = scanner.mark
        // Checked before descending, so recursion depth is bounded by maxDepth whatever the input.
        guard depth <= maxDepth else { throw tooDeep(at: start) }
        scanner.offset += 1
        var elements: [TOMLValue] = []
        while true {
            try scanner.skipTrivia()
            switch scanner.current {
            case TOMLByte.closeBracket?:
                scanner.offset += 1
                return TOMLValue(kind: .array(elements), line: start.line, keyLine: keyLine)
            case nil:
                throw scanner.error("unterminated array: missing ']'", at: start)
            default:
                break
            }
            elements.append(try parseValue(keyLine: keyLine, depth: depth + 1))
            try scanner.skipTrivia()
            switch scanner.current {
            case TOMLByte.comma?:
                scanner.offset += 1
            case TOMLByte.closeBracket?:
                scanner.offset += 1
                return TOMLValue(kind: .array(elements), line: start.line, keyLine: keyLine)
            case nil:
                throw scanner.error("unterminated array: missing ']'", at: start)
            default:
                throw scanner.error("expected ',' or ']' after an array element, found \(scanner.currentDescription)")
            }
        }
    }

    /// `{ a = 1, b.c = "x" }`: one line, no trailing comma, closed to later additions.
    private mutating func parseInlineTable(keyLine: Int, depth: Int) throws(TOMLParseError) -> TOMLValue {
        let start = scanner.mark
        guard depth <= maxDepth else { throw tooDeep(at: start) }
        scanner.offset += 1
        let table = TOMLTableNode(origin: .inline, line: start.line, keyLine: keyLine, depth: depth)
        scanner.skipWhitespace()
        if scanner.current == TOMLByte.closeBrace {
            scanner.offset += 1
            return table.makeValue()
        }
        while true {
            scanner.skipWhitespace()
            try requireInlineTableContinues(from: start)
            try parseKeyValue(into: table)
            scanner.skipWhitespace()
            switch scanner.current {
            case TOMLByte.comma?:
                scanner.offset += 1
                scanner.skipWhitespace()
                if scanner.current == TOMLByte.closeBrace {
                    throw scanner.error("trailing comma is not allowed in an inline table")
                }
            case TOMLByte.closeBrace?:
                scanner.offset += 1
                // Frozen into a plain value: later headers and dotted keys cannot reopen it.
                return table.makeValue()
            default:
                try requireInlineTableContinues(from: start)
                throw scanner.error("expected ',' or '}' in inline table, found \(scanner.currentDescription)")
            }
        }
    }

    /// Inline tables must fit on one line (TOML 1.0); a line break or comment before the `}` is an error.
    private func requireInlineTableContinues(from start: TOMLScanner.Mark) throws(TOMLParseError) {
        switch scanner.current {
        case nil:
            throw scanner.error("unterminated inline table: missing '}'", at: start)
        case TOMLByte.lineFeed?, TOMLByte.carriageReturn?:
            throw scanner.error("newline inside inline table (inline tables must be on a single line)")
        case TOMLByte.hash?:
            throw scanner.error("comment inside inline table (inline tables must be on a single line)")
        default:
            break
        }
    }
}
