import Foundation

/// Hands a finished RFC 5322 message to a mail server.
public protocol MailSender: Sendable {
    func send(_ message: Data, from: String, to: [String]) throws
}

/// Why a message could not be handed over. Never contains the SMTP password.
public struct MailDeliveryError: Error, CustomStringConvertible, Equatable {
    public var server: String
    /// libcurl's CURLcode (e.g. 7 connection refused, 64 STARTTLS refused, 67 login denied).
    public var code: Int
    public var message: String
    /// The server's last SMTP reply code, when it answered at all.
    public var smtpStatus: Int?

    public init(server: String, code: Int, message: String, smtpStatus: Int? = nil) {
        self.server = server
        self.code = code
        self.message = message
        self.smtpStatus = smtpStatus
    }

    /// The server refused this message for good (5xx: no valid recipient, too large, sender refused).
    /// Authentication failures (530, 534, 535) are excluded: they refuse every message and need a person.
    public var refusesThisMessageForGood: Bool {
        guard let status = smtpStatus, (500...599).contains(status) else { return false }
        return ![530, 534, 535].contains(status)
    }

    public var description: String {
        "could not send the report through \(server): \(message)\(smtpStatus.map { " (SMTP \($0))" } ?? "") (curl code \(code))"
    }
}
