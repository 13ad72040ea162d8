import Foundation
import Testing
@testable import LeaverSweepKit
import TestSupport

@Suite struct GraphBatchTests {
    let endpoint = URL(string: "https://graph.microsoft.com")!

    /// Answers each `$batch` by looking at what it carries, in reverse order (Graph promises no order).
    static func batchResponder(_ answer: @escaping @Sendable (_ attempt: Int, _ request: [String: Any]) -> (Int, [String: String], Any?)) -> ScriptedTransport.Responder {
        let attempts = AttemptCounter()
        return { request in
            let object = try JSONSerialization.jsonObject(with: request.body ?? Data()) as! [String: Any]
            let inner = object["requests"] as! [[String: Any]]
            let responses: [[String: Any]] = inner.reversed().map { item in
                let (status, headers, body) = answer(attempts.next(item["id"] as! String), item)
                var response: [String: Any] = ["id": item["id"]!, "status": status, "headers": headers]
                if let body { response["body"] = body }
                return response
            }
            return HTTPResponse(status: 200, headers: HTTPHeaders([("request-id", "outer")]),
                                body: try JSONSerialization.data(withJSONObject: ["responses": responses]))
        }
    }

    @Test func splitsIntoBatchesOfTwentyAndReturnsResultsInItemOrder() throws {
        let transport = ScriptedTransport(fallback: Self.batchResponder { _, item in
            (200, ["Content-Type": "application/json"], ["url": item["url"]!])
        })
        let client = GraphClient(transport: transport, tokens: CountingTokenProvider(), endpoint: endpoint, sleep: { _ in })
        let items = (0..<45).map { GraphBatchItem("GET", "/users/u\($0)?$select=id") }
        let results = client.batch(items, threads: 3)
        #expect(transport.sentRequests.count == 3)
        #expect(transport.sentRequests.allSatisfy { $0.url == "https://graph.microsoft.com/v1.0/$batch" && $0.method == "POST" })
        for (index, result) in results.enumerated() {
            let body = try JSONSerialization.jsonObject(with: try result.get().body) as? [String: String]
            #expect(body?["url"] == "/users/u\(index)?$select=id")
        }
        #expect(client.traffic.batches == 3 && client.traffic.batchedReads == 45 && client.traffic.requests == 3)
    }

    @Test func writesCarryABodyAndContentTypeEvenWhenTheEndpointTakesNone() throws {
        let transport = ScriptedTransport(fallback: Self.batchResponder { _, _ in (204, [:], nil) })
        let client = GraphClient(transport: transport, tokens: CountingTokenProvider(), endpoint: endpoint, sleep: { _ in })
        _ = client.batch([GraphBatchItem("POST", "/users/u1/revokeSignInSessions"),
                          GraphBatchItem("PATCH", "/devices/d1", json: Data(#"{"accountEnabled":false}"#.utf8)),
                          GraphBatchItem("GET", "/users/u1/appRoleAssignments?$count=true", headers: [("ConsistencyLevel", "eventual")])])
        let sent = try JSONSerialization.jsonObject(with: try #require(transport.sentRequests.first?.body)) as! [String: Any]
        let inner = sent["requests"] as! [[String: Any]]
        #expect(inner[0]["body"] as? [String: Any] != nil)
        #expect((inner[0]["headers"] as? [String: String])?["Content-Type"] == "application/json")
        #expect((inner[1]["body"] as? [String: Any])?["accountEnabled"] as? Bool == false)
        #expect(inner[2]["body"] == nil)
        #expect((inner[2]["headers"] as? [String: String])?["ConsistencyLevel"] == "eventual")
        #expect(Set(inner.map { $0["id"] as! String }).count == 3)
    }

    @Test func retriesOnlyTheThrottledInnerRequestsAfterTheLongestRetryAfter() throws {
        let transport = ScriptedTransport(fallback: Self.batchResponder { attempt, item in
            let url = item["url"] as! String
            if attempt == 1 && url.hasSuffix("u1") { return (429, ["Retry-After": "3"], ["error": ["code": "TooManyRequests", "message": "slow down"]]) }
            if attempt == 1 && url.hasSuffix("u2") { return (503, ["Retry-After": "5"], ["error": ["code": "serviceNotAvailable", "message": "busy"]]) }
            if url.hasSuffix("u3") { return (404, [:], ["error": ["code": "Request_ResourceNotFound", "message": "gone"]]) }
            return (200, [:], ["id": url])
        })
        let sleeps = SleepRecorder()
        let client = GraphClient(transport: transport, tokens: CountingTokenProvider(), endpoint: endpoint, sleep: sleeps.sleep)
        let results = client.batch((0..<4).map { GraphBatchItem("GET", "/users/u\($0)") })
        #expect(transport.sentRequests.count == 2)
        let retried = try JSONSerialization.jsonObject(with: transport.sentRequests[1].body!) as! [String: Any]
        #expect(Set((retried["requests"] as! [[String: Any]]).map { $0["url"] as! String }) == ["/users/u1", "/users/u2"])
        // The lane sleeps what is left of the longest wait, measured from the answer, a second at a time.
        let slept = sleeps.sleeps.reduce(0, +)
        #expect(slept > 4.9 && slept <= 5.25)
        #expect((try? results[1].get()) != nil && (try? results[2].get()) != nil)
        guard case .failure(RunFailure.graph(let error)) = results[3] else {
            Issue.record("expected a Graph error for u3")
            return
        }
        #expect(error.info.httpStatus == 404 && error.info.code == "Request_ResourceNotFound")
        #expect(client.traffic.throttled == 1)
    }

    @Test func aBatchThatFailsAsAWholeFailsEachItemWithThatError() throws {
        let transport = ScriptedTransport(fallback: ScriptedTransport.graphError(400, code: "BadRequest", message: "Invalid batch payload.", requestId: "b-1"))
        let client = GraphClient(transport: transport, tokens: CountingTokenProvider(), endpoint: endpoint, sleep: { _ in })
        let results = client.batch([GraphBatchItem("GET", "/users/a"), GraphBatchItem("GET", "/users/b")])
        for result in results {
            guard case .failure(RunFailure.graph(let error)) = result else { Issue.record("expected a failure"); continue }
            #expect(error.info.requestId == "b-1")
        }
    }
}

final class AttemptCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    func next(_ id: String) -> Int { lock.withLock { counts[id, default: 0] += 1; return counts[id]! } }
}
