import Foundation
import LeaverSweepKit

/// The in-memory twin of `CurlHTTPTransport`: answers from a script and records every request.
public final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    public typealias Responder = (HTTPRequest) throws -> HTTPResponse

    private let lock = NSLock()
    private var responders: [Responder]
    private var fallback: Responder
    public private(set) var requests: [HTTPRequest] = []

    /// - Parameters:
    ///   - script: answers for the first requests, in order.
    ///   - fallback: the answer once the script is used up.
    public init(_ script: [Responder] = [], fallback: @escaping Responder) {
        responders = script
        self.fallback = fallback
    }

    public func perform(_ request: HTTPRequest) throws -> HTTPResponse {
        let responder: Responder = lock.withLock {
            requests.append(request)
            return responders.isEmpty ? fallback : responders.removeFirst()
        }
        return try responder(request)
    }

    public var sentRequests: [HTTPRequest] { lock.withLock { requests } }

    public static func json(_ status: Int, _ body: String, headers: [(String, String)] = []) -> Responder {
        { _ in HTTPResponse(status: status, headers: HTTPHeaders(headers), body: Data(body.utf8)) }
    }

    public static func graphError(_ status: Int, code: String, message: String, requestId: String = "req-1", headers: [(String, String)] = []) -> Responder {
        json(status, #"{"error":{"code":"\#(code)","message":"\#(message)","innerError":{"date":"2026-11-23T02:00:00","request-id":"\#(requestId)","client-request-id":"c"}}}"#,
             headers: [("request-id", requestId)] + headers)
    }
}

/// A token provider that counts how often it was asked and told to forget.
public final class CountingTokenProvider: TokenProvider, @unchecked Sendable {
    private let lock = NSLock()
    public private(set) var issued = 0
    public private(set) var invalidated = 0

    public init() {}

    public func token() throws -> String {
        lock.withLock {
            issued += 1
            return "token-\(invalidated)"
        }
    }

    public func invalidate() {
        lock.withLock { invalidated += 1 }
    }
}

/// Records requested sleeps instead of sleeping.
public final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Double] = []
    public init() {}
    public var sleeps: [Double] { lock.withLock { recorded } }
    public var sleep: @Sendable (Double) -> Void { { [self] seconds in lock.withLock { recorded.append(seconds) } } }
}
