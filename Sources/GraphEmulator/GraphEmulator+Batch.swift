import Foundation

extension GraphEmulator {
    /// `POST /v1.0/$batch` (graph.md 4), after the envelope passed authentication and drew no fault.
    ///
    /// Each inner request is one more Graph request: it takes the next sequence number (so every-Nth faults
    /// count it), runs with the envelope's token through the same pipeline and routes as a top-level request,
    /// and is recorded on its own with `batch: true`. Dependants of a failed request get 424. The envelope (200)
    /// comes back with its responses in a shuffled order, never the request order, so clients must match on `id`.
    func batch(_ request: HTTPRequest, now: Date) throws -> HTTPResponse {
        let items = try BatchPayload.parse(request.body)
        let firstSequence = graphRequestCount + 1
        graphRequestCount += items.count
        let inner = items.map { innerRequest($0, outer: request) }
        // Transport faults (reset, stall, truncation, malformed JSON) and token expiry belong to the HTTP exchange,
        // which is the envelope's: they were drawn for it before this point. Inner requests draw only the faults
        // Graph reports per inner request (429, 503, 500).
        var answers: [Int: HTTPResponse] = [:]
        var failed = Set<String>()
        for index in try BatchPayload.executionOrder(items) {
            let item = items[index]
            let response: HTTPResponse
            let fault: InjectedFault?
            if let dependency = item.dependsOn.first(where: { failed.contains($0.lowercased()) }) {
                response = GraphJSON.errorResponse(
                    GraphError(status: 424, code: "FailedDependency",
                               message: "Request id : \(item.id) was not run: it depends on request id : \(dependency), which failed."),
                    requestId: UUID().uuidString.lowercased(), clientRequestId: inner[index].header("client-request-id"), now: now)
                fault = nil
            } else {
                let segments = inner[index].rawPath.split(separator: "/", omittingEmptySubsequences: true)
                    .map { URLCoding.percentDecode(String($0)) }.dropFirst()
                let outcome = graph(inner[index], segments: Array(segments), sequence: firstSequence + index, now: now, nested: true)
                guard case .response(let answered) = outcome.reply else {
                    preconditionFailure("inner requests draw no transport-level faults")
                }
                response = answered
                fault = outcome.fault
            }
            if response.status >= 400 { failed.insert(item.id.lowercased()) }
            answers[index] = response
            records.append(record(inner[index], status: response.status, tokenEndpoint: false, fault: fault,
                                  responseBytes: response.body.count, batch: true))
        }
        let order = Self.responseOrder(count: items.count, seed: UInt64(firstSequence))
        var bytes = Array(#"{"responses":["#.utf8)
        for (position, index) in order.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            Self.writeInnerResponse(id: items[index].id, answers[index] ?? HTTPResponse(status: 500), into: &bytes)
        }
        bytes.append(contentsOf: "]}".utf8)
        return HTTPResponse(status: 200, headers: [HTTPHeader(name: "Content-Type", value: GraphJSON.contentType)],
                            body: Data(bytes))
    }

    /// The inner request as if sent on its own: `/v1.0` + its url, its own headers, the envelope's token, and the
    /// envelope's `client-request-id` unless it has its own (Graph's inner answers echo the outer one).
    private func innerRequest(_ item: BatchItem, outer: HTTPRequest) -> HTTPRequest {
        var headers = item.headers.filter { $0.name.lowercased() != "authorization" }
        if let authorization = outer.header("Authorization") { headers.append(HTTPHeader(name: "Authorization", value: authorization)) }
        if !headers.contains(where: { $0.name.lowercased() == "client-request-id" }), let id = outer.header("client-request-id") {
            headers.append(HTTPHeader(name: "client-request-id", value: id))
        }
        return HTTPRequest(method: item.method, target: "/v1.0" + item.url, headers: headers, body: item.body)
    }

    /// A deterministic shuffle that never leaves two or more responses in request order.
    static func responseOrder(count: Int, seed: UInt64) -> [Int] {
        var order = Array(0..<count)
        var random = SplitMix64(seed: seed)
        random.shuffle(&order, first: count)
        if count > 1 && order == Array(0..<count) { order.reverse() }
        return order
    }

    /// `{"id":…,"status":…,"headers":{…},"body":…}`. A JSON body is embedded as the object it is (its bytes are
    /// the emulator's own JSON), any other body as a base64 string, as Graph does; an empty body is left out.
    private static func writeInnerResponse(id: String, _ response: HTTPResponse, into bytes: inout [UInt8]) {
        let headers = response.headers.filter { $0.name.lowercased() != "x-ms-ags-diagnostic" }
        var members: JSONMembers = [("id", .string(id)), ("status", .int(response.status)),
                                    ("headers", .object(headers.map { ($0.name, .string($0.value)) }))]
        let contentType = response.headers.first { $0.name.lowercased() == "content-type" }?.value.lowercased() ?? ""
        if !response.body.isEmpty && !contentType.contains("json") {
            members.append(("body", .string(response.body.base64EncodedString())))
        }
        JSONValue.object(members).write(into: &bytes)
        guard !response.body.isEmpty, contentType.contains("json") else { return }
        bytes.removeLast() // the closing brace, reopened to splice the body in
        bytes.append(contentsOf: #","body":"#.utf8)
        bytes.append(contentsOf: response.body)
        bytes.append(UInt8(ascii: "}"))
    }
}
