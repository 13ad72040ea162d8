import Foundation

/// One email, rendered to the bytes an SMTP server receives (RFC 5322 with MIME).
///
/// The structure is fixed because it is the one every client shows well: `multipart/mixed` holding a
/// `multipart/alternative` (plain text, then HTML: clients show the last part they understand) and the attachments.
/// All parts are base64, so no body line can be long or look like a boundary, and the text arrives byte-exact.
public struct MailMessage: Sendable, Equatable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var subject: String
    public var date: Date
    /// `<…@host>`; angle brackets are added when missing.
    public var messageId: String
    public var textBody: String
    public var htmlBody: String
    public var attachments: [MailAttachment]

    public init(
        from: MailAddress, to: [MailAddress], subject: String, date: Date, messageId: String,
        textBody: String, htmlBody: String, attachments: [MailAttachment] = []
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.date = date
        self.messageId = messageId
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.attachments = attachments
    }

    /// The whole message with CRLF line endings and no line over 998 characters.
    ///
    /// - Parameter boundarySeed: makes the multipart boundaries (letters and digits of it are used), so tests get
    ///   the same bytes every time; pass something unique per message, such as the run id and a random value.
    ///   Boundaries start with `=_`, which base64 lines never contain and part headers never start with, so a
    ///   boundary cannot occur in the content whatever the seed.
    public func rendered(boundarySeed: String) -> Data {
        let seed = String(boundarySeed.unicodeScalars.filter { $0.isASCII && CharacterSet.alphanumerics.contains($0) }.prefix(40).map(Character.init))
        let mixed = "=_LeaverSweep_mixed_\(seed.isEmpty ? "0" : seed)"
        let alternative = "=_LeaverSweep_alt_\(seed.isEmpty ? "0" : seed)"

        var lines: [String] = [
            MIMEHeader.line("From", from.headerValue),
            MIMEHeader.line("To", to.isEmpty ? "undisclosed-recipients:;" : to.map(\.headerValue).joined(separator: ", ")),
            MIMEHeader.line("Subject", MIMEHeader.unstructured(subject)),
            "Date: \(MailDate.rfc5322(date))",
            MIMEHeader.line("Message-ID", Self.messageIdentifier(messageId)),
            "MIME-Version: 1.0",
            // Long seeds make this line longer than 78 columns: `line` puts `boundary=` on a continuation line.
            MIMEHeader.line("Content-Type", "multipart/mixed; boundary=\"\(mixed)\""),
            "",
            "This is a multi-part message in MIME format.",
            "--\(mixed)",
            MIMEHeader.line("Content-Type", "multipart/alternative; boundary=\"\(alternative)\""),
            "",
        ]
        for (type, body) in [("text/plain", textBody), ("text/html", htmlBody)] {
            lines += [
                "--\(alternative)",
                "Content-Type: \(type); charset=utf-8",
                "Content-Transfer-Encoding: base64",
                "",
                MIMEHeader.base64Lines(Data(MIMEHeader.canonicalLineBreaks(body).utf8)),
            ]
        }
        lines.append("--\(alternative)--")
        for attachment in attachments {
            let type = UntrustedText.clean(attachment.contentType, limit: 200).trimmingCharacters(in: .whitespaces)
            lines += [
                "--\(mixed)",
                MIMEHeader.line("Content-Type", type.isEmpty ? "application/octet-stream" : type),
                MIMEHeader.line("Content-Disposition", "attachment; \(MIMEHeader.parameter("filename", attachment.filename))"),
                "Content-Transfer-Encoding: base64",
                "",
                MIMEHeader.base64Lines(attachment.data),
            ]
        }
        lines.append("--\(mixed)--")
        lines.append("")
        return Data(lines.joined(separator: "\r\n").utf8)
    }

    /// `<id>` with whitespace, control characters and stray angle brackets removed.
    static func messageIdentifier(_ text: String) -> String {
        let core = UntrustedText.clean(text, limit: 200).unicodeScalars.filter { $0 != " " && $0 != "<" && $0 != ">" }
        return "<\(String(String.UnicodeScalarView(core)))>"
    }
}
