import Testing
@testable import LeaverSweepCore

/// A document that must be rejected, where, and a phrase the message must contain.
struct RejectedTOML: Sendable, CustomTestStringConvertible {
    let text: String
    let line: Int
    let column: Int
    let phrase: String

    init(_ text: String, line: Int, column: Int, _ phrase: String) {
        self.text = text
        self.line = line
        self.column = column
        self.phrase = phrase
    }

    var testDescription: String { phrase }
}

struct TOMLErrorTests {
    @Test func duplicateKeyNamesTheKeyAndItsFirstLine() {
        #expect(throws: TOMLParseError(line: 4, column: 1, message: "duplicate key 'mode' (first defined on line 2)")) {
            try TOMLParser.parse("[policy]\nmode = \"report\"\n\nmode = \"enforce\"\n")
        }
    }

    @Test func missingEqualsPointsAtWhatCameInstead() {
        #expect(throws: TOMLParseError(line: 3, column: 6, message: "expected '=' after key 'name', found '\"'")) {
            try TOMLParser.parse("[a]\n\nname \"x\"")
        }
    }

    @Test(arguments: [
        // Keys and tables defined twice, or in incompatible ways.
        RejectedTOML("a = 1\nb = 2\na = 3", line: 3, column: 1, "duplicate key 'a' (first defined on line 1)"),
        RejectedTOML("a.b = 1\na.b = 2", line: 2, column: 1, "duplicate key 'a.b' (first defined on line 1)"),
        RejectedTOML("a.b = 1\na = 2", line: 2, column: 1, "duplicate key 'a' (first defined on line 1)"),
        RejectedTOML("p = { x = 1, x = 2 }", line: 1, column: 14, "duplicate key 'x'"),
        RejectedTOML("[a]\nx = 1\n[b]\n[a]", line: 4, column: 2, "table 'a' is already defined (first defined on line 1)"),
        RejectedTOML("[a.b]\n[a]\n[a]", line: 3, column: 2, "table 'a' is already defined (first defined on line 2)"),
        RejectedTOML("[a]\nb.c = 1\n[a.b]", line: 3, column: 4, "table 'a.b' is already defined by dotted keys on line 2"),
        RejectedTOML("a = 1\n[a]", line: 2, column: 2, "key 'a' is already defined as an integer on line 1"),
        RejectedTOML("a = \"x\"\n[a.b]", line: 2, column: 2, "key 'a' is already defined as a string on line 1"),
        RejectedTOML("a = 1\na.b = 2", line: 2, column: 1, "key 'a' is already defined as an integer on line 1"),
        RejectedTOML("a = [1]\n[a]", line: 2, column: 2, "key 'a' is already defined as an array on line 1"),
        RejectedTOML("a = { x = 1 }\n[a]", line: 2, column: 2, "inline table 'a' (defined on line 1) cannot be extended"),
        RejectedTOML("a = { x = 1 }\na.y = 2", line: 2, column: 1, "inline table 'a' (defined on line 1) cannot be extended"),
        RejectedTOML("[a.b.c]\nz = 9\n[a]\nb.c.t = 1", line: 4, column: 1, "table 'b' belongs to a [table] header"),
        RejectedTOML("a = [1]\n[[a]]", line: 2, column: 3, "cannot append to 'a' with [[a]]: it is a static array defined on line 1"),
        RejectedTOML("[[a]]\n[a]", line: 2, column: 2, "'a' is an array of tables (first defined on line 1); use [[a]]"),
        RejectedTOML("[a]\n[[a]]", line: 2, column: 3, "table 'a' is already defined (first defined on line 1), so it cannot be an array of tables"),
        RejectedTOML("[[a]]\na = 1\n[a.a]", line: 3, column: 4, "key 'a.a' is already defined as an integer on line 2"),
        RejectedTOML("[[a.x]]\n[a]\nx.z = 1", line: 3, column: 1, "'x' is an array of tables (first defined on line 1) and cannot be extended"),
        // Strings.
        RejectedTOML("a = \"abc", line: 1, column: 5, "unterminated string"),
        RejectedTOML("x = 1\na = \"abc\nb = 1", line: 2, column: 5, "unterminated string"),
        RejectedTOML("a = 'abc", line: 1, column: 5, "unterminated string"),
        RejectedTOML("\na = \"\"\"abc\n\n", line: 2, column: 5, "unterminated multi-line string: missing closing \"\"\""),
        RejectedTOML("a = '''abc''", line: 1, column: 5, "unterminated multi-line string: missing closing '''"),
        RejectedTOML("a = \"\"\"x\"\"\"\"\"\"", line: 1, column: 9, "too many '\"' characters in a row"),
        RejectedTOML(#"a = "\e""#, line: 1, column: 6, #"invalid escape sequence: '\e'"#),
        RejectedTOML(#"a = "\x41""#, line: 1, column: 6, #"invalid escape sequence: '\x'"#),
        RejectedTOML(#"a = "\u12""#, line: 1, column: 6, "needs exactly 4 hexadecimal digits"),
        RejectedTOML(#"a = "\uD800""#, line: 1, column: 6, "U+D800 is not a Unicode scalar value"),
        RejectedTOML(#"a = "\U00110000""#, line: 1, column: 6, "U+110000 is not a Unicode scalar value"),
        RejectedTOML("a = \"x\u{01}\"", line: 1, column: 7, "control character U+0001 must be escaped"),
        RejectedTOML("a = 'x\u{7F}'", line: 1, column: 7, "control character U+007F must be escaped"),
        RejectedTOML("a = \"\"\"\nok\nx\u{00}\"\"\"", line: 3, column: 2, "control character U+0000 must be escaped"),
        RejectedTOML("a = 1 # bell \u{07}", line: 1, column: 14, "not allowed in a comment"),
        RejectedTOML("a = \"x\ry\"", line: 1, column: 7, "control character U+000D must be escaped"),
        RejectedTOML("a = 1 # x\ry", line: 1, column: 10, "control character U+000D is not allowed in a comment"),
        RejectedTOML("a = \"\"\"x\\ y\"\"\"", line: 1, column: 9, "invalid escape sequence: a backslash followed by ' '"),
        // Keys, equals signs and values.
        RejectedTOML("name \"x\"", line: 1, column: 6, "expected '=' after key 'name'"),
        RejectedTOML("a.b", line: 1, column: 4, "expected '=' after key 'a.b', found end of input"),
        RejectedTOML("= 1", line: 1, column: 1, "expected a key, found '='"),
        RejectedTOML("a. = 1", line: 1, column: 4, "expected a key, found '='"),
        RejectedTOML("\"\"\"a\"\"\" = 1", line: 1, column: 1, "multi-line strings cannot be used as keys"),
        RejectedTOML("a =", line: 1, column: 4, "missing value after '=' for key 'a'"),
        RejectedTOML("a =   # comment", line: 1, column: 7, "missing value"),
        RejectedTOML("a =\nb = 1", line: 1, column: 4, "missing value"),
        RejectedTOML("a = 1 2", line: 1, column: 7, "expected end of line after value, found '2'"),
        RejectedTOML("a = \"x\" y", line: 1, column: 9, "expected end of line after value, found 'y'"),
        RejectedTOML("a = true false", line: 1, column: 10, "expected end of line after value"),
        RejectedTOML("a = [1] ]", line: 1, column: 9, "expected end of line after value, found ']'"),
        RejectedTOML("[a] b = 1", line: 1, column: 5, "expected end of line after table header, found 'b'"),
        RejectedTOML("a = @", line: 1, column: 5, "expected a value, found '@'"),
        RejectedTOML("mode = enforce", line: 1, column: 8, "invalid value 'enforce' (strings must be quoted)"),
        RejectedTOML("a = True", line: 1, column: 5, "invalid value 'True'"),
        RejectedTOML("a = 1\rb = 2", line: 1, column: 6, "a carriage return must be followed by a line feed"),
        // Headers.
        RejectedTOML("[a", line: 1, column: 3, "expected ']' to close the header, found end of input"),
        RejectedTOML("[[a]", line: 1, column: 5, "expected ']]' to close the header"),
        RejectedTOML("[[a] ]", line: 1, column: 5, "expected ']]' to close the header, found ' '"),
        RejectedTOML("[]", line: 1, column: 2, "expected a key, found ']'"),
        RejectedTOML("[ [a] ]", line: 1, column: 3, "expected a key, found '['"),
        // Arrays and inline tables.
        RejectedTOML("a = [1, 2", line: 1, column: 5, "unterminated array: missing ']'"),
        RejectedTOML("a = [1 2]", line: 1, column: 8, "expected ',' or ']' after an array element, found '2'"),
        RejectedTOML("a = [1,,2]", line: 1, column: 8, "expected a value, found ','"),
        RejectedTOML("a = [,]", line: 1, column: 6, "expected a value, found ','"),
        RejectedTOML("a = { b = 1,\n c = 2 }", line: 1, column: 13, "newline inside inline table"),
        RejectedTOML("a = {\n}", line: 1, column: 6, "newline inside inline table"),
        RejectedTOML("a = { b = 1 # c\n}", line: 1, column: 13, "comment inside inline table"),
        RejectedTOML("a = { b = 1, }", line: 1, column: 14, "trailing comma is not allowed in an inline table"),
        RejectedTOML("a = { b = 1 c = 2 }", line: 1, column: 13, "expected ',' or '}' in inline table, found 'c'"),
        RejectedTOML("a = { b = 1", line: 1, column: 5, "unterminated inline table: missing '}'"),
        // Integers.
        RejectedTOML("a = 01", line: 1, column: 5, "invalid integer '01': leading zeros are not allowed"),
        RejectedTOML("a = -01", line: 1, column: 5, "leading zeros are not allowed"),
        RejectedTOML("a = 1__000", line: 1, column: 5, "invalid integer '1__000'"),
        RejectedTOML("a = _1", line: 1, column: 5, "invalid value '_1'"),
        RejectedTOML("a = 1_", line: 1, column: 5, "invalid integer '1_'"),
        RejectedTOML("a = 0xG1", line: 1, column: 5, "invalid integer '0xG1'"),
        RejectedTOML("a = 0b102", line: 1, column: 5, "invalid integer '0b102'"),
        RejectedTOML("a = +0xFF", line: 1, column: 5, "only decimal integers may have a sign"),
        RejectedTOML("a = 9223372036854775808", line: 1, column: 5, "does not fit in 64 bits"),
        RejectedTOML("a = -9223372036854775809", line: 1, column: 5, "does not fit in 64 bits"),
        RejectedTOML("a = 0x8000000000000000", line: 1, column: 5, "does not fit in 64 bits"),
        RejectedTOML("a = 99999999999999999999999", line: 1, column: 5, "does not fit in 64 bits"),
        // Floats.
        RejectedTOML("a = 1.", line: 1, column: 5, "invalid float '1.'"),
        RejectedTOML("a = .5", line: 1, column: 5, "invalid value '.5'"),
        RejectedTOML("a = 1.e5", line: 1, column: 5, "invalid float '1.e5'"),
        RejectedTOML("a = 1e", line: 1, column: 5, "invalid float '1e'"),
        RejectedTOML("a = 1.5.3", line: 1, column: 5, "invalid float '1.5.3'"),
        RejectedTOML("a = 01.5", line: 1, column: 5, "leading zeros are not allowed"),
        RejectedTOML("a = 1e400", line: 1, column: 5, "float '1e400' is out of range"),
        RejectedTOML("a = infinity", line: 1, column: 5, "invalid value 'infinity'"),
        // Date-times.
        RejectedTOML("a = 1979-13-01", line: 1, column: 5, "invalid date-time '1979-13-01'"),
        RejectedTOML("a = 2023-02-29", line: 1, column: 5, "invalid date-time"),
        RejectedTOML("a = 07:60:00", line: 1, column: 5, "invalid date-time"),
        RejectedTOML("a = 07:32", line: 1, column: 5, "invalid date-time"),
        RejectedTOML("a = 1979-05-27T07:32:00+25:00", line: 1, column: 5, "invalid date-time"),
        RejectedTOML("a = 1979-05-27T07:32:00.Z", line: 1, column: 5, "invalid date-time"),
        // Nesting.
        RejectedTOML("a = " + String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
                     line: 1, column: 69, "nesting deeper than 64 levels"),
    ])
    func rejects(_ rejected: RejectedTOML) {
        do {
            let document = try TOMLParser.parse(rejected.text)
            Issue.record("expected an error, parsed \(document)")
        } catch {
            #expect(error.line == rejected.line)
            #expect(error.column == rejected.column)
            #expect(error.message.contains(rejected.phrase), "message was: \(error.message)")
        }
    }

    @Test func columnsCountCharactersNotBytes() {
        #expect(throws: TOMLParseError(line: 1, column: 12, message: "expected end of line after value, found 'x'")) {
            try TOMLParser.parse("\"é\" = \"😀ü\" x")
        }
    }
}
