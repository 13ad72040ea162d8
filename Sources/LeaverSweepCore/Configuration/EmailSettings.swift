import Foundation

/// The `[email]` section: where and when the report is mailed.
public struct EmailSettings: Sendable, Equatable {
    public enum StartTLS: String, Sendable, Equatable {
        /// Refuse to send unless the server upgrades the connection (smtp://) — the default.
        case required
        /// Plain SMTP; accepted only for loopback servers (tests, a local relay).
        case off
    }

    public enum SendPolicy: String, Sendable, Equatable {
        case always
        /// Only when there is something to read: drift open, new or fixed, writes made or failed, or a failed run.
        case onDrift = "on_drift"
        case never
    }

    public var smtpURL: URL
    public var startTLS: StartTLS
    public var username: String?
    public var password: SecretSource?
    public var from: MailAddress
    public var to: [MailAddress]
    public var send: SendPolicy

    public init(smtpURL: URL, startTLS: StartTLS, username: String?, password: SecretSource?, from: MailAddress, to: [MailAddress], send: SendPolicy) {
        self.smtpURL = smtpURL
        self.startTLS = startTLS
        self.username = username
        self.password = password
        self.from = from
        self.to = to
        self.send = send
    }

    /// Whether tonight's report is worth an email under this policy.
    public func wants(_ report: RunReport) -> Bool {
        switch send {
        case .always: return true
        case .never: return false
        case .onDrift:
            let s = report.summary
            let changed = !(report.history?.newKeys.isEmpty ?? true) || !(report.history?.fixed.isEmpty ?? true)
            return report.run.outcome != "completed" || s.findings - s.excluded > 0 || changed || s.failed > 0 || !report.appProblems.isEmpty
        }
    }
}
