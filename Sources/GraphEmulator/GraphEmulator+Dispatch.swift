import Foundation

extension GraphEmulator {
    /// Routes one request to the token endpoint, Graph, or the control endpoints. Called with the lock held.
    func dispatch(_ request: HTTPRequest, now: Date) -> (response: HTTPResponse, delayed: Bool) {
        let segments = request.rawPath.split(separator: "/", omittingEmptySubsequences: true)
            .map { URLCoding.percentDecode(String($0)) }
        if segments.first == "_emulator" {
            return (control(request, Array(segments.dropFirst())), false)
        }
        let isToken = segments.count == 4 && segments[1] == "oauth2" && segments[2] == "v2.0" && segments[3] == "token"
        var response: HTTPResponse
        if isToken {
            response = tokens.issue(request, tenant: segments[0], now: now)
        } else if segments.first == "v1.0" {
            response = graph(request, segments: Array(segments.dropFirst()), now: now)
        } else {
            response = GraphJSON.errorResponse(
                GraphError(status: 404, code: "NotFound", message: "No Graph or token endpoint at '\(request.rawPath)'."),
                requestId: UUID().uuidString.lowercased(), clientRequestId: nil, now: now)
        }
        response.headers.append(HTTPHeader(name: "Date", value: GraphTime.httpDate(now)))
        records.append(record(request, status: response.status, tokenEndpoint: isToken))
        return (response, true)
    }

    /// Graph's pipeline: authentication, injected faults, tenant-level denials, then the route itself.
    private func graph(_ request: HTTPRequest, segments: [String], now: Date) -> HTTPResponse {
        graphRequestCount += 1
        let sequence = graphRequestCount
        let requestId = UUID().uuidString.lowercased()
        let clientRequestId = request.header("client-request-id")
        var response: HTTPResponse
        do {
            try authenticate(request, sequence: sequence, now: now)
            try injectFaults(sequence: sequence)
            if let first = segments.first, options.deniedEndpoints.contains(where: { $0.lowercased() == first.lowercased() }) {
                throw first.lowercased() == "auditlogs"
                    ? GraphError(status: 403, code: "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                                 message: "Tenant does not have a SKU required for this call.")
                    : GraphError(status: 403, code: "Authorization_RequestDenied",
                                 message: "Insufficient privileges to complete the operation.")
            }
            let call = GraphCall(method: request.method, rawPath: request.rawPath, segments: segments,
                                 query: ODataQuery(URLCoding.parsePairs(request.rawQuery)), request: request, now: now)
            response = try service.handle(call)
        } catch let error as GraphError {
            response = GraphJSON.errorResponse(error, requestId: requestId, clientRequestId: clientRequestId, now: now)
        } catch {
            response = GraphJSON.errorResponse(GraphError(status: 500, code: "generalException", message: "\(error)"),
                                               requestId: requestId, clientRequestId: clientRequestId, now: now)
        }
        response.headers.append(HTTPHeader(name: "request-id", value: requestId))
        if let clientRequestId { response.headers.append(HTTPHeader(name: "client-request-id", value: clientRequestId)) }
        response.headers.append(HTTPHeader(
            name: "x-ms-ags-diagnostic",
            value: #"{"ServerInfo":{"DataCenter":"Loopback","Slice":"E","Ring":"1","ScaleUnit":"000","RoleInstance":"emulator"}}"#))
        return response
    }

    private func authenticate(_ request: HTTPRequest, sequence: Int, now: Date) throws {
        let unauthorized: (String) -> GraphError = { message in
            GraphError(status: 401, code: "InvalidAuthenticationToken", message: message, headers: [HTTPHeader(
                name: "WWW-Authenticate",
                value: #"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000""#)])
        }
        switch tokens.check(authorization: request.header("Authorization"), now: now) {
        case .missing: throw unauthorized("Access token is empty.")
        case .unknown: throw unauthorized("Invalid token")
        case .expired: throw unauthorized("Lifetime validation failed, the token is expired.")
        case .valid(let token):
            if Self.isNth(sequence, faults.expireTokensEveryNth) {
                tokens.expire(token)
                throw unauthorized("Lifetime validation failed, the token is expired.")
            }
        }
    }

    private func injectFaults(sequence: Int) throws {
        let retryAfter = [HTTPHeader(name: "Retry-After", value: String(faults.retryAfterSeconds))]
        if Self.isNth(sequence, faults.throttleEveryNth) {
            throw GraphError(status: 429, code: "TooManyRequests", message: "Too many requests.", headers: retryAfter)
        }
        if Self.isNth(sequence, faults.unavailableEveryNth) {
            throw GraphError(status: 503, code: "serviceNotAvailable",
                             message: "Service is temporarily unavailable. Please try again later.", headers: retryAfter)
        }
    }

    private static func isNth(_ sequence: Int, _ every: Int) -> Bool {
        every > 0 && sequence % every == 0
    }

    private func record(_ request: HTTPRequest, status: Int, tokenEndpoint: Bool) -> RecordedRequest {
        var query: [String: String] = [:]
        for (key, value) in URLCoding.parsePairs(request.rawQuery) { query[key] = value }
        var headers: [String: String] = [:]
        for header in request.headers { headers[header.name.lowercased()] = header.value }
        return RecordedRequest(method: request.method, path: URLCoding.percentDecode(request.rawPath), query: query,
                               headers: headers, body: String(decoding: request.body, as: UTF8.self), status: status,
                               tokenEndpoint: tokenEndpoint)
    }
}
