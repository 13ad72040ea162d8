import Foundation
import LeaverSweepCore

/// Reads the client secret from where the config says, and nowhere else.
public enum SecretLoader {
    /// Which secret, for messages: "client secret" / "auth.client_secret", or "SMTP password" / "email.password".
    public struct Purpose: Sendable {
        public var name: String
        public var keyPrefix: String
        public static let clientSecret = Purpose(name: "client secret", keyPrefix: "auth.client_secret")
        public static let smtpPassword = Purpose(name: "SMTP password", keyPrefix: "email.password")
    }

    /// - Returns: the secret, and a warning when a secret file is readable by group or others.
    public static func load(_ source: SecretSource, environment: [String: String], purpose: Purpose = .clientSecret) throws -> (secret: String, warning: String?) {
        switch source {
        case .environment(let variable):
            guard let value = environment[variable], !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw RunFailure.secretUnavailable("the \(purpose.name)'s environment variable \(variable) is not set or empty (\(purpose.keyPrefix)_env)")
            }
            return (value.trimmingCharacters(in: .whitespacesAndNewlines), nil)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw RunFailure.secretUnavailable("cannot read the \(purpose.name) file \(path) (\(purpose.keyPrefix)_file)")
            }
            let secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !secret.isEmpty else {
                throw RunFailure.secretUnavailable("the \(purpose.name) file \(path) is empty (\(purpose.keyPrefix)_file)")
            }
            var warning: String?
            if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
               let permissions = attributes[.posixPermissions] as? Int, permissions & 0o077 != 0 {
                warning = "the \(purpose.name) file \(path) is readable by other users (mode \(String(permissions, radix: 8))); run: chmod 600 \(path)"
            }
            return (secret, warning)
        }
    }
}
