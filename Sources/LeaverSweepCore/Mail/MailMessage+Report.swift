import Foundation

extension MailMessage {
    /// The report email of one run: the subject line, plain-text and HTML parts, and the CSV of all findings.
    ///
    /// - Parameters:
    ///   - now: when the mail is written; ages in the report and the `Date:` header use it.
    ///   - messageId: unique per message (`<run-7.1a2b3c@leaversweep.contoso.com>`); the caller owns randomness.
    public static func report(_ report: RunReport, from: MailAddress, to: [MailAddress], now: Date, messageId: String) -> MailMessage {
        let digest = ReportDigest(report: report, now: now)
        let tenant = String(digest.header.tenantShortName.unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-") }.map(Character.init))
        let csv = MailAttachment(
            filename: "leaversweep-\(tenant.isEmpty ? "" : tenant + "-")run-\(report.run.id).csv",
            contentType: "text/csv; charset=utf-8",
            data: Data(CSVReport.render(report).utf8)
        )
        return MailMessage(
            from: from, to: to, subject: ReportSubject.line(for: digest), date: now, messageId: messageId,
            textBody: PlainTextReport.render(digest), htmlBody: HTMLReport.render(digest), attachments: [csv]
        )
    }
}
