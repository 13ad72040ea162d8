import CCurl
import Foundation

/// The production `HTTPTransport`: libcurl with safe defaults, one reused connection pool.
///
/// TLS verification cannot be turned off, redirects are never followed (a redirect would carry the
/// bearer token to wherever it points), only https is spoken — plain http only to loopback, for tests
/// and the local Graph emulator. Requests are serialised over one easy handle so that its connection
/// cache (keep-alive, TLS sessions, DNS) is reused from one Graph call to the next.
///
/// `@unchecked Sendable`: the easy handle, the only mutable state, is used only under `lock`.
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

        public init(
            connectTimeoutSeconds: Int = 10,
            maxResponseBytes: Int = 64 * 1024 * 1024,
            allowPlainHTTPToLoopback: Bool = true,
            userAgent: String = "LeaverSweep/0.1",
            caInfoPath: String? = nil
        ) {
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.maxResponseBytes = maxResponseBytes
            self.allowPlainHTTPToLoopback = allowPlainHTTPToLoopback
            self.userAgent = userAgent
            self.caInfoPath = caInfoPath
        }
    }

    private let options: Options
    /// Serialises `perform`: an easy handle must never be used by two threads at once.
    private let lock = NSLock()
    private let handle: CurlEasyHandle
    /// POSTFIELDS must never be NULL for a body-carrying method (libcurl would read the body from
    /// stdin), and an empty Swift array may have no address; this byte stands in for empty bodies.
    private let emptyBody: UnsafeMutableRawPointer

    public init(options: Options = .init()) throws {
        guard options.connectTimeoutSeconds > 0, options.maxResponseBytes > 0 else {
            throw CurlTransportSetupError(code: Int(CURLE_BAD_FUNCTION_ARGUMENT.rawValue),
                                          message: "connectTimeoutSeconds and maxResponseBytes must be positive")
        }
        self.options = options
        do {
            handle = try CurlEasyHandle()
        } catch {
            throw CurlTransportSetupError(code: error.code, message: error.message)
        }
        emptyBody = .allocate(byteCount: 1, alignment: 1)
        emptyBody.storeBytes(of: 0, as: UInt8.self)
    }

    deinit {
        emptyBody.deallocate()
    }

    public func perform(_ request: HTTPRequest) throws -> HTTPResponse {
        // Everything that can be refused is refused before taking the lock or touching the network.
        let url = try CurlURLPolicy.validate(request.url, allowPlainHTTPToLoopback: options.allowPlainHTTPToLoopback)
        let method = request.method.uppercased()
        let body = request.body ?? Data()
        try Self.checkMethod(method, hasBody: !body.isEmpty, url: request.url)
        let headerLines = try Self.headerLines(for: request, method: method)

        lock.lock()
        defer { lock.unlock() }
        let collector = CurlResponseCollector(limitBytes: options.maxResponseBytes)
        do {
            let headerList = try CurlStringList(headerLines)
            let payload = [UInt8](body)
            try payload.withUnsafeBufferPointer { buffer throws(CurlFailure) in
                let bodyPointer = buffer.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) } ?? emptyBody
                try configure(url: url, method: method, body: bodyPointer, bodyCount: buffer.count,
                              headers: headerList, timeoutSeconds: request.timeoutSeconds, collector: collector)
                if request.freshConnection { try handle.set(CURLOPT_FRESH_CONNECT, 1) }
                // url, headerList and collector are only pointed to by libcurl; keep them alive until it is done.
                try withExtendedLifetime((url, headerList, collector)) { () throws(CurlFailure) in try handle.perform() }
            }
            let status = try handle.long(CURLINFO_RESPONSE_CODE)
            return HTTPResponse(status: status, headers: collector.responseHeaders, body: collector.body)
        } catch {
            if collector.exceededLimit || error.code == Int(CURLE_FILESIZE_EXCEEDED.rawValue) {
                throw TransportError.responseTooLarge(url: request.url, limitBytes: options.maxResponseBytes)
            }
            throw TransportError.network(code: error.code, message: error.message, url: request.url)
        }
    }

    /// Starts from `curl_easy_reset` every time rather than undoing the previous request's options
    /// one by one: a GET after a PATCH then cannot inherit CUSTOMREQUEST, POSTFIELDS or the POST
    /// flag by accident. Reset keeps the connection cache, so keep-alive still works.
    private func configure(url: CurlURL, method: String, body: UnsafeMutableRawPointer, bodyCount: Int,
                           headers: CurlStringList, timeoutSeconds: Int, collector: CurlResponseCollector) throws(CurlFailure) {
        handle.reset()
        try handle.installErrorBuffer()
        try handle.set(CURLOPT_NOSIGNAL, 1)  // no SIGALRM for DNS timeouts; we may run on any thread
        try handle.restrictProtocolsToHTTP()
        try handle.set(CURLOPT_FOLLOWLOCATION, 0)
        try handle.set(CURLOPT_SSL_VERIFYPEER, 1)
        try handle.set(CURLOPT_SSL_VERIFYHOST, 2)
        try handle.set(CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2)
        if let caInfoPath = options.caInfoPath { try handle.set(CURLOPT_CAINFO, caInfoPath) }
        try handle.set(CURLOPT_CONNECTTIMEOUT, options.connectTimeoutSeconds)
        // A zero timeout means "wait forever" to libcurl; a nightly job must always finish.
        try handle.set(CURLOPT_TIMEOUT, max(1, timeoutSeconds))
        try handle.set(CURLOPT_USERAGENT, options.userAgent)
        try handle.set(CURLOPT_ACCEPT_ENCODING, "")  // every encoding this libcurl can decode
        // Refuse early when Content-Length already says too much; the write callback covers the rest.
        try handle.set(CURLOPT_MAXFILESIZE_LARGE, offset: Int64(options.maxResponseBytes))

        try handle.set(CURLOPT_CURLU, pointer: UnsafeMutableRawPointer(url.raw))
        try handle.set(CURLOPT_HTTPHEADER, list: headers)
        try handle.set(CURLOPT_WRITEFUNCTION, writeFunction: CurlResponseCollector.writeCallback)
        try handle.set(CURLOPT_WRITEDATA, pointer: collector.userData)
        try handle.set(CURLOPT_HEADERFUNCTION, writeFunction: CurlResponseCollector.headerCallback)
        try handle.set(CURLOPT_HEADERDATA, pointer: collector.userData)

        switch method {
        case "GET":
            try handle.set(CURLOPT_HTTPGET, 1)
        case "DELETE" where bodyCount == 0:
            try handle.set(CURLOPT_CUSTOMREQUEST, method)
        default:
            // POSTFIELDS switches libcurl to POST; CUSTOMREQUEST renames the method for PATCH, PUT and DELETE.
            try handle.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(bodyCount))
            try handle.set(CURLOPT_POSTFIELDS, pointer: body)
            if method != "POST" { try handle.set(CURLOPT_CUSTOMREQUEST, method) }
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
