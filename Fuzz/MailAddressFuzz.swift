import Foundation
import LeaverSweepCore

/// libFuzzer entry point for mail headers: the input is parsed as the `From` address and also used, unparsed,
/// as a recipient, the subject, the message id and an attachment's name and type. The rendered message must
/// keep exactly the headers LeaverSweep writes, so no input can end a header early and add its own
/// (`Bcc:`, a second `Subject:`, a blank line that starts the body). A violation is a `fatalError`, which
/// libFuzzer reports as a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let sender = MailAddress(displayName: "LeaverSweep", address: "leaversweep@contoso.com")
    let from = (try? MailAddress.parse(text)) ?? sender
    // Set directly, not parsed: `headerValue` promises to strip line breaks from any value.
    let unchecked = MailAddress(displayName: text, address: text)
    let message = MailMessage(
        from: from, to: [unchecked, sender], subject: text, date: Date(timeIntervalSince1970: 1_795_400_000),
        messageId: text, textBody: text, htmlBody: text,
        attachments: [MailAttachment(filename: text, contentType: text, data: Data(text.utf8))]
    )
    let rendered = String(decoding: message.rendered(boundarySeed: text), as: UTF8.self)
    if let problem = headerProblem(in: rendered) {
        fatalError("header injection: \(problem)")
    }
    return 0
}

/// The header names of every header block, in order: the message's, then each MIME part's.
let expectedHeaderBlocks: [[String]] = [
    ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"],
    ["Content-Type"],
    ["Content-Type", "Content-Transfer-Encoding"],
    ["Content-Type", "Content-Transfer-Encoding"],
    ["Content-Type", "Content-Disposition", "Content-Transfer-Encoding"],
]

/// Describes the first way `message` departs from the structure `MailMessage.rendered` always produces, or nil.
///
/// A header block starts the message and follows each opening boundary (`--=_LeaverSweep_…` without a trailing
/// `--`); it ends at the first empty line. Inside one, a line is `Name: value` or a folded continuation (starts
/// with a space or tab and has more than blanks), and no line holds a lone CR, LF or other control character.
func headerProblem(in message: String) -> String? {
    let lines = message.components(separatedBy: "\r\n")
    if let bare = lines.firstIndex(where: { $0.contains("\r") || $0.contains("\n") }) {
        return "line \(bare + 1) holds a bare CR or LF: \(lines[bare].debugDescription)"
    }
    var blocks: [[String]] = []
    var inHeaders = true
    blocks.append([])
    for (number, line) in zip(1..., lines) {
        if inHeaders {
            if line.isEmpty {
                inHeaders = false
            } else if let control = line.unicodeScalars.first(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) {
                return "header line \(number) holds control character U+\(String(control.value, radix: 16)): \(line.debugDescription)"
            } else if line.first == " " || line.first == "\t" {
                guard !blocks[blocks.count - 1].isEmpty, line.contains(where: { $0 != " " && $0 != "\t" }) else {
                    return "header line \(number) is a continuation with nothing to continue: \(line.debugDescription)"
                }
            } else if let colon = line.firstIndex(of: ":"), colon > line.startIndex,
                      line[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
                blocks[blocks.count - 1].append(String(line[..<colon]))
            } else {
                return "header line \(number) is neither `Name: value` nor a continuation: \(line.debugDescription)"
            }
        } else if line.hasPrefix("--=_LeaverSweep_") && !line.hasSuffix("--") {
            blocks.append([])
            inHeaders = true
        }
    }
    guard blocks == expectedHeaderBlocks else {
        return "header blocks \(blocks), expected \(expectedHeaderBlocks)"
    }
    return nil
}
