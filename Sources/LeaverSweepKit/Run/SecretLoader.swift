import Foundation
import LeaverSweepCore

/// Reads the client secret from where the config says, and nowhere else.
public enum SecretLoader {
    /// - Returns: the secret, and a warning when a secret file is readable by group or others.
    public static func load(_ source: SecretSource, environment: [String: String]) throws -> (secret: String, warning: String?) {
        switch source {
        case .environment(let variable):
            guard let value = environment[variable], !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw RunFailure.secretUnavailable("the client secret's environment variable \(variable) is not set or empty (auth.client_secret_env)")
            }
            return (value.trimmingCharacters(in: .whitespacesAndNewlines), nil)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw RunFailure.secretUnavailable("cannot read the client secret file \(path) (auth.client_secret_file)")
            }
            let secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !secret.isEmpty else {
                throw RunFailure.secretUnavailable("the client secret file \(path) is empty (auth.client_secret_file)")
            }
            var warning: String?
            if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
               let permissions = attributes[.posixPermissions] as? Int, permissions & 0o077 != 0 {
                warning = "the client secret file \(path) is readable by other users (mode \(String(permissions, radix: 8))); run: chmod 600 \(path)"
            }
            return (secret, warning)
        }
    }
}
