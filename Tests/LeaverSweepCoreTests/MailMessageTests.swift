import Foundation
import Testing
@testable import LeaverSweepCore

/// What Python's `email` package (a real MIME parser, `policy.default`) makes of a rendered message.
struct ParsedMail: Decodable {
    struct Mailbox: Decodable, Equatable {
        var name: String
        var address: String
    }

    struct Part: Decodable {
        var type: String
        var parts: [Part]?
        var filename: String?
        var disposition: String?
        var charset: String?
        var body: String?
        var boundary: String?

        var shape: String {
            guard let parts else { return type }
            return "\(type)(\(parts.map(\.shape).joined(separator: ", ")))"
        }
    }

    var subject: String
    var from: [Mailbox]
    var to: [Mailbox]
    var timestamp: Double
    var messageId: String
    var headerNames: [String]
    /// Every top-level header as Python reads it, unfolded.
    var headers: [[String]]
    var defects: [String]
    var tree: Part

    static let script = """
    import sys, json, email, email.policy
    msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
    defects = [repr(d) for d in msg.defects]
    for name in msg.keys():
        defects.extend(repr(d) for d in getattr(msg[name], "defects", ()))
    def tree(part):
        defects.extend(repr(d) for d in part.defects)
        node = {"type": part.get_content_type()}
        if part.is_multipart():
            node.update(parts=[tree(p) for p in part.iter_parts()], boundary=part.get_boundary())
        else:
            node.update(filename=part.get_filename(), disposition=part.get_content_disposition(),
                        charset=part.get_content_charset(), body=part.get_content())
        return node
    boxes = lambda name: [{"name": a.display_name, "address": a.addr_spec} for a in msg[name].addresses]
    print(json.dumps({"subject": str(msg["subject"]), "from": boxes("from"), "to": boxes("to"),
                      "timestamp": msg["date"].datetime.timestamp(), "messageId": str(msg["message-id"]),
                      "headerNames": list(msg.keys()), "headers": [[k, str(v)] for k, v in msg.items()],
                      "defects": defects, "tree": tree(msg)}))
    """

    static func parse(_ data: Data) throws -> ParsedMail {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(data)
        try input.fileHandleForWriting.close()
        let json = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ParseFailure(message: String(decoding: stderr, as: UTF8.self))
        }
        return try JSONDecoder().decode(ParsedMail.self, from: json)
    }

    struct ParseFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { "python3 email parser failed: \(message)" }
    }
}

@Suite struct MailMessageTests {
    static let sender = MailAddress(displayName: "LeaverSweep", address: "leaversweep@contoso.com")

    static func message(
        subject: String = "[LeaverSweep] contoso-ü: 3 new, 5 open, 2 fixed — 4 actions applied, 1 failed",
        to: [MailAddress] = [MailAddress(address: "identity-admins@contoso.com")],
        text: String = "Plain text\nsecond line ü\n", html: String = "<p>HTML ü</p>\n",
        attachments: [MailAttachment] = [MailAttachment(filename: "leaversweep-run-42.csv", contentType: "text/csv; charset=utf-8", data: Data("\u{FEFF}a,b\r\n\"x\ny\",2\r\n".utf8))]
    ) -> MailMessage {
        MailMessage(
            from: sender, to: to, subject: subject, date: ReportFixtures.time("2026-11-23T02:17:00Z"),
            messageId: "<run-42.abc123@leaversweep.contoso.com>", textBody: text, htmlBody: html, attachments: attachments
        )
    }

    @Test func realParserSeesMixedAlternativeAndTheCSVAttachment() throws {
        let message = Self.message()
        let parsed = try ParsedMail.parse(message.rendered(boundarySeed: "seed-1"))
        #expect(parsed.defects == [])
        #expect(parsed.tree.shape == "multipart/mixed(multipart/alternative(text/plain, text/html), text/csv)")
        #expect(parsed.subject == message.subject)
        #expect(parsed.from == [.init(name: "LeaverSweep", address: "leaversweep@contoso.com")])
        #expect(parsed.to == [.init(name: "", address: "identity-admins@contoso.com")])
        #expect(parsed.timestamp == message.date.timeIntervalSince1970)
        #expect(parsed.messageId == "<run-42.abc123@leaversweep.contoso.com>")
        #expect(parsed.headerNames == ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"])

        let alternative = try #require(parsed.tree.parts?.first?.parts)
        // Text parts travel in canonical form (CRLF); the attachment's bytes are untouched.
        #expect(alternative[0].body == "Plain text\r\nsecond line ü\r\n")
        #expect(alternative[1].body == "<p>HTML ü</p>\r\n")
        #expect(alternative.map(\.charset) == ["utf-8", "utf-8"])
        let csv = try #require(parsed.tree.parts?.last)
        #expect(csv.disposition == "attachment")
        #expect(csv.filename == "leaversweep-run-42.csv")
        #expect(csv.body == "\u{FEFF}a,b\r\n\"x\ny\",2\r\n")
    }

    @Test func lineBreaksInNamesAndSubjectCannotAddHeaders() throws {
        let message = Self.message(
            subject: "Report\r\nBcc: victim@evil.example\r\n\r\nbody",
            to: [MailAddress(displayName: "Evil\r\nBcc: x@y.example", address: "admin@contoso.com\r\nCc: z@evil.example")]
        )
        let parsed = try ParsedMail.parse(message.rendered(boundarySeed: "s"))
        #expect(parsed.headerNames == ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"])
        #expect(parsed.to.count == 1)
        #expect(parsed.to.first?.name == "Evil  Bcc: x@y.example")
        #expect(!parsed.subject.contains("\n"))
        #expect(parsed.tree.shape == "multipart/mixed(multipart/alternative(text/plain, text/html), text/csv)")
    }

    @Test func theReportEmailSurvivesARealParserWithHostileDirectoryStrings() throws {
        let report = ReportFixtures.hostileReport(displayName: "<img src=x onerror=alert(1)>")
        let message = MailMessage.report(
            report, from: Self.sender, to: [MailAddress(displayName: "Identity Admins, Zürich", address: "ia@contoso.com")],
            now: ReportFixtures.now, messageId: "run-42.x@leaversweep.contoso.com"
        )
        let parsed = try ParsedMail.parse(message.rendered(boundarySeed: "42"))
        #expect(parsed.defects == [])
        #expect(parsed.subject == ReportSubject.line(for: report))
        #expect(parsed.to == [.init(name: "Identity Admins, Zürich", address: "ia@contoso.com")])
        let alternative = try #require(parsed.tree.parts?.first?.parts)
        let html = try #require(alternative[1].body)
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!html.contains("<img"))
        #expect(alternative[0].body == MIMEHeader.canonicalLineBreaks(PlainTextReport.render(report, now: ReportFixtures.now)))
        #expect(parsed.tree.parts?.last?.filename == "leaversweep-contoso-run-42.csv")
        #expect(parsed.tree.parts?.last?.body == CSVReport.render(report))
    }

    @Test func everyLineEndsWithCRLFAndFitsIn998() {
        let long = String(repeating: "ü", count: 400) + String(repeating: " word", count: 300)
        let data = Self.message(subject: long, to: (1...30).map { MailAddress(displayName: "Admin \($0) ü", address: "a\($0)@contoso.com") }, text: long)
            .rendered(boundarySeed: "x")
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasSuffix("\r\n"))
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { !$0.contains("\n") && !$0.contains("\r") })
        #expect(lines.allSatisfy { $0.utf8.count <= 998 })
        #expect(lines.filter { $0.hasPrefix("Subject:") || $0.hasPrefix(" =?UTF-8?B?") }.allSatisfy { $0.utf8.count <= 78 })
        #expect(data.allSatisfy { $0 < 0x80 })
    }

    @Test func messageIdStaysOnTheLineOfItsName() throws {
        var message = Self.message()
        message.messageId = "run-42." + String(repeating: "a1b2c3", count: 12) + "@leaversweep.subsidiary-emea.contoso.com"
        let text = String(decoding: message.rendered(boundarySeed: "x"), as: UTF8.self)
        #expect(text.contains("\r\nMessage-ID: <run-42.a1b2c3"))
        #expect(try ParsedMail.parse(Data(text.utf8)).messageId == "<\(message.messageId)>")
        #expect(MIMEHeader.line("Message-ID", "<" + String(repeating: "x", count: 90) + ">").hasPrefix("Message-ID: <xxx"))
        #expect(MIMEHeader.line("X", "a  " + String(repeating: "b", count: 80)) == "X: a \r\n " + String(repeating: "b", count: 80))
    }

    @Test func headerLinesFitIn78ColumnsUnlessOneUnbreakableWord() throws {
        let seed = String(repeating: "Seed7", count: 8)
        let filename = "leaversweep-日本語のテナント名とても長い名前-" + String(repeating: "ü", count: 40) + ".csv"
        var message = Self.message(
            subject: "[LeaverSweep] " + String(repeating: "contoso-ü ", count: 12) + "— " + String(repeating: "word ", count: 30),
            to: (1...12).map { MailAddress(displayName: "Identity Admins, Team \($0) Zürich", address: "identity-admins-\($0)@contoso.com") },
            attachments: [MailAttachment(filename: filename, contentType: "text/csv; charset=utf-8", data: Data("a\r\n".utf8))]
        )
        message.messageId = "<run-42." + String(repeating: "0123456789", count: 8) + "@leaversweep.contoso.com>"
        let data = message.rendered(boundarySeed: seed)
        let lines = String(decoding: data, as: UTF8.self).components(separatedBy: "\r\n")
        // Header lines: the message's, and those of each part (after a boundary line, up to the blank line).
        var headerLines: [String] = []
        var inHeader = true
        for line in lines {
            if line.isEmpty { inHeader = false } else if line.hasPrefix("--=_LeaverSweep_") { inHeader = true } else if inHeader { headerLines.append(line) }
        }
        #expect(headerLines.count > 20)
        for line in headerLines {
            #expect(line.contains { $0 != " " }, "whitespace-only line")
            #expect(!line.hasSuffix(":"), "folded before the first word: \(line)")
            guard line.utf8.count > 78 else { continue }
            let body = line.hasPrefix(" ") ? String(line.dropFirst()) : String(line.drop { $0 != ":" }.dropFirst(2))
            #expect(!body.contains(" ") && line.utf8.count <= 998, "long line with a place to fold: \(line)")
        }
        #expect(lines.contains("Content-Type: multipart/mixed;") && lines.contains(" boundary=\"=_LeaverSweep_mixed_\(seed)\""))

        let parsed = try ParsedMail.parse(data)
        #expect(parsed.defects == [])
        #expect(parsed.subject == message.subject)
        #expect(parsed.to == message.to.map { ParsedMail.Mailbox(name: $0.displayName ?? "", address: $0.address) })
        #expect(parsed.messageId == message.messageId)
        #expect(parsed.headers.allSatisfy { !$0[1].hasPrefix(" ") && !$0[1].contains("\r") && !$0[1].contains("\n") })
        #expect(parsed.tree.boundary == "=_LeaverSweep_mixed_\(seed)")
        #expect(parsed.tree.parts?.first?.boundary == "=_LeaverSweep_alt_\(seed)")
        #expect(parsed.tree.parts?.last?.filename == filename)
    }

    @Test func encodedWordsStayUnder75CharactersAndSplitBetweenCharacters() {
        let words = MIMEHeader.encodedWords(String(repeating: "日本語 ü — ", count: 20))
        #expect(words.count > 1)
        #expect(words.allSatisfy { $0.count <= 75 && $0.hasPrefix("=?UTF-8?B?") && $0.hasSuffix("?=") })
        let decoded = words.map { word in
            String(decoding: Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))!, as: UTF8.self)
        }
        #expect(decoded.allSatisfy { !$0.contains("\u{FFFD}") })
        #expect(decoded.joined() == String(repeating: "日本語 ü — ", count: 20))
    }

    @Test func asciiSubjectStaysPlain() {
        #expect(MIMEHeader.unstructured("[LeaverSweep] contoso: no drift") == "[LeaverSweep] contoso: no drift")
        #expect(MIMEHeader.unstructured("looks =?like?= a word").hasPrefix("=?UTF-8?B?"))
    }

    @Test func boundariesComeFromTheSeed() {
        let message = Self.message()
        #expect(message.rendered(boundarySeed: "abc") == message.rendered(boundarySeed: "abc"))
        #expect(message.rendered(boundarySeed: "abc") != message.rendered(boundarySeed: "abd"))
        let text = String(decoding: message.rendered(boundarySeed: "a\r\nb\"c"), as: UTF8.self)
        #expect(text.contains("boundary=\"=_LeaverSweep_mixed_abc\""))
    }

    @Test(arguments: [
        (0.0, "Thu, 01 Jan 1970 00:00:00 +0000"),
        (1_795_400_220.0, "Mon, 23 Nov 2026 02:17:00 +0000"),
        (951_868_799.0, "Tue, 29 Feb 2000 23:59:59 +0000"),
        (-1.0, "Wed, 31 Dec 1969 23:59:59 +0000"),
        (1_709_629_507.9, "Tue, 05 Mar 2024 09:05:07 +0000"),
    ])
    func formatsTheDateHeaderInUTC(seconds: Double, expected: String) {
        #expect(MailDate.rfc5322(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test(arguments: [
        ("LeaverSweep <leaversweep@contoso.com>", MailAddress(displayName: "LeaverSweep", address: "leaversweep@contoso.com")),
        ("leaversweep@contoso.com", MailAddress(address: "leaversweep@contoso.com")),
        ("  <a@b.example>  ", MailAddress(address: "a@b.example")),
        ("\"Doe, Jane\" <jane@contoso.com>", MailAddress(displayName: "Doe, Jane", address: "jane@contoso.com")),
        ("\"Say \\\"hi\\\"\" <x@y.example>", MailAddress(displayName: "Say \"hi\"", address: "x@y.example")),
        ("Zoë Admin <zoe.admin+ls@mail.contoso.com>", MailAddress(displayName: "Zoë Admin", address: "zoe.admin+ls@mail.contoso.com")),
    ])
    func parsesAddresses(text: String, expected: MailAddress) throws {
        #expect(try MailAddress.parse(text) == expected)
    }

    @Test(arguments: [
        ("", MailAddressError.empty),
        ("Evil\r\nBcc: x@y.example <a@b.example>", .lineBreak("Evil\r\nBcc: x@y.example <a@b.example>")),
        ("a@b.example\n", .lineBreak("a@b.example\n")),
        ("nobody", .missingAt("nobody")),
        ("a@b@c.example", .multipleAt("a@b@c.example")),
        ("Name <a@b.example", .misplacedAngleBracket("Name <a@b.example")),
        ("a@b.example>", .misplacedAngleBracket("a@b.example>")),
        ("<a@b.example> Name", .misplacedAngleBracket("<a@b.example> Name")),
        ("A <<a@b.example>>", .misplacedAngleBracket("A <<a@b.example>>")),
        ("\"Open <a@b.example>", .unterminatedQuote("\"Open <a@b.example>")),
        ("a b@c.example", .invalidLocalPart("a b@c.example")),
        ("a..b@c.example", .invalidLocalPart("a..b@c.example")),
        ("a@-c.example", .invalidDomain("a@-c.example")),
        ("a@c..example", .invalidDomain("a@c..example")),
        ("zoë@contoso.com", .nonASCIIAddress("zoë@contoso.com")),
    ])
    func rejectsBadAddressesSayingWhy(text: String, error: MailAddressError) {
        #expect(throws: error) { try MailAddress.parse(text) }
        #expect(!error.description.contains("\r") && !error.description.contains("\n"))
    }

    @Test func rejectsAddressesLongerThanSMTPAllows() throws {
        let longLocal: String = String(repeating: "a", count: 65) + "@contoso.com"
        let longDomain: String = "a@" + String(repeating: "b.", count: 126) + "com"
        #expect(throws: MailAddressError.tooLong(longLocal)) { try MailAddress.parse(longLocal) }
        #expect(throws: MailAddressError.tooLong("Robot <\(longDomain)>")) { try MailAddress.parse("Robot <\(longDomain)>") }
        let longest: String = String(repeating: "a", count: 64) + "@contoso.com"
        #expect(try MailAddress.parse(longest).address == longest)
    }

    @Test(arguments: [
        (MailAddress(displayName: "LeaverSweep", address: "ls@contoso.com"), "LeaverSweep <ls@contoso.com>"),
        (MailAddress(displayName: "Doe, Jane", address: "j@contoso.com"), "\"Doe, Jane\" <j@contoso.com>"),
        (MailAddress(displayName: "Say \"hi\" \\o/", address: "j@contoso.com"), "\"Say \\\"hi\\\" \\\\o/\" <j@contoso.com>"),
        (MailAddress(displayName: "Zoë", address: "z@contoso.com"), "=?UTF-8?B?Wm/Dqw==?= <z@contoso.com>"),
        (MailAddress(displayName: "Evil\r\nBcc: x@y", address: "e@contoso.com"), "\"Evil  Bcc: x@y\" <e@contoso.com>"),
        (MailAddress(displayName: nil, address: "a@b.example"), "a@b.example"),
        (MailAddress(displayName: "", address: "a@b.example\r\nBcc: x@y"), "a@b.exampleBcc:x@y"),
    ])
    func writesHeaderValues(address: MailAddress, expected: String) {
        #expect(address.headerValue == expected)
    }
}
