import Foundation

/// A Graph error response: status plus the `error.code`/`error.message` pair clients branch on.
struct GraphError: Error {
    var status: Int
    var code: String
    var message: String
    var headers: [HTTPHeader] = []

    static func badRequest(_ message: String, code: String = "Request_BadRequest") -> GraphError {
        GraphError(status: 400, code: code, message: message)
    }

    static func unsupportedQuery(_ message: String) -> GraphError {
        GraphError(status: 400, code: "Request_UnsupportedQuery", message: message)
    }

    static func notFound(_ id: String) -> GraphError {
        GraphError(status: 404, code: "Request_ResourceNotFound",
                   message: "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
    }

    /// Graph's answer to a path it has no route for (400, not 404, on the directory endpoints).
    static func segmentNotFound(_ segment: String) -> GraphError {
        GraphError(status: 400, code: "BadRequest", message: "Resource not found for the segment '\(segment)'.")
    }

    static let methodNotAllowed = GraphError(
        status: 405, code: "Request_BadRequest", message: "Specified HTTP method is not allowed for the request uri.")

    static let malformedJSON = GraphError(
        status: 400, code: "BadRequest",
        message: "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")

    static func unknownProperty(_ name: String, type: String) -> GraphError {
        badRequest("Could not find a property named '\(name)' on type 'microsoft.graph.\(type)'.")
    }

    static func invalidPageSize(_ value: String, max: Int) -> GraphError {
        badRequest("Invalid page size specified: '\(value)'. Must be between 1 and \(max) inclusive.")
    }
}

/// JSON bodies and the headers every Graph response carries.
enum GraphJSON {
    static let contentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

    /// Serialises with sorted keys (stable output, `@odata.*` first) and unescaped slashes, like Graph.
    static func data(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    static func response(_ status: Int, _ object: Any) -> HTTPResponse {
        HTTPResponse(status: status, headers: [HTTPHeader(name: "Content-Type", value: contentType)], body: data(object))
    }

    static func response(_ status: Int, _ value: JSONValue) -> HTTPResponse {
        HTTPResponse(status: status, headers: [HTTPHeader(name: "Content-Type", value: contentType)], body: value.data)
    }

    static func errorResponse(_ error: GraphError, requestId: String, clientRequestId: String?, now: Date) -> HTTPResponse {
        let inner: [String: Any] = [
            "date": GraphTime.innerErrorDate(now),
            "request-id": requestId,
            "client-request-id": clientRequestId ?? requestId,
        ]
        var response = response(error.status, ["error": ["code": error.code, "message": error.message, "innerError": inner]])
        response.headers += error.headers
        return response
    }
}
