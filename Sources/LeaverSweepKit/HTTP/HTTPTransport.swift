import Foundation

/// One HTTP exchange as the Graph client, token client and SCIM client see it.
///
/// Kept deliberately small so that the libcurl transport and test fakes are interchangeable.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data?
    /// Whole-exchange timeout; libcurl's connect timeout is set separately by the transport.
    public var timeoutSeconds: Int
    /// Open a new connection instead of reusing one (Graph asks for this when retrying a 503).
    public var freshConnection = false

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: Data? = nil, timeoutSeconds: Int = 60) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Response headers, looked up case-insensitively (HTTP/2 lower-cases them, HTTP/1.1 servers may not).
public struct HTTPHeaders: Sendable, Equatable {
    private var storage: [String: String] = [:]

    public init(_ pairs: [(String, String)] = []) {
        for (name, value) in pairs { self[name] = value }
    }

    public subscript(name: String) -> String? {
        get { storage[name.lowercased()] }
        set { storage[name.lowercased()] = newValue }
    }

    public var names: [String] { storage.keys.sorted() }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why a request produced no HTTP response at all.
public enum TransportError: Error, CustomStringConvertible, Equatable {
    /// The URL was refused before anything was sent (plain http to a non-loopback host, unsupported scheme…).
    case refusedURL(url: String, reason: String)
    /// libcurl failed: DNS, connect, TLS, timeout, reset. `code` is the CURLcode.
    case network(code: Int, message: String, url: String)
    /// The body grew past the transport's limit; the transfer was aborted.
    case responseTooLarge(url: String, limitBytes: Int)

    /// Network failures worth retrying (timeouts, resets, refused connections); TLS and URL errors are not.
    public var isTransient: Bool {
        switch self {
        case .network(let code, _, _):
            // CURLE_COULDNT_CONNECT 7, CURLE_PARTIAL_FILE 18, CURLE_OPERATION_TIMEDOUT 28,
            // CURLE_GOT_NOTHING 52, CURLE_SEND_ERROR 55, CURLE_RECV_ERROR 56, CURLE_HTTP2 16, CURLE_HTTP2_STREAM 92
            return [7, 16, 18, 28, 52, 55, 56, 92].contains(code)
        case .refusedURL, .responseTooLarge:
            return false
        }
    }

    public var description: String {
        switch self {
        case .refusedURL(let url, let reason):
            return "refused to contact \(url): \(reason)"
        case .network(let code, let message, let url):
            return "network error talking to \(url): \(message) (curl code \(code))"
        case .responseTooLarge(let url, let limit):
            return "response from \(url) exceeded \(limit) bytes; transfer aborted"
        }
    }
}

/// Sends one request and returns the response, whatever its status. Throws only when there is no response.
public protocol HTTPTransport: Sendable {
    func perform(_ request: HTTPRequest) throws -> HTTPResponse
}
