import Foundation

extension MailMessage {
    /// The short email an app's owner gets (`notify_owner = true`): only their app, every leaver still open there,
    /// and what to do. No CSV and no tenant-wide numbers: the owner runs one app, not the directory.
    public static func appOwnerNotice(_ section: ReportDigest.AppSection, header: ReportDigest.Header, from: MailAddress, to owner: MailAddress,
                                      now: Date, messageId: String) -> MailMessage {
        let open = section.entries.filter { $0.finding.status != .applied }
        let app = UntrustedText.clean(section.app, limit: 100)
        let tenant = UntrustedText.clean(header.tenantShortName, limit: 63)
        let subject = "[LeaverSweep] \(tenant): \(open.count) \(open.count == 1 ? "leaver" : "leavers") to deprovision in \(app)"
        let manual = open.contains { $0.finding.kind == .manualDeprovisioning }

        var text = "These people have left (their accounts are disabled in Microsoft Entra ID) but may still have access to \(app).\n"
        text += manual
            ? "Please remove or deactivate their accounts, then tell your identity admins, who mark each one done with `leaversweep ack`.\n\n"
            : "Please remove or deactivate their accounts in \(app).\n\n"
        var rows = ""
        for entry in open {
            let user = entry.finding.user
            let name = user.displayName.map { UntrustedText.clean($0, limit: 100) + " " } ?? ""
            let since = entry.firstSeen.flatMap(GraphTimestamp.parse).map { ", open since \(GraphTimestamp.readable($0))" } ?? ""
            let new = entry.isNew ? " (new)" : ""
            text += "- \(name)<\(UntrustedText.clean(user.userPrincipalName, limit: 120))>: \(entry.finding.kind.label)\(since)\(new)\n"
            rows += "<tr><td style=\"padding:4px 8px;\">\(HTMLText.safe(user.displayName ?? "", limit: 100))</td>"
                + "<td style=\"padding:4px 8px;\">\(HTMLText.safe(user.userPrincipalName, limit: 120))</td>"
                + "<td style=\"padding:4px 8px;\">\(HTMLText.escape(entry.finding.kind.label))\(entry.isNew ? " <strong>(new)</strong>" : "")</td></tr>\n"
        }
        text += "\nSent by LeaverSweep for tenant \(tenant), run \(header.runId) (\(header.startedAt)).\n"
        let html = """
            <!DOCTYPE html><html><body style="font-family:Arial,sans-serif;font-size:14px;color:#1f2328;">
            <p>These people have left (their accounts are disabled in Microsoft Entra ID) but may still have access to <strong>\(HTMLText.escape(app))</strong>.</p>
            <p>\(manual ? "Please remove or deactivate their accounts, then tell your identity admins, who mark each one done." : "Please remove or deactivate their accounts.")</p>
            <table cellspacing="0" style="border-collapse:collapse;"><tr><th align="left" style="padding:4px 8px;">Name</th><th align="left" style="padding:4px 8px;">Sign-in name</th><th align="left" style="padding:4px 8px;">What</th></tr>
            \(rows)</table>
            <p style="color:#57606a;">Sent by LeaverSweep for tenant \(HTMLText.escape(tenant)), run \(header.runId).</p>
            </body></html>
            """
        return MailMessage(from: from, to: [owner], subject: subject, date: now, messageId: messageId, textBody: text, htmlBody: html)
    }
}

extension ReportDigest.AppSection {
    /// Worth a note to the owner: something new tonight and still open.
    public var hasNewOpenWork: Bool { entries.contains { $0.isNew && $0.finding.status != .applied } }
}
