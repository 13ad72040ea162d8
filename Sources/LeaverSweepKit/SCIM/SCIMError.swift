import Foundation
import LeaverSweepCore

/// A SCIM app could not be checked or changed: which app, which request, and why.
///
/// Carries the app's base URL, the HTTP status and SCIM's error body — never the request's headers,
/// which hold the app's bearer token. Text that came from the app is flattened to one line, shortened,
/// and has the token removed in case the app echoed it.
public struct SCIMError: Error, CustomStringConvertible, Equatable {
    public enum Failure: Sendable, Equatable {
        /// No HTTP answer at all: refused connection, DNS, TLS, timeout, or a URL the transport refuses.
        case unreachable(TransportError)
        /// 401 or 403: the token is wrong, expired, or lacks the permission.
        case unauthorized
        /// Still 429 (or 503) after this many attempts, each after the wait the app asked for.
        case throttled(attempts: Int)
        /// 404: the `/Users` endpoint (wrong base URL) or the account (deleted meanwhile) does not exist.
        case notFound
        /// Any other HTTP error status (400 `invalidFilter`, 409, 500…).
        case rejected
        /// The app answered with success but the body is not SCIM JSON LeaverSweep can read.
        case malformedResponse(String)
        /// The app answered, readably, something that cannot be trusted: a filter it ignored, paging
        /// that does not advance, an account still active after deactivation.
        case unexpectedResponse(String)
        /// LeaverSweep refused to send the request (an empty value or id).
        case invalidRequest(String)
    }

    /// The app's SCIM base URL, credentials removed.
    public var baseURL: String
    /// Method and path relative to the base URL, unencoded for reading: `GET /Users?filter=userName eq "a@b.c"`.
    public var operation: String
    public var failure: Failure
    /// The HTTP status of the last answer, when there was one.
    public var status: Int?
    /// The app's SCIM error body, when it sent one.
    public var scimError: SCIMErrorDetail?
    /// The start of a non-SCIM error body (an HTML error page, a proxy's text), when there was one.
    public var responseExcerpt: String?

    public init(baseURL: String, operation: String, failure: Failure, status: Int? = nil,
                scimError: SCIMErrorDetail? = nil, responseExcerpt: String? = nil) {
        self.baseURL = CurlURLPolicy.redacted(baseURL)
        self.operation = operation
        self.failure = failure
        self.status = status
        self.scimError = scimError
        self.responseExcerpt = responseExcerpt
    }

    public var description: String {
        let http = status.map { " (HTTP \($0))" } ?? ""
        var text = "SCIM app \(baseURL): \(operation) failed: "
        switch failure {
        case .unreachable(let error): text += "could not reach the app: \(error)"
        case .unauthorized: text += "the app refused the bearer token\(http); check the token configured for this app and its permissions"
        case .throttled(let attempts):
            text += "\(status == 503 ? "still unavailable" : "still throttled") after \(attempts) attempts\(http); the app is busy, try again later"
        case .notFound: text += "not found\(http); check the app's base_url (it should end at the SCIM root, e.g. …/scim/v2)"
        case .rejected: text += "the app answered with an error\(http)"
        case .malformedResponse(let reason): text += "the app's answer\(http) is not SCIM JSON LeaverSweep can read: \(reason)"
        case .unexpectedResponse(let reason): text += reason
        case .invalidRequest(let reason): text += reason
        }
        if let scimError {
            var parts: [String] = []
            if let type = scimError.scimType { parts.append("scimType \(type)") }
            if let detail = scimError.detail { parts.append("detail \"\(detail)\"") }
            if let status = scimError.status, parts.isEmpty { parts.append("status \(status)") }
            text += "; SCIM error: " + parts.joined(separator: ", ")
        } else if let responseExcerpt {
            text += "; body starts \"\(responseExcerpt)\""
        }
        return text
    }
}

extension SCIMError {
    /// The failure in the journal's and report's terms, as `GraphError.info` is for Graph: the HTTP status decides
    /// whether a retry can help; the code says which kind of failure it was.
    public var info: GraphErrorInfo {
        let code: String
        switch failure {
        case .unreachable: code = "scim_unreachable"
        case .unauthorized: code = "scim_unauthorized"
        case .throttled: code = "scim_throttled"
        case .notFound: code = "scim_not_found"
        case .rejected: code = scimError?.scimType.map { "scim_\($0)" } ?? "scim_rejected"
        case .malformedResponse: code = "scim_malformed_response"
        case .unexpectedResponse: code = "scim_unexpected_response"
        case .invalidRequest: code = "scim_invalid_request"
        }
        return GraphErrorInfo(httpStatus: status, code: code, message: description, requestId: nil, clientRequestId: nil)
    }
}
