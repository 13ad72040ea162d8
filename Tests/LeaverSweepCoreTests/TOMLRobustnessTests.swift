import Foundation
import Testing
@testable import LeaverSweepCore

/// Hostile input must produce errors — never a crash, a hang or a stack overflow — ahead of fuzzing.
struct TOMLRobustnessTests {
    /// A large generated input with a short name, so test output does not print megabytes.
    struct HostileInput: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let text: String

        init(_ name: String, _ text: String) {
            testDescription = name
            self.text = text
        }
    }

    /// Parses `text` and returns the error, if any. No time bound here (timing belongs in benchmarks): quadratic
    /// behaviour on these 10,000–100,000-item inputs would show as a test run taking minutes.
    @discardableResult
    private func parseQuickly(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> TOMLParseError? {
        do {
            _ = try TOMLParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        HostileInput("10,000 ['s", String(repeating: "[", count: 10_000)),
        HostileInput("array nested 10,000 deep", "a = " + String(repeating: "[", count: 10_000)),
        HostileInput("inline table nested 10,000 deep", "a = " + String(repeating: "{b=", count: 10_000)),
        HostileInput("arrays of inline tables", "a = " + String(repeating: "[{b=", count: 10_000)),
        HostileInput("dotted key with 10,000 parts", String(repeating: "a.", count: 10_000) + "a = 1"),
        HostileInput("header with 10,000 parts", "[" + String(repeating: "a.", count: 10_000) + "a]"),
        HostileInput(
            "arrays of tables nested 40 deep",
            (1...40).map { "[[" + Array(repeating: "a", count: $0).joined(separator: ".") + "]]\n" }.joined()),
    ])
    func deepNestingIsRefusedQuickly(input: HostileInput) {
        let error = parseQuickly(input.text)
        if input.testDescription == "10,000 ['s" {
            // `[[` opens an array-of-tables header, so the third `[` is simply not a key.
            #expect(error?.message == "expected a key, found '['")
        } else {
            #expect(error?.message == "nesting deeper than 64 levels is not supported")
        }
    }

    @Test func depthErrorPointsAtTheFirstPartTooDeep() {
        // 64 parts fit; the 65th starts at column 2 + 64 * 2.
        #expect(parseQuickly("[" + String(repeating: "a.", count: 100) + "a]")?.column == 130)
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        #expect(parseQuickly("a = " + String(repeating: "[", count: 64) + String(repeating: "]", count: 64)) == nil)
        #expect(parseQuickly("[" + Array(repeating: "t", count: 64).joined(separator: ".") + "]") == nil)
        #expect(parseQuickly("[" + Array(repeating: "t", count: 65).joined(separator: ".") + "]") != nil)
    }

    @Test(arguments: [
        HostileInput("100,001 quotes", String(repeating: "\"", count: 100_001)),
        HostileInput("unterminated run of quotes", "a = \"\"\"" + String(repeating: "\"", count: 100_000)),
        HostileInput("unterminated run of apostrophes", "a = '''" + String(repeating: "'", count: 100_000)),
        HostileInput("one long comment", String(repeating: "#", count: 100_000)),
        HostileInput("array of 100,000 integers", "a = [" + String(repeating: "1,", count: 100_000) + "]"),
        HostileInput("100,000 blank lines", String(repeating: "\n", count: 100_000) + "="),
        HostileInput("20,000 keys", (0..<20_000).map { "k\($0) = \($0)\n" }.joined()),
        HostileInput("100,001 backslashes", "a = \"" + String(repeating: "\\", count: 100_001)),
        HostileInput("50,000 table headers", (0..<50_000).map { "[t\($0)]\n" }.joined()),
        HostileInput("one line of 100,000 inline keys", "a = {" + (0..<100_000).map { "k\($0) = 1" }.joined(separator: ",") + "} x"),
    ])
    func largeInputsFinishQuickly(input: HostileInput) {
        parseQuickly(input.text)
    }

    /// SplitMix64: a tiny generator with a fixed seed, so a failing input can be reproduced.
    private struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Characters that steer the parser into its interesting states, mixed with arbitrary bytes.
    private static let alphabet = Array("[]{}\"'=.,#\n\r\t \\_+-:0123456789abefinotruxzETZ\u{00}\u{7F}é😀".utf8)

    @Test func randomByteStringsEitherParseOrThrow() {
        var generator = SeededGenerator(state: 0x1EAF_5EED)
        var outcomes = (parsed: 0, rejected: 0)
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...80, using: &generator)
            let bytes = (0..<length).map { _ in
                Bool.random(using: &generator)
                    ? Self.alphabet[Int.random(in: 0..<Self.alphabet.count, using: &generator)]
                    : UInt8.random(in: 0...255, using: &generator)
            }
            check(String(decoding: bytes, as: UTF8.self), &outcomes)
        }
        #expect(outcomes.parsed + outcomes.rejected == 2_000)
        #expect(outcomes.rejected > 0)
    }

    @Test func mutatedExampleConfigsEitherParseOrThrow() {
        var generator = SeededGenerator(state: 42)
        let original = Array(TOMLExampleConfigTests.example.utf8)
        var outcomes = (parsed: 0, rejected: 0)
        for _ in 0..<2_000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                let byte = Self.alphabet[Int.random(in: 0..<Self.alphabet.count, using: &generator)]
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = byte
                case 1: bytes.insert(byte, at: index)
                default: bytes.remove(at: index)
                }
            }
            check(String(decoding: bytes, as: UTF8.self), &outcomes)
        }
        #expect(outcomes.parsed > 0)
        #expect(outcomes.rejected > 0)
    }

    /// Errors must point inside the text: a position past the last line would send an operator nowhere.
    private func check(_ text: String, _ outcomes: inout (parsed: Int, rejected: Int)) {
        do {
            _ = try TOMLParser.parse(text)
            outcomes.parsed += 1
        } catch {
            outcomes.rejected += 1
            let lineCount = text.utf8.count { $0 == 0x0A } + 1
            #expect(error.line >= 1 && error.line <= lineCount, "\(error) for \(text.debugDescription)")
            #expect(error.column >= 1, "\(error) for \(text.debugDescription)")
        }
    }
}
