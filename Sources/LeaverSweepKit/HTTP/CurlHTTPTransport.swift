import CCurl
import Foundation

/// The production `HTTPTransport`: libcurl with safe defaults, concurrent transfers over one shared connection pool.
///
/// TLS verification cannot be turned off, redirects are never followed (a redirect would carry the
/// bearer token to wherever it points), only https is spoken — plain http only to loopback, for tests
/// and the local Graph emulator.
///
/// Any number of threads may call `perform` at once: each call configures an easy handle from a small
/// pool and hands it to one multi handle, driven by one dedicated thread, so the transfers run
/// concurrently and share its connection cache (keep-alive, DNS) and, where the server offers HTTP/2,
/// one connection as multiplexed streams. `Options.maxConnectionsPerHost` caps the parallel
/// connections to a host; transfers beyond it wait inside libcurl for one to free up, within their
/// own timeout.
///
/// `@unchecked Sendable`: the idle-handle pool and the counters are guarded by `lock`; the driver
/// guards its own state.
public final class CurlHTTPTransport: HTTPTransport, @unchecked Sendable {
    public struct Options: Sendable {
        /// Time allowed for DNS, TCP and TLS together; the request's own timeout covers the whole exchange.
        public var connectTimeoutSeconds: Int
        /// Bodies beyond this are aborted with `TransportError.responseTooLarge` rather than buffered.
        public var maxResponseBytes: Int
        /// Lets tests and the emulator use `http://127.0.0.1:PORT`; never applies to other hosts.
        public var allowPlainHTTPToLoopback: Bool
        public var userAgent: String
        /// A PEM bundle to trust instead of the system store (e.g. a corporate TLS-inspecting proxy's CA).
        public var caInfoPath: String?
        /// Most connections open to one host at once (`CURLMOPT_MAX_HOST_CONNECTIONS`). Over HTTP/1.1 this
        /// is also the most requests in flight to that host; over HTTP/2 streams share one connection.
        public var maxConnectionsPerHost: Int

        public init(
            connectTimeoutSeconds: Int = 10,
            maxResponseBytes: Int = 64 * 1024 * 1024,
            allowPlainHTTPToLoopback: Bool = true,
            userAgent: String = "LeaverSweep/0.1",
            caInfoPath: String? = nil,
            maxConnectionsPerHost: Int = 16
        ) {
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.maxResponseBytes = maxResponseBytes
            self.allowPlainHTTPToLoopback = allowPlainHTTPToLoopback
            self.userAgent = userAgent
            self.caInfoPath = caInfoPath
            self.maxConnectionsPerHost = maxConnectionsPerHost
        }
    }

    private let options: Options
    private let driver: CurlMultiDriver
    private let lock = NSLock()
    /// Easy handles between transfers, already reset. Reusing them saves an allocation and libcurl's
    /// per-handle setup on every request; at most `maxConnectionsPerHost` are kept.
    private var idleHandles: [CurlEasyHandle] = []
    private var connectionsOpenedSoFar = 0

    public init(options: Options = .init()) throws {
        guard options.connectTimeoutSeconds > 0, options.maxResponseBytes > 0, options.maxConnectionsPerHost > 0 else {
            throw CurlTransportSetupError(code: Int(CURLE_BAD_FUNCTION_ARGUMENT.rawValue),
                                          message: "connectTimeoutSeconds, maxResponseBytes and maxConnectionsPerHost must be positive")
        }
        self.options = options
        do {
            driver = try CurlMultiDriver(maxConnectionsPerHost: options.maxConnectionsPerHost)
        } catch {
            throw CurlTransportSetupError(code: error.code, message: error.message)
        }
    }

    /// No `perform` can be waiting here (each holds the transport), so shutting down fails nothing;
    /// it stops the driver thread and frees the multi handle before the idle easy handles go.
    deinit {
        driver.shutdown()
    }

    /// New connections opened so far by this transport's transfers (the sum of `CURLINFO_NUM_CONNECTS`).
    /// Far below the request count means connections are being reused.
    public var connectionsOpened: Int {
        lock.withLock { connectionsOpenedSoFar }
    }

    /// The driver, for tests that check the shutdown.
    var driverForTesting: CurlMultiDriver { driver }

    /// Idle easy handles waiting in the pool, for tests.
    var idleHandleCount: Int {
        lock.withLock { idleHandles.count }
    }

    public func perform(_ request: HTTPRequest) throws -> HTTPResponse {
        // Everything that can be refused is refused before touching libcurl or the network.
        let url = try CurlURLPolicy.validate(request.url, allowPlainHTTPToLoopback: options.allowPlainHTTPToLoopback)
        let method = request.method.uppercased()
        let body = request.body ?? Data()
        try Self.checkMethod(method, hasBody: !body.isEmpty, url: request.url)
        let headerLines = try Self.headerLines(for: request, method: method)

        let handle: CurlEasyHandle
        do {
            handle = try checkOutHandle()
        } catch {
            throw TransportError.network(code: error.code, message: error.message, url: request.url)
        }
        var exchange: CurlHTTPExchange?
        defer { finishUsing(handle, reusable: exchange?.handleIsReusable ?? true) }
        do {
            let started = try CurlHTTPExchange(handle: handle, url: url, method: method, body: body, headerLines: headerLines,
                                               timeoutSeconds: request.timeoutSeconds, freshConnection: request.freshConnection,
                                               options: options)
            exchange = started
            try driver.execute(started)
            let status = try handle.long(CURLINFO_RESPONSE_CODE)
            return HTTPResponse(status: status, headers: started.collector.responseHeaders, body: started.collector.body)
        } catch {
            if exchange?.collector.exceededLimit == true || error.code == Int(CURLE_FILESIZE_EXCEEDED.rawValue) {
                throw TransportError.responseTooLarge(url: request.url, limitBytes: options.maxResponseBytes)
            }
            throw TransportError.network(code: error.code, message: error.message, url: request.url)
        }
    }

    private func checkOutHandle() throws(CurlFailure) -> CurlEasyHandle {
        if let idle = lock.withLock({ idleHandles.popLast() }) { return idle }
        return try CurlEasyHandle()
    }

    /// Counts the transfer's new connections and returns the handle to the pool. A handle the driver
    /// could not detach stays with the driver and is never touched here again.
    private func finishUsing(_ handle: CurlEasyHandle, reusable: Bool) {
        guard reusable else { return }
        // Zero when the transfer never ran: `curl_easy_reset` clears the counters.
        let opened = (try? handle.long(CURLINFO_NUM_CONNECTS)) ?? 0
        // Reset now so an idle handle holds no pointers to this request's freed URL, headers or body.
        handle.reset()
        lock.withLock {
            connectionsOpenedSoFar += opened
            if idleHandles.count < options.maxConnectionsPerHost { idleHandles.append(handle) }
        }
    }

    private static let supportedMethods: Set<String> = ["GET", "POST", "PATCH", "PUT", "DELETE"]

    private static func checkMethod(_ method: String, hasBody: Bool, url: String) throws(TransportError) {
        guard supportedMethods.contains(method) else {
            throw .refusedURL(url: url, reason: "HTTP method '\(method)' is not supported; use GET, POST, PATCH, PUT or DELETE")
        }
        if method == "GET" && hasBody {
            throw .refusedURL(url: url, reason: "a GET request cannot carry a body")
        }
    }

    /// Request header lines for CURLOPT_HTTPHEADER. Errors name the header, never its value,
    /// because values carry bearer tokens and client secrets.
    private static func headerLines(for request: HTTPRequest, method: String) throws(TransportError) -> [String] {
        var lines: [String] = []
        var names: Set<String> = []
        for (name, value) in request.headers {
            let invalidName = name.isEmpty || name.contains { ":\r\n\0 \t".contains($0) }
            if invalidName || value.contains(where: { "\r\n\0".contains($0) }) {
                throw .refusedURL(url: request.url, reason: "request header '\(invalidName ? "(invalid name)" : name)' contains forbidden characters")
            }
            names.insert(name.lowercased())
            // "Name:" with nothing after it tells libcurl to drop the header; "Name;" sends it empty.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        // An empty Expect stops libcurl waiting for "100 Continue" before sending a body: one round trip saved.
        if !names.contains("expect") { lines.append("Expect:") }
        // POSTFIELDS would otherwise add "Content-Type: application/x-www-form-urlencoded" on its own.
        if !names.contains("content-type") && method != "GET" { lines.append("Content-Type:") }
        return lines
    }
}

/// libcurl could not be initialised, or the transport options are invalid.
public struct CurlTransportSetupError: Error, CustomStringConvertible, Equatable {
    /// The CURLcode, when libcurl reported one.
    public let code: Int
    public let message: String

    public var description: String {
        "could not set up the HTTP transport: \(message) (curl code \(code))"
    }
}
