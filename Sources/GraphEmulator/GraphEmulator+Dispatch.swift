import Foundation

extension GraphEmulator {
    /// Routes one request to the token endpoint, Graph, or the control endpoints. Called with the lock held.
    func dispatch(_ request: HTTPRequest, now: Date) -> (reply: HTTPReply, delayed: Bool) {
        let segments = request.rawPath.split(separator: "/", omittingEmptySubsequences: true)
            .map { URLCoding.percentDecode(String($0)) }
        if segments.first == "_emulator" {
            return (.response(control(request, Array(segments.dropFirst()), now: now)), false)
        }
        let recordPosition = records.count
        let isToken = segments.count == 4 && segments[1] == "oauth2" && segments[2] == "v2.0" && segments[3] == "token"
        var outcome: (reply: HTTPReply, fault: InjectedFault?)
        if isToken {
            outcome = faults.tokenEndpointDown
                ? (.response(tokens.unavailable(now: now, retryAfterSeconds: faults.retryAfterSeconds)), .tokenEndpointDown)
                : (.response(tokens.issue(request, tenant: segments[0], now: now)), nil)
        } else if segments.first == "v1.0" {
            graphRequestCount += 1
            outcome = graph(request, segments: Array(segments.dropFirst()), sequence: graphRequestCount, now: now)
        } else {
            outcome = (.response(GraphJSON.errorResponse(
                GraphError(status: 404, code: "NotFound", message: "No Graph or token endpoint at '\(request.rawPath)'."),
                requestId: UUID().uuidString.lowercased(), clientRequestId: nil, now: now)), nil)
        }
        outcome.reply = outcome.reply.adding(HTTPHeader(name: "Date", value: GraphTime.httpDate(now)))
        // A $batch appended its inner requests while running; the envelope goes before them.
        records.insert(record(request, status: outcome.reply.recordedStatus, tokenEndpoint: isToken, fault: outcome.fault,
                              responseBytes: outcome.reply.bodyBytesSent(forHEAD: request.method == "HEAD")),
                       at: recordPosition)
        return (outcome.reply, true)
    }

    /// Graph's pipeline: authentication, injected faults, tenant-level denials, then the route itself.
    /// `sequence` numbers this request among all Graph requests (inner batch requests included) for the fault
    /// plan; `nested` is true for a request inside a `$batch`, which cannot itself be a batch.
    func graph(_ request: HTTPRequest, segments: [String], sequence: Int, now: Date,
               nested: Bool = false) -> (reply: HTTPReply, fault: InjectedFault?) {
        let requestId = UUID().uuidString.lowercased()
        let clientRequestId = request.header("client-request-id")
        let isRead = request.method == "GET" || request.method == "HEAD"
        let retryAfter = [HTTPHeader(name: "Retry-After", value: String(faults.retryAfterSeconds))]
        var fault: InjectedFault?
        var response: HTTPResponse
        do {
            if nested {
                // Authenticated as part of its envelope; exchange-level faults were the envelope's to draw.
                fault = faults.fault(forGraphRequest: sequence).flatMap { $0.isTransportLevel || $0 == .malformedJSON ? nil : $0 }
            } else {
                fault = try authenticate(request, sequence: sequence, now: now) ?? faults.fault(forGraphRequest: sequence)
            }
            let isBatch = !nested && segments.count == 1 && segments[0].lowercased() == "$batch"
            let batchResponse = fault == nil && isBatch ? try batch(request, now: now) : nil
            switch fault {
            case .reset?:
                return (.reset, .reset)
            case .stall?:
                return (.stall(seconds: faults.stallSeconds), .stall)
            case .expiredToken?:
                throw Self.unauthorized("Lifetime validation failed, the token is expired.")
            case .malformedJSON?:
                response = HTTPResponse(status: 200, headers: [HTTPHeader(name: "Content-Type", value: GraphJSON.contentType)],
                                        body: Data(#"{"value": [ {"id": "#.utf8))
            case .serverError?:
                throw GraphError(status: 500, code: "generalException", message: "General exception while processing.")
            case .throttled?:
                throw GraphError(status: 429, code: "TooManyRequests", message: "Too many requests.", headers: retryAfter)
            case .unavailable?:
                throw GraphError(status: 503, code: "serviceNotAvailable",
                                 message: "Service is temporarily unavailable. Please try again later.", headers: retryAfter)
            case .truncatedBody? where !isRead:
                // A truncated write must change nothing, so it never reaches the route: a stand-in body is cut instead.
                response = GraphJSON.response(200, ["@odata.context": GraphService.metadataBase + "Edm.Boolean", "value": true])
            case .truncatedBody?, .tokenEndpointDown?, nil:
                response = try batchResponse ?? route(request, segments: segments, now: now)
            }
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
        guard fault == .truncatedBody else { return (.response(response), fault) }
        // An empty body (a 204) cannot be cut in half, and a truncated exchange must lose bytes.
        if response.body.isEmpty { response.body = Data(#"{"value":true}"#.utf8) }
        return (.truncated(response), .truncatedBody)
    }

    /// Tenant-level denials, the identity-reports limit, then the route.
    private func route(_ request: HTTPRequest, segments: [String], now: Date) throws -> HTTPResponse {
        if EndpointPattern.anyMatches(options.deniedEndpoints, segments) {
            throw segments.first?.lowercased() == "auditlogs"
                ? GraphError(status: 403, code: "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                             message: "Tenant does not have a SKU required for this call.")
                : GraphError(status: 403, code: "Authorization_RequestDenied",
                             message: "Insufficient privileges to complete the operation.")
        }
        if EndpointPattern.anyMatches(options.unauthorizedEndpoints, segments) {
            throw GraphError(status: 401, code: "UnknownError", message: "")
        }
        if options.reportThrottling, ReportThrottle.covers(segments), let wait = reportThrottle.admit(at: now) {
            throw GraphError(status: 429, code: "TooManyRequests", message: "Too many requests.",
                             headers: [HTTPHeader(name: "Retry-After", value: String(wait))])
        }
        service.endlessPaging = faults.endlessPaging
        let call = GraphCall(method: request.method, rawPath: request.rawPath, segments: segments,
                             query: ODataQuery(URLCoding.parsePairs(request.rawQuery)), request: request, now: now)
        return try service.handle(call)
    }

    /// Throws 401 for a missing, unknown or expired token; returns `.expiredToken` when the fault plan expires
    /// a valid one on this request (the caller answers 401 for it).
    private func authenticate(_ request: HTTPRequest, sequence: Int, now: Date) throws -> InjectedFault? {
        switch tokens.check(authorization: request.header("Authorization"), now: now) {
        case .missing: throw Self.unauthorized("Access token is empty.")
        case .unknown: throw Self.unauthorized("Invalid token")
        case .expired: throw Self.unauthorized("Lifetime validation failed, the token is expired.")
        case .valid(let token):
            // A token expires once it has served N requests, as a lifetime measured in use: with requests in
            // parallel, "every Nth request" would also hit tokens fetched a moment ago, which real tokens never do.
            let uses = tokenUses[token, default: 0] + 1
            tokenUses[token] = uses
            guard faults.expireTokensEveryNth > 0, uses >= faults.expireTokensEveryNth else { return nil }
            tokens.expire(token)
            return .expiredToken
        }
    }

    private static func unauthorized(_ message: String) -> GraphError {
        GraphError(status: 401, code: "InvalidAuthenticationToken", message: message, headers: [HTTPHeader(
            name: "WWW-Authenticate",
            value: #"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000""#)])
    }

    private static func isNth(_ sequence: Int, _ every: Int) -> Bool {
        every > 0 && sequence % every == 0
    }

    func record(_ request: HTTPRequest, status: Int, tokenEndpoint: Bool, fault: InjectedFault?, responseBytes: Int,
                batch: Bool = false) -> RecordedRequest {
        var query: [String: String] = [:]
        for (key, value) in URLCoding.parsePairs(request.rawQuery) { query[key] = value }
        var headers: [String: String] = [:]
        for header in request.headers { headers[header.name.lowercased()] = header.value }
        return RecordedRequest(method: request.method, path: URLCoding.percentDecode(request.rawPath), query: query,
                               headers: headers, body: String(decoding: request.body, as: UTF8.self), status: status,
                               tokenEndpoint: tokenEndpoint, fault: fault, batch: batch, responseBytes: responseBytes)
    }
}
