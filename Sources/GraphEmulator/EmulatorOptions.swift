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
    /// Page size of `/users/delta` and `/devices/delta` (Graph caps users/delta pages at 200).
    public var pageCapDelta: Int = 200
    /// Added to every response, outside the state lock (benchmarks use 50).
    public var latencyMilliseconds: Int = 0
    /// Paths after `/v1.0` that answer 403: a first segment (`auditLogs`), or a segment prefix where `*` matches
    /// any one segment (`auditLogs/provisioning`, `servicePrincipals/*/synchronization`). Under `auditLogs` the
    /// 403 is the licence error `Authentication_RequestFromNonPremiumTenantOrB2CTenant` (a free tenant); elsewhere
    /// `Authorization_RequestDenied` (a missing permission).
    public var deniedEndpoints: Set<String> = []
    /// Paths (same syntax) that answer 401 `UnknownError` with an empty message: what the synchronization API
    /// returns to an app lacking `Synchronization.Read.All` (docs-contrib #8800, zerotrustassessment #1382), which
    /// a client must not mistake for an expired token.
    public var unauthorizedEndpoints: Set<String> = []
    /// Enforces the identity-reports limit: the 6th request to `/auditLogs/directoryAudits` or
    /// `/auditLogs/provisioning` within 10 s of emulator time answers 429 with Retry-After. Off by default so
    /// other tests keep their speed.
    public var reportThrottling = false
    public var faults: FaultPlan = FaultPlan()

    public init() {}
}

/// Injected failures, counted over Graph requests only (never the token endpoint) unless a field says otherwise.
/// A `$batch` envelope counts as one request and each of its inner requests as one more. Exchange-level faults
/// (reset, stall, truncated body, malformed JSON, expired token) are the envelope's: a faulted envelope runs no
/// inner request. An inner request that draws 429, 503 or 500 gets it as its own inner response (with
/// Retry-After in its inner headers); an exchange-level fault drawn by an inner request is not injected.
///
/// When several "every Nth" faults pick the same request, the first in this order wins: reset, stall,
/// truncate, malformed JSON, server error, throttle, unavailable. A faulted request has no effect on tenant
/// state: only a truncated read is served by its route first, and reads change nothing.
public struct FaultPlan: Sendable, Equatable {
    /// Every Nth Graph request answers 429 TooManyRequests with Retry-After.
    public var throttleEveryNth: Int = 0
    /// Every Nth Graph request answers 503 serviceNotAvailable with Retry-After.
    public var unavailableEveryNth: Int = 0
    public var retryAfterSeconds: Int = 1
    /// A token expires, for good, on the Nth request it authenticates, forcing a new token request.
    public var expireTokensEveryNth: Int = 0
    /// Every Nth Graph request is read, then the connection is closed with a TCP RST (SO_LINGER 0), unanswered.
    public var resetEveryNth: Int = 0
    /// Every Nth Graph request gets its headers with the full Content-Length but only half the body, then a close.
    public var truncateEveryNth: Int = 0
    /// Every Nth Graph request answers 200 with a body that is not JSON (`{"value": [ {"id": `).
    public var malformedJSONEveryNth: Int = 0
    /// Every Nth Graph request is answered with nothing for `stallSeconds`, then the connection is closed.
    public var stallEveryNth: Int = 0
    /// How long a stalled request waits before the close; it ends early if the client hangs up first.
    public var stallSeconds: Double = 30
    /// Every Nth Graph request answers 500 generalException, without Retry-After.
    public var serverErrorEveryNth: Int = 0
    /// The token endpoint answers every request with 503 temporarily_unavailable (Retry-After included).
    public var tokenEndpointDown = false
    /// Collections never end: past the last item every page is empty and links to another page, each through
    /// a different opaque skiptoken, so only a client-side page cap stops the client.
    public var endlessPaging = false

    public init() {}

    /// The fault, if any, for the `sequence`-th Graph request (1-based); token expiry is decided separately,
    /// because it depends on the token presented.
    public func fault(forGraphRequest sequence: Int) -> InjectedFault? {
        let schedule: [(Int, InjectedFault)] = [
            (resetEveryNth, .reset), (stallEveryNth, .stall), (truncateEveryNth, .truncatedBody),
            (malformedJSONEveryNth, .malformedJSON), (serverErrorEveryNth, .serverError),
            (throttleEveryNth, .throttled), (unavailableEveryNth, .unavailable),
        ]
        return schedule.first { every, _ in every > 0 && sequence % every == 0 }?.1
    }
}

/// A failure the emulator injected into one exchange, as recorded with the request.
public enum InjectedFault: String, Sendable, Equatable, CaseIterable {
    /// TCP RST after the request was read; no response.
    case reset
    /// Nothing answered for `stallSeconds`, then a close.
    case stall
    /// Full Content-Length announced, half the body sent, then a close.
    case truncatedBody
    /// 200 with a body that is not JSON.
    case malformedJSON
    /// 500 generalException.
    case serverError
    /// 429 TooManyRequests with Retry-After.
    case throttled
    /// 503 serviceNotAvailable with Retry-After.
    case unavailable
    /// 401 InvalidAuthenticationToken for a token the fault plan expired.
    case expiredToken
    /// 503 from the token endpoint.
    case tokenEndpointDown

    /// True when the client got no complete HTTP response (recorded with status 0).
    public var isTransportLevel: Bool {
        self == .reset || self == .stall || self == .truncatedBody
    }
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
    /// The status sent, or 0 when no complete response was (reset, stall, truncated body).
    public let status: Int
    public let tokenEndpoint: Bool
    /// The fault injected into this exchange, if any. A faulted request had no effect, whatever its status
    /// (a malformed-JSON answer is a 200 that changed nothing).
    public let fault: InjectedFault?
    /// True for a request that arrived inside a `POST /v1.0/$batch` (the envelope itself is recorded too,
    /// with `batch` false, before its inner requests).
    public let batch: Bool
    /// Response body bytes sent. For inner batch requests: the bytes of that inner body inside the envelope,
    /// so summing the records with `batch` false gives the bytes that went over the wire.
    public let responseBytes: Int

    public init(method: String, path: String, query: [String: String], headers: [String: String],
                body: String, status: Int, tokenEndpoint: Bool, fault: InjectedFault? = nil, batch: Bool = false,
                responseBytes: Int = 0) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.status = status
        self.tokenEndpoint = tokenEndpoint
        self.fault = fault
        self.batch = batch
        self.responseBytes = responseBytes
    }

    /// True for a request that could change Graph state: not GET/HEAD, under `/v1.0`, not the token endpoint,
    /// not a `$batch` envelope (its inner writes are recorded, and count, one by one).
    public var isGraphWrite: Bool {
        !tokenEndpoint && method != "GET" && method != "HEAD" && (path == "/v1.0" || path.hasPrefix("/v1.0/"))
            && path.lowercased() != "/v1.0/$batch"
    }
}
