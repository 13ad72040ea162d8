import Testing
@testable import LeaverSweepCore

/// Parses `key = <literal>` and returns the value's kind, so each case reads as "this TOML means that".
private func kind(of literal: String) throws -> TOMLValue.Kind? {
    try TOMLParser.parse("key = \(literal)").root["key"]?.kind
}

struct TOMLValueParsingTests {
    @Test(arguments: [
        (#""plain""#, "plain"),
        (#""tab\there""#, "tab\there"),
        (#""\b\t\n\f\r\"\\""#, "\u{08}\t\n\u{0C}\r\"\\"),
        (#""caf\u00E9 \U0001F600""#, "café 😀"),
        (#""unicode ünïcødé 雪""#, "unicode ünïcødé 雪"),
        (#""""#, ""),
        (#"'C:\Users\nodejs\templates'"#, #"C:\Users\nodejs\templates"#),
        (#"'<\i\c*\s*>'"#, #"<\i\c*\s*>"#),
        ("\"\"\"\nRoses are red\nViolets are blue\"\"\"", "Roses are red\nViolets are blue"),
        ("\"\"\"\r\nfirst\r\nsecond\"\"\"", "first\nsecond"),
        ("\"\"\"\nThe quick brown \\\n\n   fox jumps \\\n   over.\"\"\"", "The quick brown fox jumps over."),
        ("\"\"\"trailing \\   \n  space\"\"\"", "trailing space"),
        (#""""Here are two quotes: "". Simple.""""#, #"Here are two quotes: "". Simple."#),
        (#""""a""""""#, #"a"""#),
        (#""""""""#, ""),
        ("'''\nThe first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved.\n'''",
         "The first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved.\n"),
        (#"'''I [dw]on't need \d{2} apples'''"#, #"I [dw]on't need \d{2} apples"#),
        (#"''''That,' she said, 'is still pointless.''''"#, #"'That,' she said, 'is still pointless.'"#),
    ])
    func parsesStrings(literal: String, expected: String) throws {
        #expect(try kind(of: literal) == .string(expected))
    }

    @Test(arguments: [
        ("42", 42), ("+17", 17), ("-17", -17), ("0", 0), ("+0", 0), ("-0", 0),
        ("1_000", 1000), ("5_349_221", 5_349_221), ("1_2_3_4_5", 12345),
        ("0xDEADBEEF", 0xDEAD_BEEF), ("0xdeadbeef", 0xDEAD_BEEF), ("0xdead_beef", 0xDEAD_BEEF),
        ("0x00ff", 255), ("0o01234567", 0o1234567), ("0o755", 0o755), ("0b11010110", 0b1101_0110),
        ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min),
        ("0x7FFFFFFFFFFFFFFF", Int64.max),
    ] as [(String, Int64)])
    func parsesIntegers(literal: String, expected: Int64) throws {
        #expect(try kind(of: literal) == .integer(expected))
    }

    @Test(arguments: [
        ("1.5", 1.5), ("+1.0", 1.0), ("3.1415", 3.1415), ("-0.01", -0.01), ("5e+22", 5e+22),
        ("1e06", 1e6), ("-2E-2", -2e-2), ("6.626e-34", 6.626e-34), ("1_000.5", 1000.5),
        ("224_617.445_991_228", 224_617.445_991_228), ("0.0", 0.0), ("-0.0", -0.0), ("0e0", 0),
        ("1e1_0", 1e10), ("inf", .infinity), ("+inf", .infinity), ("-inf", -.infinity),
    ] as [(String, Double)])
    func parsesFloats(literal: String, expected: Double) throws {
        #expect(try kind(of: literal) == .float(expected))
    }

    @Test(arguments: ["nan", "+nan", "-nan"])
    func parsesNotANumber(literal: String) throws {
        guard case .float(let value)? = try kind(of: literal) else {
            Issue.record("expected a float")
            return
        }
        #expect(value.isNaN)
    }

    @Test func parsesBooleans() throws {
        #expect(try kind(of: "true") == .boolean(true))
        #expect(try kind(of: "false") == .boolean(false))
    }

    @Test(arguments: [
        "1979-05-27T07:32:00Z", "1979-05-27T00:32:00-07:00", "1979-05-27T00:32:00.999999-07:00",
        "1979-05-27 07:32:00Z", "1979-05-27t07:32:00z", "1979-05-27T07:32:00", "1979-05-27T00:32:00.999999",
        "1979-05-27", "07:32:00", "00:32:00.999999", "2024-02-29", "1990-12-31T23:59:60Z",
    ])
    func keepsDateTimesAsLiteralText(literal: String) throws {
        #expect(try kind(of: literal) == .datetime(literal))
    }

    @Test func parsesArraysOfMixedTypesAcrossLinesWithCommentsAndTrailingComma() throws {
        let text = """
            key = [ # opening comment
              1, "two",   # after an element
              [3.0, true],

              { four = 4 },
              1979-05-27,
            ]
            empty = []
            spaced = [ ]
            """
        let root = try TOMLParser.parse(text).root
        let expected: TOMLValue.Kind = .array([
            TOMLValue(kind: .integer(1), line: 2, keyLine: 1),
            TOMLValue(kind: .string("two"), line: 2, keyLine: 1),
            TOMLValue(kind: .array([
                TOMLValue(kind: .float(3), line: 3, keyLine: 1),
                TOMLValue(kind: .boolean(true), line: 3, keyLine: 1),
            ]), line: 3, keyLine: 1),
            TOMLValue(kind: .table(TOMLTable(entries: [
                ("four", TOMLValue(kind: .integer(4), line: 5, keyLine: 5)),
            ])), line: 5, keyLine: 1),
            TOMLValue(kind: .datetime("1979-05-27"), line: 6, keyLine: 1),
        ])
        #expect(root["key"] == TOMLValue(kind: expected, line: 1))
        #expect(root["empty"] == TOMLValue(kind: .array([]), line: 8))
        #expect(root["spaced"] == TOMLValue(kind: .array([]), line: 9))
    }

    @Test func parsesInlineTablesWithDottedKeysInOrder() throws {
        let root = try TOMLParser.parse(#"point = { y = 2, x = 1, name.first = "Tom", name.last = 'P' }"# + "\nempty = {}").root
        let point = TOMLValue(kind: .table(TOMLTable(entries: [
            ("y", TOMLValue(kind: .integer(2), line: 1)),
            ("x", TOMLValue(kind: .integer(1), line: 1)),
            ("name", TOMLValue(kind: .table(TOMLTable(entries: [
                ("first", TOMLValue(kind: .string("Tom"), line: 1)),
                ("last", TOMLValue(kind: .string("P"), line: 1)),
            ])), line: 1)),
        ])), line: 1)
        #expect(root["point"] == point)
        #expect(root["empty"] == TOMLValue(kind: .table(TOMLTable()), line: 2))
    }

    @Test func valuesReportTypeNames() throws {
        let root = try TOMLParser.parse("""
            s = "x"
            i = 1
            f = 1.0
            b = true
            d = 1979-05-27
            a = [1]
            t = {}
            """).root
        #expect(root.entries.map(\.value.typeName) == ["string", "integer", "float", "boolean", "datetime", "array", "table"])
    }
}
