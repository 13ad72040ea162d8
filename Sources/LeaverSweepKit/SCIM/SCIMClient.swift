import Foundation

/// Talks to one downstream app's SCIM 2.0 endpoint (RFC 7644): finds a person's accounts and deactivates them.
///
/// - every request carries `Authorization: Bearer <token>` and SCIM's media type;
/// - 429 and 503 are retried after the app's `Retry-After` (seconds or HTTP-date), a bounded number of
///   times; transient network failures a few times with backoff;
/// - failures are `SCIMError`s naming the app's base URL and the status, never the token.
///
/// Holds no mutable state, so one client may serve lookups from several threads at once.
public struct SCIMClient: Sendable {
    /// Attempts per request while the app answers 429 or 503.
    public static let maximumAttempts = 5
    /// Attempts per request while the network fails transiently (refused connection, reset, timeout).
    public static let maximumNetworkAttempts = 3
    /// Pages read for one lookup before giving up; with the default page size, 5,000 accounts for one
    /// person is already far past anything an equality filter should return.
    public static let maximumPages = 50
    static let errorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"
    /// `replace` with a `path`, the PatchOp form every SCIM app that supports PATCH understands.
    static let deactivationBody = Data(#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}"#.utf8)
    static let mediaType = "application/scim+json"

    let transport: HTTPTransport
    /// The SCIM root without a trailing slash; resource paths such as `/Users` are appended.
    public let baseURL: String
    private let token: String
    let pageSize: Int
    let timeoutSeconds: Int
    let sleep: @Sendable (Double) -> Void

    /// - Parameters:
    ///   - baseURL: the app's SCIM root, e.g. `https://contoso.service-now.com/api/now/scim`.
    ///   - pageSize: the `count` asked for on each page of a lookup.
    ///   - timeoutSeconds: the whole-exchange timeout of each request.
    ///   - sleep: waits between retries; tests pass a recorder.
    public init(transport: HTTPTransport, baseURL: String, token: String, pageSize: Int = 100, timeoutSeconds: Int = 30,
                sleep: @escaping @Sendable (Double) -> Void) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.transport = transport
        self.baseURL = base
        self.token = token
        self.pageSize = max(1, pageSize)
        self.timeoutSeconds = max(1, timeoutSeconds)
        self.sleep = sleep
    }

    /// Sets the account's `active` to false with a PatchOp (RFC 7644 §3.5.2.3). Deactivating an account that
    /// is already inactive is harmless, so a retried or repeated call does no damage.
    public func deactivate(userId: String) throws {
        let operation = "PATCH /Users/\(sanitized(userId))"
        guard !userId.isEmpty else {
            throw SCIMError(baseURL: baseURL, operation: operation, failure: .invalidRequest("refusing to PATCH an account with an empty id"))
        }
        let response = try send("PATCH", path: "/Users/" + Self.percentEncoded(userId), operation: operation, body: Self.deactivationBody)
        switch response.status {
        case 204:
            return
        case 200:
            // An app that returns the resource shows what it did; one that ignored the change must not pass as done.
            if let user = try? JSONDecoder().decode(SCIMUser.self, from: response.body), user.active == true {
                throw SCIMError(baseURL: baseURL, operation: operation,
                                failure: .unexpectedResponse("the app accepted the PATCH but returned the account still active"),
                                status: response.status)
            }
        default:
            throw SCIMError(baseURL: baseURL, operation: operation,
                            failure: .unexpectedResponse("expected HTTP 200 or 204 to the PATCH, got HTTP \(response.status); the change may not have been applied"),
                            status: response.status)
        }
    }

    /// Sends one request (retrying as described above) and returns the first 2xx answer.
    func send(_ method: String, path: String, operation: String, body: Data? = nil) throws -> HTTPResponse {
        var headers: [(name: String, value: String)] = [
            ("Authorization", "Bearer \(token)"),
            ("Accept", Self.mediaType),
        ]
        if body != nil { headers.append(("Content-Type", Self.mediaType)) }
        var request = HTTPRequest(method: method, url: baseURL + path, headers: headers, body: body, timeoutSeconds: timeoutSeconds)
        var attempt = 0
        var networkAttempt = 0
        while true {
            let response: HTTPResponse
            do {
                response = try transport.perform(request)
            } catch let error as TransportError {
                networkAttempt += 1
                guard error.isTransient, networkAttempt < Self.maximumNetworkAttempts else {
                    throw SCIMError(baseURL: baseURL, operation: operation, failure: .unreachable(error))
                }
                sleep(Backoff.exponential(attempt: networkAttempt))
                continue
            }
            attempt += 1
            switch response.status {
            case 200..<300:
                return response
            case 429, 503:
                guard attempt < Self.maximumAttempts else {
                    throw failure(.throttled(attempts: attempt), response, operation)
                }
                sleep(Backoff.delay(retryAfter: response.headers["retry-after"], attempt: attempt))
                // A 503 may come from one unhealthy node behind a balancer; a new connection may reach another.
                request.freshConnection = response.status == 503
            case 401, 403:
                throw failure(.unauthorized, response, operation)
            case 404:
                throw failure(.notFound, response, operation)
            default:
                throw failure(.rejected, response, operation)
            }
        }
    }

    /// An error for an HTTP answer, with the app's SCIM error body or the start of whatever else it sent.
    func failure(_ failure: SCIMError.Failure, _ response: HTTPResponse, _ operation: String) -> SCIMError {
        let detail = SCIMErrorDetail.parse(response.body).map {
            SCIMErrorDetail(status: $0.status.map(sanitized), scimType: $0.scimType.map(sanitized), detail: $0.detail.map(sanitized))
        }
        // Redact before shortening, over far more than is kept, so no cut can leave part of an echoed token.
        let excerpt = detail == nil && !response.body.isEmpty ? sanitized(String(decoding: response.body.prefix(65_536), as: UTF8.self)) : nil
        return SCIMError(baseURL: baseURL, operation: operation, failure: failure, status: response.status,
                         scimError: detail, responseExcerpt: excerpt)
    }

    /// Text from the app, made safe for a one-line error: the token removed (an app might echo the
    /// Authorization header), control characters flattened, and the length capped.
    func sanitized(_ text: String) -> String {
        var text = text
        if !token.isEmpty { text = text.replacingOccurrences(of: token, with: "[token removed]") }
        let flattened = String(String.UnicodeScalarView(text.unicodeScalars.map {
            $0.properties.generalCategory == .control || $0 == "\u{2028}" || $0 == "\u{2029}" ? " " : $0
        }))
        let trimmed = flattened.trimmingCharacters(in: .whitespaces)
        return trimmed.count > 300 ? String(trimmed.prefix(300)) + "…" : trimmed
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters, so a value can sit in a query
    /// parameter or a path segment without changing the URL's structure.
    static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += String(format: "%%%02X", byte)
            }
        }
        return encoded
    }
}
