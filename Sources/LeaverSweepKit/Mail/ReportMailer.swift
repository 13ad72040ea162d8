import Foundation
import LeaverSweepCore

/// What happened to the report emails in this run.
public struct MailOutcome: Sendable, Equatable {
    /// Messages handed to the server in this run (earlier nights' first).
    public var sent = 0
    /// Messages still in the outbox afterwards.
    public var pending = 0
    /// Why sending stopped, if it did.
    public var failure: String?

    public var failed: Bool { failure != nil }
}

/// Renders the report as an email, keeps it in the outbox, and sends the outbox oldest first.
///
/// Mail comes after reconciling and never undoes it: a failure leaves the message queued for the next run.
struct ReportMailer {
    let settings: EmailSettings
    let sender: MailSender
    let store: StateStore
    let now: @Sendable () -> Date

    func deliver(_ report: RunReport) throws -> MailOutcome {
        if settings.wants(report) {
            let message = try compose(report)
            try store.enqueueMail(runId: report.run.id, at: now(), subject: message.subject, sender: settings.from.address,
                                  recipients: settings.to.map(\.address), message: message.rendered(boundarySeed: UUID().uuidString))
        }
        var outcome = MailOutcome()
        let pending = try store.pendingMail()
        for (index, queued) in pending.enumerated() {
            do {
                try sender.send(queued.message, from: queued.sender, to: queued.recipients)
                try store.markMailSent(queued.id, at: now())
                outcome.sent += 1
            } catch {
                // The server is down or refusing: later messages would fail the same way; keep them all for next time.
                try store.markMailFailed(queued.id, at: now(), error: "\(error)")
                outcome.failure = "\(error)"
                outcome.pending = pending.count - index
                return outcome
            }
        }
        return outcome
    }

    func compose(_ report: RunReport) throws -> MailMessage {
        let domain = settings.from.address.split(separator: "@").last.map(String.init) ?? "leaversweep.invalid"
        return MailMessage.report(report, from: settings.from, to: settings.to, now: now(),
                                  messageId: "<leaversweep.run-\(report.run.id).\(UUID().uuidString.lowercased())@\(domain)>")
    }
}
