import Foundation
import LeaverSweepCore

/// One request to send inside a JSON batch.
public struct GraphBatchItem: Sendable {
    public var method: String
    /// Relative to `/v1.0`, starting with `/`.
    public var path: String
    public var json: Data?
    public var headers: [(String, String)]

    public init(_ method: String, _ path: String, json: Data? = nil, headers: [(String, String)] = []) {
        self.method = method
        self.path = path
        self.json = json
        self.headers = headers
    }
}

extension GraphBatchItem {
    /// `GET /users/{id}?$select=…`: a user read back one by one (details after a delta, the re-check before writes,
    /// the read-back after revocations).
    static func user(_ id: String, select: String = UserPayload.select) -> GraphBatchItem {
        GraphBatchItem("GET", "/users/\(GraphQuery.segment(id))?$select=\(select)")
    }
}

extension GraphClient {
    /// Graph's limit per `$batch`.
    public static let maximumBatchSize = 20

    /// Sends `items` in JSON batches of up to 20, several batches at once, and returns one result per item in
    /// item order. Graph throttles each inner request on its own and SDKs don't retry inner 429s, so this does:
    /// inner 429/503/5xx (and 424, which the throttling page says a batch may carry) go out again in a later batch
    /// once their `Retry-After` has passed (see `streamBatches`). A batch that fails as a whole fails each of its
    /// items with that error.
    ///
    /// `threads` may exceed the concurrency limit on purpose: a batch waiting out a `Retry-After` holds a thread but
    /// not a request slot, so other batches keep the connections busy meanwhile.
    public func batch(_ items: [GraphBatchItem], threads: Int = 64) -> [Result<GraphResponse, Error>] {
        let collected = BatchResults(count: items.count)
        // Errors are per item and nothing here stops the stream, so it never throws.
        try? streamBatches(items, lanes: threads) { answers in
            for (index, result) in answers { collected.set(index, result) }
        }
        return collected.results
    }

    static let retriedInBatch: Set<Int> = [424, 429, 500, 502, 503, 504]

    struct InnerAnswer {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
    }

    /// Writes need a body and a Content-Type inside a batch even when the endpoint takes none (graph.md §4).
    static func encode(_ items: [(Int, GraphBatchItem)]) throws -> Data {
        var requests: [[String: Any]] = []
        for (index, item) in items {
            var request: [String: Any] = ["id": String(index), "method": item.method, "url": item.path]
            var headers = Dictionary(item.headers, uniquingKeysWith: { _, last in last })
            if item.method != "GET" {
                let body = try item.json.map { try JSONSerialization.jsonObject(with: $0, options: [.fragmentsAllowed]) } ?? [String: Any]()
                request["body"] = body
                headers["Content-Type"] = "application/json"
            }
            if !headers.isEmpty { request["headers"] = headers }
            requests.append(request)
        }
        return try JSONSerialization.data(withJSONObject: ["requests": requests])
    }

    /// Inner answers by id. Inner bodies are JSON values; they are re-serialised so callers decode them like any response.
    static func decode(_ outer: GraphResponse) throws -> [String: InnerAnswer] {
        guard let object = try? JSONSerialization.jsonObject(with: outer.body) as? [String: Any],
              let responses = object["responses"] as? [[String: Any]] else {
            throw RunFailure.unexpectedResponse("Graph's $batch answer could not be read (request-id \(outer.requestId ?? "none"))")
        }
        var answers: [String: InnerAnswer] = [:]
        for response in responses {
            guard let id = response["id"] as? String, let status = (response["status"] as? NSNumber)?.intValue else { continue }
            let headerPairs = (response["headers"] as? [String: Any] ?? [:]).compactMap { name, value in (value as? String).map { (name, $0) } }
            var body = Data()
            if let value = response["body"], !(value is NSNull) {
                body = (try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])) ?? Data()
            }
            answers[id] = InnerAnswer(status: status, headers: HTTPHeaders(headerPairs), body: body)
        }
        return answers
    }
}

private final class BatchResults: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Result<GraphResponse, Error>]

    init(count: Int) {
        storage = Array(repeating: .failure(RunFailure.unexpectedResponse("not sent")), count: count)
    }

    func set(_ index: Int, _ result: Result<GraphResponse, Error>) { lock.withLock { storage[index] = result } }
    var results: [Result<GraphResponse, Error>] { lock.withLock { storage } }
}
