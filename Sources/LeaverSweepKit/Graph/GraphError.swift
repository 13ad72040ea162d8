import Foundation
import LeaverSweepCore

/// Graph answered, and the answer was an error.
///
/// Carries what an auditor and Microsoft support need — status, `error.code`, `error.message`, `request-id` —
/// and never the request's headers or body, which hold the bearer token.
public struct GraphError: Error, CustomStringConvertible, Equatable {
    public var method: String
    public var path: String
    public var info: GraphErrorInfo

    public init(method: String, path: String, info: GraphErrorInfo) {
        self.method = method
        self.path = path
        self.info = info
    }

    /// Reads Graph's documented error body `{"error":{"code","message","innerError":{"request-id",…}}}`,
    /// falling back to the response headers and status when the body is not JSON.
    public init(method: String, path: String, response: HTTPResponse, clientRequestId: String) {
        var code: String?
        var message = "HTTP \(response.status) with no error body"
        var requestId = response.headers["request-id"]
        var date = response.headers["date"]
        if let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
           let error = object["error"] as? [String: Any] {
            code = error["code"] as? String
            if let text = error["message"] as? String { message = text }
            if let inner = error["innerError"] as? [String: Any] {
                requestId = requestId ?? inner["request-id"] as? String
                date = (inner["date"] as? String) ?? date
            }
        } else if !response.body.isEmpty {
            message = "HTTP \(response.status): " + String(decoding: response.body.prefix(200), as: UTF8.self)
        }
        self.init(method: method, path: path, info: GraphErrorInfo(
            httpStatus: response.status, code: code, message: message,
            requestId: requestId, clientRequestId: clientRequestId, date: date
        ))
    }

    public var description: String {
        "Graph \(method) \(path) failed: HTTP \(info.httpStatus.map(String.init) ?? "-") \(info.code ?? "(no code)"): \(info.message) (request-id \(info.requestId ?? "none"), client-request-id \(info.clientRequestId ?? "none"))"
    }
}

/// Failures of the run as a whole, phrased for the one-line error an admin sees in cron mail.
public enum RunFailure: Error, CustomStringConvertible {
    case secretUnavailable(String)
    case token(String)
    case graph(GraphError)
    case transport(String, TransportError)
    case unexpectedResponse(String)
    case store(String)
    /// Another run holds the state database's lock.
    case lockHeld(String)
    /// SIGTERM: the run stopped at a safe point.
    case stopped(String)

    public var description: String {
        switch self {
        case .secretUnavailable(let message): return message
        case .token(let message): return "could not get a token: \(message)"
        case .graph(let error): return error.description
        case .transport(let what, let error): return "\(what): \(error)"
        case .unexpectedResponse(let message): return message
        case .store(let message): return "state database: \(message)"
        case .lockHeld(let path): return "another leaversweep run holds \(path); this run did nothing and exits"
        case .stopped(let message): return message
        }
    }
}
