import Foundation
import LeaverSweepCore

/// What happened to the report emails in this run.
public struct MailOutcome: Sendable, Equatable {
    /// Messages handed to the server in this run (earlier nights' first).
    public var sent = 0
    /// Messages still waiting in the outbox afterwards.
    public var pending = 0
    /// Messages given up on in this run (refused for good, or too many nights).
    public var dropped = 0
    /// Why sending stopped or a message was dropped, if it happened.
    public var failure: String?

    public var failed: Bool { failure != nil }
}

/// Renders the report as an email, keeps it in the outbox, and sends the outbox oldest first.
///
/// Mail comes after reconciling and never undoes it: a failure leaves the message queued for the next run.
struct ReportMailer {
    /// A message still unsent after this many nights is dropped, so an old outage can't block new reports.
    static let maximumAttempts = 14

    let settings: EmailSettings
    let sender: MailSender
    let store: StateStore
    let now: @Sendable () -> Date
    /// App name → owner, for apps configured with `notify_owner = true`.
    var owners: [String: MailAddress] = [:]

    /// Never throws: every problem (the database included) becomes the outcome's failure, because mail must
    /// not turn a completed reconcile into a failed run.
    func deliver(_ report: RunReport) -> MailOutcome {
        var outcome = MailOutcome()
        do {
            if settings.wants(report) {
                let message = compose(report)
                try store.enqueueMail(runId: report.run.id, at: now(), subject: message.subject, sender: settings.from.address,
                                      recipients: settings.to.map(\.address), message: message.rendered(boundarySeed: UUID().uuidString))
            }
            try enqueueOwnerNotices(report)
            let pending = try store.pendingMail()
            for (index, queued) in pending.enumerated() {
                do {
                    // Tonight's envelope: a corrected `to` list also rescues reports queued under the old one.
                    let recipients = queued.audience == Self.ownerAudience ? queued.recipients : settings.to.map(\.address)
                    try sender.send(queued.message, from: settings.from.address, to: recipients)
                    try store.markMailSent(queued.id, at: now())
                    outcome.sent += 1
                } catch let error as MailDeliveryError where error.refusesThisMessageForGood || queued.attempts + 1 >= Self.maximumAttempts {
                    try store.markMailDead(queued.id, at: now(), error: "\(error)")
                    outcome.dropped += 1
                    outcome.failure = "the report of run \(queued.runId) was dropped after \(queued.attempts + 1) attempt(s): \(error)"
                } catch {
                    // The server is down or refusing everyone: later messages would fail the same way.
                    try store.markMailFailed(queued.id, at: now(), error: "\(error)")
                    outcome.failure = "\(error)"
                    outcome.pending = pending.count - index
                    return outcome
                }
            }
        } catch {
            outcome.failure = "the outbox could not be updated: \(error)"
        }
        return outcome
    }

    static let ownerAudience = "owner"

    /// Apps with `notify_owner = true` whose section has new open work tonight: one short notice to the owner, queued
    /// with the report so an outage delays it but never loses it.
    func enqueueOwnerNotices(_ report: RunReport) throws {
        guard report.run.outcome == "completed" else { return }
        let owners = owners
        guard !owners.isEmpty else { return }
        let digest = ReportDigest(report: report, now: now())
        for section in digest.apps where section.hasNewOpenWork {
            guard let owner = owners[section.app] else { continue }
            let message = MailMessage.appOwnerNotice(section, header: digest.header, from: settings.from, to: owner, now: now(),
                                                     messageId: "<leaversweep.run-\(report.run.id).owner.\(UUID().uuidString.lowercased())@\(domain)>")
            try store.enqueueMail(runId: report.run.id, at: now(), subject: message.subject, sender: settings.from.address,
                                  recipients: [owner.address], message: message.rendered(boundarySeed: UUID().uuidString),
                                  audience: Self.ownerAudience)
        }
    }

    private var domain: String { settings.from.address.split(separator: "@").last.map(String.init) ?? "leaversweep.invalid" }

    func compose(_ report: RunReport) -> MailMessage {
        MailMessage.report(report, from: settings.from, to: settings.to, now: now(),
                           messageId: "<leaversweep.run-\(report.run.id).\(UUID().uuidString.lowercased())@\(domain)>")
    }
}
