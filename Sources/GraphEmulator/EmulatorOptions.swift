import Foundation

/// How the emulated tenant and service behave: credentials, token lifetime, page caps, latency, denials.
public struct EmulatorOptions: Sendable {
    /// The token endpoint accepts this domain or `tenantGUID` as `{tenant}`.
    public var tenantId: String = "contoso.onmicrosoft.com"
    public var tenantGUID: String = "9188040d-6c67-4c5b-b112-36a304b66dad"
    public var clientId: String = "11111111-2222-3333-4444-555555555555"
    public var clientSecret: String = "emulator-secret"
    /// Tokens expire after this; requests with an expired token get 401 InvalidAuthenticationToken.
    public var tokenLifetimeSeconds: Int = 3599
    /// Server-side page caps; tests use small caps to force paging.
    public var pageCapUsers: Int = 999
    public var pageCapDevices: Int = 999
    /// Page cap for devices with `$expand=registeredOwners`.
    public var pageCapWithExpand: Int = 100
    /// Added to every response, outside the state lock (benchmarks use 50).
    public var latencyMilliseconds: Int = 0
    /// First path segments after `/v1.0` that answer 403, e.g. `["auditLogs"]` for a free tenant.
    public var deniedEndpoints: Set<String> = []
    public var faults: FaultPlan = FaultPlan()

    public init() {}
}

/// Injected failures, counted over Graph requests only (never the token endpoint).
public struct FaultPlan: Sendable, Equatable {
    /// Every Nth Graph request answers 429 TooManyRequests with Retry-After.
    public var throttleEveryNth: Int = 0
    /// Every Nth Graph request answers 503 serviceNotAvailable with Retry-After.
    public var unavailableEveryNth: Int = 0
    public var retryAfterSeconds: Int = 1
    /// Every Nth Graph request treats the presented token as expired, for good, forcing a new token request.
    public var expireTokensEveryNth: Int = 0

    public init() {}
}

/// One request as it reached the emulator, with the status it got; for assertions.
public struct RecordedRequest: Sendable, Equatable {
    public let method: String
    /// Percent-decoded path without query, e.g. `/v1.0/users/abc/revokeSignInSessions`.
    public let path: String
    /// Percent-decoded query options; a repeated key keeps its last value.
    public let query: [String: String]
    /// Header names lower-cased.
    public let headers: [String: String]
    public let body: String
    public let status: Int
    public let tokenEndpoint: Bool

    public init(method: String, path: String, query: [String: String], headers: [String: String],
                body: String, status: Int, tokenEndpoint: Bool) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.status = status
        self.tokenEndpoint = tokenEndpoint
    }

    /// True for a request that could change Graph state: not GET/HEAD, under `/v1.0`, not the token endpoint.
    public var isGraphWrite: Bool {
        !tokenEndpoint && method != "GET" && method != "HEAD" && (path == "/v1.0" || path.hasPrefix("/v1.0/"))
    }
}
