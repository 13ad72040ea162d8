import Foundation
import LeaverSweepCore

/// Hands out bearer tokens for Graph.
public protocol TokenProvider: AnyObject, Sendable {
    func token() throws -> String
    /// Forgets the cached token, e.g. after Graph said it expired.
    func invalidate()
}

/// OAuth 2.0 client credentials against the Microsoft identity platform's v2.0 token endpoint.
///
/// No refresh token exists in this flow: a new token is requested when the cached one is within five minutes
/// of expiry, or when Graph rejects it.
public final class ClientCredentialsTokenProvider: TokenProvider, @unchecked Sendable {
    private let transport: HTTPTransport
    private let tokenURL: String
    private let clientId: String
    private let clientSecret: String
    private let scope: String
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (Double) -> Void
    private let lock = NSLock()
    private var cached: (token: String, expires: Date)?
    public private(set) var requestsSent = 0

    public init(transport: HTTPTransport, authority: URL, tenant: String, clientId: String, clientSecret: String, scope: String,
                now: @escaping @Sendable () -> Date, sleep: @escaping @Sendable (Double) -> Void) {
        var base = authority.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        self.tokenURL = "\(base)/\(tenant)/oauth2/v2.0/token"
        self.transport = transport
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.scope = scope
        self.now = now
        self.sleep = sleep
    }

    public func invalidate() {
        lock.withLock { cached = nil }
    }

    public func token() throws -> String {
        try lock.withLock {
            if let cached, cached.expires.timeIntervalSince(now()) > 300 { return cached.token }
            let fresh = try requestToken()
            cached = fresh
            return fresh.token
        }
    }

    private func requestToken() throws -> (token: String, expires: Date) {
        let body = FormEncoding.encode([
            ("client_id", clientId), ("scope", scope), ("client_secret", clientSecret), ("grant_type", "client_credentials"),
        ])
        let request = HTTPRequest(
            method: "POST", url: tokenURL,
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: Data(body.utf8), timeoutSeconds: 30
        )
        var attempt = 0
        while true {
            attempt += 1
            let response: HTTPResponse
            do {
                requestsSent += 1
                response = try transport.perform(request)
            } catch let error as TransportError {
                if error.isTransient, attempt < 4 { sleep(Backoff.exponential(attempt: attempt)); continue }
                throw RunFailure.transport("token endpoint \(tokenURL)", error)
            }
            if response.status == 200 {
                return try parseToken(response)
            }
            if [429, 500, 502, 503, 504].contains(response.status), attempt < 4 {
                sleep(Backoff.delay(retryAfter: response.headers["retry-after"], attempt: attempt))
                continue
            }
            throw RunFailure.token(describeFailure(response))
        }
    }

    private func parseToken(_ response: HTTPResponse) throws -> (token: String, expires: Date) {
        guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let token = object["access_token"] as? String, !token.isEmpty else {
            throw RunFailure.token("the token endpoint \(tokenURL) answered 200 without an access_token")
        }
        // expires_in is a number from the v2.0 endpoint, a string from some older ones.
        let lifetime = (object["expires_in"] as? Double) ?? Double(object["expires_in"] as? String ?? "") ?? 3599
        return (token, now().addingTimeInterval(lifetime))
    }

    /// `error` and the first line of `error_description` (it carries the AADSTS code); never the request.
    private func describeFailure(_ response: HTTPResponse) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
            return "\(tokenURL) answered HTTP \(response.status)"
        }
        let code = object["error"] as? String ?? "unknown_error"
        let description = (object["error_description"] as? String)?
            .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        // error_description usually names the correlation id already; add it only when it doesn't.
        let correlation = (object["correlation_id"] as? String).flatMap { description.contains($0) ? nil : " (correlation id \($0))" } ?? ""
        return "\(tokenURL) answered HTTP \(response.status) \(code): \(description)\(correlation)"
    }
}

/// `application/x-www-form-urlencoded`, with the strict character set the spec asks for (a secret may contain
/// `+`, `&` or `=`, which must not be sent raw).
enum FormEncoding {
    static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
