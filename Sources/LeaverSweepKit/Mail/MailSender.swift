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

    public init(server: String, code: Int, message: String) {
        self.server = server
        self.code = code
        self.message = message
    }

    public var description: String { "could not send the report through \(server): \(message) (curl code \(code))" }
}
