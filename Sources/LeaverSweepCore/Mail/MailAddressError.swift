import Foundation

/// Why a configured mail address (`email.from`, `email.to`) was refused.
public enum MailAddressError: Error, Equatable, CustomStringConvertible {
    case empty
    /// CR or LF: in a header they would start a new header line.
    case lineBreak(String)
    case controlCharacter(String)
    case missingAt(String)
    case multipleAt(String)
    case misplacedAngleBracket(String)
    case unterminatedQuote(String)
    case invalidLocalPart(String)
    case invalidDomain(String)
    /// Non-ASCII addresses need SMTPUTF8, which LeaverSweep does not ask servers for.
    case nonASCIIAddress(String)
    /// Longer than RFC 5321 allows (64 octets before the @, 254 in all); servers refuse such addresses.
    case tooLong(String)

    public var description: String {
        let example = "write it as leaversweep@contoso.com or LeaverSweep <leaversweep@contoso.com>"
        switch self {
        case .empty:
            return "The mail address is empty; \(example)."
        case .tooLong(let text):
            return "The mail address \"\(TerminalText.safe(String(text.prefix(80))))…\" is too long: at most 64 characters before the @ and 254 in all."
        case .lineBreak(let text):
            return "The mail address \"\(TerminalText.safe(text))\" contains a line break, which could add a mail header; remove it."
        case .controlCharacter(let text):
            return "The mail address \"\(TerminalText.safe(text))\" contains a control character; remove it."
        case .missingAt(let text):
            return "\"\(TerminalText.safe(text))\" is not a mail address: it has no @; \(example)."
        case .multipleAt(let text):
            return "\"\(TerminalText.safe(text))\" is not a mail address: it has more than one @; \(example)."
        case .misplacedAngleBracket(let text):
            return "\"\(TerminalText.safe(text))\" has < or > in the wrong place: the address goes in one pair of angle brackets at the end; \(example)."
        case .unterminatedQuote(let text):
            return "The display name in \"\(TerminalText.safe(text))\" opens a quote that is not closed; close it or drop the quotes."
        case .invalidLocalPart(let text):
            return "\"\(TerminalText.safe(text))\" has an invalid part before the @ (spaces, quotes, brackets, commas or misplaced dots); \(example)."
        case .invalidDomain(let text):
            return "\"\(TerminalText.safe(text))\" has an invalid domain after the @ (use letters, digits, hyphens and dots, like contoso.com)."
        case .nonASCIIAddress(let text):
            return "The address in \"\(TerminalText.safe(text))\" has non-ASCII characters, which need SMTPUTF8; use an ASCII address (the display name may be non-ASCII)."
        }
    }
}
