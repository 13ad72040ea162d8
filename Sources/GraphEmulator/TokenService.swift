import Foundation

/// The Entra v2.0 client-credentials endpoint and the bearer tokens it issued.
///
/// Error bodies follow Entra's shape (`error`, `error_description` with an AADSTS code, `error_codes`,
/// `timestamp`, `trace_id`, `correlation_id`) so clients can be tested against realistic failures.
struct TokenService {
    let options: EmulatorOptions
    /// token → expiry; a token forced to expire by a fault gets `distantPast` and stays invalid.
    private var expiries: [String: Date] = [:]

    init(options: EmulatorOptions) {
        self.options = options
    }

    enum Check: Equatable {
        case valid(token: String)
        case missing
        case unknown
        case expired
    }

    mutating func issue(_ request: HTTPRequest, tenant: String, now: Date) -> HTTPResponse {
        guard request.method == "POST" else {
            return failure(400, "invalid_request", 900561,
                           "The endpoint only accepts POST requests. Received a \(request.method) request.", now: now)
        }
        guard tenant.lowercased() == options.tenantId.lowercased() || tenant.lowercased() == options.tenantGUID.lowercased() else {
            return failure(400, "invalid_request", 90002,
                           "Tenant '\(tenant)' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", now: now)
        }
        var form: [String: String] = [:]
        for (key, value) in URLCoding.parsePairs(String(decoding: request.body, as: UTF8.self)) { form[key] = value }
        // RFC 6749 §2.3.1: the client may authenticate with HTTP Basic (url-encoded id and secret) instead.
        if let basic = Self.basicCredentials(request.header("Authorization")) {
            form["client_id"] = form["client_id"] ?? basic.id
            form["client_secret"] = form["client_secret"] ?? basic.secret
        }
        guard let grantType = form["grant_type"] else {
            return failure(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.", now: now)
        }
        guard grantType == "client_credentials" else {
            return failure(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '\(grantType)'.", now: now)
        }
        guard let clientId = form["client_id"], !clientId.isEmpty else {
            return failure(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.", now: now)
        }
        guard clientId.lowercased() == options.clientId.lowercased() else {
            return failure(400, "unauthorized_client", 700016,
                           "Application with identifier '\(clientId)' was not found in the directory '\(options.tenantId)'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", now: now)
        }
        let scope = form["scope"] ?? ""
        guard scope.hasSuffix("/.default") else {
            return failure(400, "invalid_scope", 1002012,
                           "The provided value for scope \(scope) is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", now: now)
        }
        guard scope == "https://graph.microsoft.com/.default" else {
            return failure(400, "invalid_scope", 70011,
                           "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope \(scope) is not valid.", now: now)
        }
        guard let secret = form["client_secret"] else {
            return failure(401, "invalid_client", 7000218,
                           "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", now: now)
        }
        guard secret == options.clientSecret else {
            return failure(401, "invalid_client", 7000215,
                           "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '\(options.clientId)'.", now: now)
        }
        let token = Self.randomToken()
        expiries[token] = now.addingTimeInterval(TimeInterval(options.tokenLifetimeSeconds))
        let body: [String: Any] = [
            "token_type": "Bearer",
            "expires_in": options.tokenLifetimeSeconds,
            "ext_expires_in": options.tokenLifetimeSeconds,
            "access_token": token,
        ]
        return Self.json(200, body)
    }

    /// The answer to every token request while the `tokenEndpointDown` fault is on: Entra's outage shape.
    func unavailable(now: Date, retryAfterSeconds: Int) -> HTTPResponse {
        var response = failure(503, "temporarily_unavailable", 90033,
                               "A transient error has occurred. Please try again.", now: now)
        response.headers.append(HTTPHeader(name: "Retry-After", value: String(retryAfterSeconds)))
        return response
    }

    func check(authorization: String?, now: Date) -> Check {
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else { return .missing }
        let token = authorization.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        if token.isEmpty { return .missing }
        guard let expiry = expiries[token] else { return .unknown }
        return now < expiry ? .valid(token: token) : .expired
    }

    /// Used by the expireTokensEveryNth fault: the token stays invalid, so only a new token request recovers.
    mutating func expire(_ token: String) {
        expiries[token] = .distantPast
    }

    // MARK: Helpers

    private func failure(_ status: Int, _ error: String, _ code: Int, _ description: String, now: Date) -> HTTPResponse {
        let traceId = UUID().uuidString.lowercased()
        let correlationId = UUID().uuidString.lowercased()
        let body: [String: Any] = [
            "error": error,
            "error_description": "AADSTS\(code): \(description) Trace ID: \(traceId) Correlation ID: \(correlationId) Timestamp: \(GraphTime.tokenErrorTimestamp(now))",
            "error_codes": [code],
            "timestamp": GraphTime.tokenErrorTimestamp(now),
            "trace_id": traceId,
            "correlation_id": correlationId,
            "error_uri": "https://login.microsoftonline.com/error?code=\(code)",
        ]
        return Self.json(status, body)
    }

    private static func json(_ status: Int, _ body: [String: Any]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [
            HTTPHeader(name: "Content-Type", value: "application/json; charset=utf-8"),
            HTTPHeader(name: "Cache-Control", value: "no-store, no-cache"),
            HTTPHeader(name: "Pragma", value: "no-cache"),
        ], body: GraphJSON.data(body))
    }

    private static func basicCredentials(_ header: String?) -> (id: String, secret: String)? {
        guard let header, header.lowercased().hasPrefix("basic "),
              let data = Data(base64Encoded: String(header.dropFirst("basic ".count)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
        return (URLCoding.percentDecode(String(text[..<colon]), plusAsSpace: true),
                URLCoding.percentDecode(String(text[text.index(after: colon)...]), plusAsSpace: true))
    }

    /// Opaque on purpose: clients must not parse access tokens.
    private static func randomToken() -> String {
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<40).map { _ in UInt8.random(in: 0...255, using: &random) }
        return "emu." + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
