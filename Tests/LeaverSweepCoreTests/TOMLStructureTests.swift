import Foundation
import Testing
@testable import LeaverSweepCore

/// Keys, dotted keys, headers, arrays of tables, comments and line endings.
struct TOMLStructureTests {
    @Test func acceptsBareQuotedAndLiteralKeys() throws {
        let root = try TOMLParser.parse("""
            bare_key-1 = 1
            1234 = 2
            "quoted key" = 3
            'literal "key"' = 4
            "ʎǝʞ" = 5
            "" = 6
            """).root
        #expect(root.keys == ["bare_key-1", "1234", "quoted key", #"literal "key""#, "ʎǝʞ", ""])
    }

    @Test func dottedKeysCreateNestedTables() throws {
        let root = try TOMLParser.parse("""
            a.b = 1
            "x.y".z = 2
            site . "google.com" . up = true
            a.c = 3
            """).root
        let a = TOMLTable(entries: [
            ("b", TOMLValue(kind: .integer(1), line: 1)),
            ("c", TOMLValue(kind: .integer(3), line: 4)),
        ])
        #expect(root["a"] == TOMLValue(kind: .table(a), line: 1))
        #expect(root["x.y"]?.kind == .table(TOMLTable(entries: [("z", TOMLValue(kind: .integer(2), line: 2))])))
        guard case .table(let site)? = root["site"]?.kind, case .table(let google)? = site["google.com"]?.kind else {
            Issue.record("expected site.\"google.com\" to be a table")
            return
        }
        #expect(google["up"] == TOMLValue(kind: .boolean(true), line: 3))
    }

    @Test func headersDefineTablesAtTheirLine() throws {
        let root = try TOMLParser.parse("""
            top = 0
            [a]
            x = 1
            [a.b]
            y = 2
            [ c . "d.e" ]
            z = 3
            """).root
        #expect(root.keys == ["top", "a", "c"])
        let b = TOMLValue(kind: .table(TOMLTable(entries: [("y", TOMLValue(kind: .integer(2), line: 5))])), line: 4)
        let a = TOMLValue(kind: .table(TOMLTable(entries: [("x", TOMLValue(kind: .integer(1), line: 3)), ("b", b)])), line: 2)
        #expect(root["a"] == a)
        let de = TOMLValue(kind: .table(TOMLTable(entries: [("z", TOMLValue(kind: .integer(3), line: 7))])), line: 6)
        #expect(root["c"] == TOMLValue(kind: .table(TOMLTable(entries: [("d.e", de)])), line: 6))
    }

    @Test func superTableMayBeDefinedAfterItsSubTable() throws {
        let root = try TOMLParser.parse("""
            [x.y.z]
            w = 1
            [x]
            v = 2
            """).root
        guard case .table(let x)? = root["x"]?.kind else {
            Issue.record("expected x to be a table")
            return
        }
        #expect(root["x"]?.line == 3)
        #expect(x.keys == ["y", "v"])
    }

    @Test func headersMayAddSubTablesToDottedKeyTables() throws {
        let root = try TOMLParser.parse("""
            [fruit]
            apple.color = "red"
            apple.taste.sweet = true
            [fruit.apple.texture]
            smooth = true
            """).root
        guard case .table(let fruit)? = root["fruit"]?.kind, case .table(let apple)? = fruit["apple"]?.kind else {
            Issue.record("expected fruit.apple to be a table")
            return
        }
        #expect(apple.keys == ["color", "taste", "texture"])
        #expect(apple["texture"]?.line == 4)
    }

    @Test func arraysOfTablesCollectOneTablePerHeader() throws {
        let root = try TOMLParser.parse("""
            [[fruits]]
            name = "apple"
            [fruits.physical]
            color = "red"
            [[fruits.varieties]]
            name = "red delicious"
            [[fruits.varieties]]
            name = "granny smith"
            [[fruits]]
            name = "banana"
            [[a.b]]
            """).root
        guard case .array(let fruits)? = root["fruits"]?.kind else {
            Issue.record("expected fruits to be an array")
            return
        }
        #expect(root["fruits"]?.line == 1)
        #expect(fruits.map(\.line) == [1, 9])
        guard case .table(let apple) = fruits[0].kind, case .array(let varieties)? = apple["varieties"]?.kind else {
            Issue.record("expected fruits[0].varieties to be an array")
            return
        }
        #expect(apple.keys == ["name", "physical", "varieties"])
        #expect(varieties.map(\.line) == [5, 7])
        #expect(fruits[1].kind == .table(TOMLTable(entries: [("name", TOMLValue(kind: .string("banana"), line: 10))])))
        let emptyElement = TOMLValue(kind: .table(TOMLTable()), line: 11)
        #expect(root["a"]?.kind == .table(TOMLTable(entries: [("b", TOMLValue(kind: .array([emptyElement]), line: 11))])))
    }

    @Test func commentsAndBlankLinesAreIgnored() throws {
        let root = try TOMLParser.parse("""
            # full-line comment
               \t
            key = "value" # trailing comment with "quotes" and = signs
            [table] # after a header
            other = 1#no space needed
            """).root
        #expect(root["key"] == TOMLValue(kind: .string("value"), line: 3))
        #expect(root["table"]?.kind == .table(TOMLTable(entries: [("other", TOMLValue(kind: .integer(1), line: 5))])))
    }

    @Test func crlfLineEndingsParseLikeLF() throws {
        let lf = "a = 1\n[t]\nb = \"\"\"\nx\ny\"\"\"\nc = [\n 1,\n]\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try TOMLParser.parse(crlf) == TOMLParser.parse(lf))
    }

    @Test func byteOrderMarkIsSkipped() throws {
        #expect(try TOMLParser.parse("\u{FEFF}a = 1\n") == TOMLParser.parse("a = 1\n"))
        #expect(throws: TOMLParseError(line: 1, column: 3, message: "expected '=' after key 'a', found '2'")) {
            try TOMLParser.parse("\u{FEFF}a 2")
        }
    }

    @Test func emptyDocumentsHaveAnEmptyRoot() throws {
        #expect(try TOMLParser.parse("").root == TOMLTable())
        #expect(try TOMLParser.parse("\n\n# only a comment\n").root == TOMLTable())
    }

    @Test func errorDescriptionNamesLineAndColumn() {
        let error = TOMLParseError(line: 3, column: 9, message: "expected '=' after key")
        #expect(error.description == "line 3, column 9: expected '=' after key")
    }
}
