import Foundation
import LeaverSweepCore

/// A JSON response from Graph that succeeded.
public struct GraphResponse: Sendable {
    public var status: Int
    public var body: Data
    public var requestId: String?
    public var clientRequestId: String
}

/// Counts what a run sent, for the summary and the benchmark.
public struct GraphTraffic: Sendable, Equatable {
    public var reads = 0
    public var writes = 0
    public var retries = 0
    public var throttled = 0
    public var tokenRefreshes = 0
    public var bytesReceived = 0
    /// `POST /$batch` requests (attempts, like `reads` and `writes`).
    public var batches = 0
    /// Reads and writes that travelled inside a `$batch`.
    public var batchedReads = 0
    public var batchedWrites = 0

    /// HTTP requests that reached the wire.
    public var requests: Int { reads + writes + batches }
    /// Write operations, sent alone or inside batches.
    public var writeOperations: Int { writes + batchedWrites }
}

/// Talks to Microsoft Graph v1.0 the way its documentation asks clients to.
///
/// - a fresh `client-request-id` per request, Graph's `request-id` kept with every error;
/// - 429 and 503 (and 502/504) retried after `Retry-After`, bounded and jittered;
/// - one new token and one retry when Graph says the token expired;
/// - `@odata.nextLink` followed as an opaque URL, but only to the Graph host (never send the token elsewhere).
public final class GraphClient: @unchecked Sendable {
    public static let maximumAttempts = 8
    /// Fresh tokens one request may fetch after 401 InvalidAuthenticationToken before giving up.
    public static let maximumTokenRefreshes = 3
    /// Guards against a server that never stops paging (999 × 20,000 = ~20 million objects).
    public static let maximumPages = 20_000
    public static let maximumEmptyPagesInARow = 50

    private let transport: HTTPTransport
    private let tokens: TokenProvider
    private let baseURL: String
    private let origin: String
    let sleep: @Sendable (Double) -> Void
    /// Bounds requests in flight across every thread using this client; shrinks when Graph throttles.
    public let concurrency: AdaptiveConcurrency
    private let lock = NSLock()
    private var counters = GraphTraffic()

    /// - Parameter endpoint: Graph host such as `https://graph.microsoft.com`; `/v1.0` is appended.
    public init(transport: HTTPTransport, tokens: TokenProvider, endpoint: URL, sleep: @escaping @Sendable (Double) -> Void,
                maxConcurrency: Int = 16) {
        var host = endpoint.absoluteString
        while host.hasSuffix("/") { host.removeLast() }
        self.origin = host
        self.baseURL = host + "/v1.0"
        self.transport = transport
        self.tokens = tokens
        self.sleep = sleep
        self.concurrency = AdaptiveConcurrency(maximum: maxConcurrency)
    }

    public var traffic: GraphTraffic { lock.withLock { counters } }

    /// Sends one request (`path` relative to `/v1.0`, or an absolute nextLink) and returns the successful response.
    public func send(_ method: String, _ pathOrURL: String, json: Data? = nil, headers extraHeaders: [(String, String)] = []) throws -> GraphResponse {
        try send(method, pathOrURL, json: json, headers: extraHeaders, isBatch: false)
    }

    func send(_ method: String, _ pathOrURL: String, json: Data?, headers extraHeaders: [(String, String)], isBatch: Bool) throws -> GraphResponse {
        let url = try resolve(pathOrURL)
        let displayPath = url.hasPrefix(baseURL) ? String(url.dropFirst(baseURL.count)) : url
        var ownRefreshes = 0
        var retriedWithSomeoneElsesToken = 0
        var attempt = 0
        var lastStatus = 0
        while true {
            attempt += 1
            let clientRequestId = UUID().uuidString.lowercased()
            let usedToken = try tokens.token()
            var headers: [(name: String, value: String)] = [
                ("Authorization", "Bearer \(usedToken)"),
                ("client-request-id", clientRequestId),
                ("return-client-request-id", "true"),
                ("Accept", "application/json"),
            ]
            if json != nil { headers.append(("Content-Type", "application/json")) }
            headers.append(contentsOf: extraHeaders.map { (name: $0.0, value: $0.1) })
            var request = HTTPRequest(method: method, url: url, headers: headers, body: json, timeoutSeconds: 100)
            // Graph: "retry a 503 on a new HTTP connection" (the old one may be pinned to an unhealthy node).
            request.freshConnection = lastStatus == 503

            count { isBatch ? ($0.batches += 1) : method == "GET" ? ($0.reads += 1) : ($0.writes += 1) }
            let response: HTTPResponse
            do {
                response = try perform(request)
            } catch let error as TransportError {
                guard error.isTransient, attempt < Self.maximumAttempts else {
                    throw RunFailure.transport("Graph \(method) \(displayPath)", error)
                }
                count { $0.retries += 1 }
                sleep(Backoff.exponential(attempt: attempt))
                continue
            }
            count { $0.bytesReceived += response.body.count }
            lastStatus = response.status

            switch response.status {
            case 200..<300:
                return GraphResponse(status: response.status, body: response.body, requestId: response.headers["request-id"], clientRequestId: clientRequestId)
            case 401 where ownRefreshes < Self.maximumTokenRefreshes || retriedWithSomeoneElsesToken < 3:
                // Tokens can expire mid-run (long runs, clock skew, revoked consent): fetch a fresh one and retry, a
                // bounded number of times (a token expiring while many requests use it may hit one request twice).
                let error = GraphError(method: method, path: displayPath, response: response, clientRequestId: clientRequestId)
                guard error.info.code == "InvalidAuthenticationToken" else { throw RunFailure.graph(error) }
                // With requests in parallel, another one may already have fetched a fresh token: use it, without
                // spending this request's own refresh (a few times at most).
                if (try? tokens.token()) != usedToken, retriedWithSomeoneElsesToken < 3 {
                    retriedWithSomeoneElsesToken += 1
                    attempt -= 1
                    continue
                }
                guard ownRefreshes < Self.maximumTokenRefreshes else { throw RunFailure.graph(error) }
                ownRefreshes += 1
                tokens.invalidate()
                count { $0.tokenRefreshes += 1 }
                attempt -= 1
                continue
            case 429, 500, 502, 503, 504:
                // 500 generalException is usually transient too; every write LeaverSweep sends is idempotent.
                guard attempt < Self.maximumAttempts else {
                    throw RunFailure.graph(GraphError(method: method, path: displayPath, response: response, clientRequestId: clientRequestId))
                }
                count {
                    $0.retries += 1
                    if response.status == 429 { $0.throttled += 1 }
                }
                sleep(Backoff.delay(retryAfter: response.headers["retry-after"], attempt: attempt))
                continue
            default:
                throw RunFailure.graph(GraphError(method: method, path: displayPath, response: response, clientRequestId: clientRequestId))
            }
        }
    }

    /// Reads a collection page by page, handing each page's objects to `body` as it arrives.
    ///
    /// A reader thread follows the nextLinks while `body` stores the previous page, so storing is not on the chain
    /// of round trips; at most two pages wait between them. An error on either side ends both.
    public func forEachPage<Item: Decodable & Sendable>(_ path: String, as _: Item.Type, headers: [(String, String)] = [], _ body: ([Item]) throws -> Void) throws {
        let channel = PageChannel<Item>()
        let done = DispatchSemaphore(value: 0)
        let reader = Thread { [self] in
            do {
                try readPages(path, headers: headers) { page in
                    if !channel.send(page) { throw CancellationError() }
                }
                channel.finish()
            } catch {
                channel.finish(error)
            }
            done.signal()
        }
        reader.stackSize = 1 << 20
        reader.start()
        defer {
            channel.cancel()
            done.wait()
        }
        while let page = try channel.receive() { try body(page) }
    }

    private func readPages<Item: Decodable>(_ path: String, headers: [(String, String)], _ body: ([Item]) throws -> Void) throws {
        var next: String? = path
        var seen = Set<String>()
        var pages = 0
        var emptyInARow = 0
        var prefetched: PrefetchedPage?
        // Never leave a prefetch running behind a return or an error.
        defer { _ = try? prefetched?.wait() }
        while let current = next {
            pages += 1
            guard pages <= Self.maximumPages else {
                throw RunFailure.unexpectedResponse("Graph kept paging \(path) past \(Self.maximumPages) pages; stopping")
            }
            // ConsistencyLevel and other headers are not carried by nextLink: resend them on every page.
            let response: GraphResponse
            if let pending = prefetched, pending.link == current {
                response = try pending.wait()
            } else {
                _ = try? prefetched?.wait()
                response = try send("GET", current, headers: headers)
            }
            prefetched = nil
            // The next page is requested before this one is decoded, which takes the decoding off the chain of
            // round trips; the decoded nextLink below decides whether that answer is used.
            if let hint = NextLinkScan.find(in: response.body), !seen.contains(hint), pages < Self.maximumPages {
                prefetched = PrefetchedPage(link: hint) { [self] in try send("GET", hint, headers: headers) }
            }
            let page: GraphPage<Item>
            do {
                page = try JSONDecoder().decode(GraphPage<Item>.self, from: response.body)
            } catch {
                throw RunFailure.unexpectedResponse("Graph GET \(path) returned a page LeaverSweep could not read (request-id \(response.requestId ?? "none")): \(DecodingErrorText.describe(error))")
            }
            try body(page.value)
            // Graph may send an empty page now and then; dozens in a row means paging that never ends.
            emptyInARow = page.value.isEmpty ? emptyInARow + 1 : 0
            if emptyInARow >= Self.maximumEmptyPagesInARow, page.nextLink != nil {
                throw RunFailure.unexpectedResponse("Graph kept paging \(path) with \(emptyInARow) empty pages in a row; stopping")
            }
            if let link = page.nextLink {
                guard seen.insert(link).inserted else {
                    throw RunFailure.unexpectedResponse("Graph returned the same @odata.nextLink twice for \(path); stopping to avoid a loop")
                }
            }
            next = page.nextLink
        }
    }

    /// One exchange inside the concurrency gate; the slot is given back before any retry sleep.
    private func perform(_ request: HTTPRequest) throws -> HTTPResponse {
        concurrency.acquire()
        do {
            let response = try transport.perform(request)
            concurrency.release(throttled: response.status == 429 || response.status == 503)
            return response
        } catch {
            concurrency.release(throttled: false)
            throw error
        }
    }

    /// Absolute URLs (nextLinks) must point at the configured Graph origin (scheme, host and port, compared
    /// case-insensitively); relative paths get `/v1.0` prefixed.
    func resolve(_ pathOrURL: String) throws -> String {
        if pathOrURL.hasPrefix("/") { return baseURL + pathOrURL }
        guard let link = URLComponents(string: pathOrURL), let expected = URLComponents(string: origin),
              Self.sameOrigin(link, expected) else {
            throw RunFailure.unexpectedResponse("refusing to follow a link to \(pathOrURL.prefix(80)): it is not on the Graph endpoint \(origin)")
        }
        return pathOrURL
    }

    static func sameOrigin(_ a: URLComponents, _ b: URLComponents) -> Bool {
        func port(_ c: URLComponents) -> Int? { c.port ?? (c.scheme?.lowercased() == "https" ? 443 : 80) }
        return a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased()
            && port(a) == port(b) && a.user == nil && a.password == nil
    }

    func count(_ update: (inout GraphTraffic) -> Void) {
        lock.withLock { update(&counters) }
    }
}

/// One page of a Graph collection. Unknown properties are ignored by design (Graph adds them over time).
struct GraphPage<Item: Decodable>: Decodable {
    var value: [Item]
    var nextLink: String?

    enum CodingKeys: String, CodingKey {
        case value
        case nextLink = "@odata.nextLink"
    }
}
