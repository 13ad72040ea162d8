import Foundation
import Testing
@testable import GraphEmulator

@Suite struct BatchTests {
    static func batch(_ requests: [[String: Any]]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: ["requests": requests]), as: UTF8.self)
    }

    static let json = ["Content-Type": "application/json"]

    static func responses(_ result: HTTPResult) -> [String: [String: Any]] {
        let list = result.json["responses"] as? [[String: Any]] ?? []
        return Dictionary(list.map { ($0["id"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
    }

    @Test func innerRequestsRunThroughTheSameRoutesAndAnswerOutOfOrder() throws {
        let harness = try Harness()
        let token = try harness.token()
        let result = try harness.graph("POST", "/v1.0/$batch", token: token, body: Self.batch([
            ["id": "1", "method": "POST", "url": "/users/\(Fixture.bob)/revokeSignInSessions", "headers": Self.json, "body": [:]],
            ["id": "2", "method": "PATCH", "url": "devices/\(Fixture.bobWindows)", "headers": Self.json,
             "body": ["accountEnabled": false]],
            ["id": "3", "method": "GET", "url": "/users/\(Fixture.alice)?$select=id,accountEnabled"],
            ["id": "4", "method": "PATCH", "url": "/devices/\(Fixture.bobIPhone)", "headers": Self.json,
             "body": ["accountEnabled": false]],
        ]), headers: ["client-request-id": "outer-1"])
        #expect(result.status == 200)
        let ids = (result.json["responses"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(Set(ids) == ["1", "2", "3", "4"])
        #expect(ids != ["1", "2", "3", "4"], "responses must not come back in request order")
        let byId = Self.responses(result)
        #expect(byId["1"]?["status"] as? Int == 200)
        #expect((byId["1"]?["body"] as? [String: Any])?["value"] as? Bool == true)
        #expect(byId["2"]?["status"] as? Int == 204)
        #expect(byId["2"]?["body"] == nil)
        let alice = try #require(byId["3"]?["body"] as? [String: Any], "inner JSON bodies are objects, not strings")
        #expect(alice["accountEnabled"] as? Bool == true)
        #expect((byId["3"]?["headers"] as? [String: String])?["Content-Type"] == GraphJSON.contentType)
        #expect(byId["4"]?["status"] as? Int == 400)
        #expect(((byId["4"]?["body"] as? [String: Any])?["error"] as? [String: Any])?["code"] as? String == "Request_BadRequest")
        #expect(harness.emulator.device(id: Fixture.bobWindows)?["accountEnabled"] as? Bool == false)

        let writes = harness.emulator.recordedWrites()
        #expect(writes.map { "\($0.method) \($0.path)" } == [
            "POST /v1.0/users/\(Fixture.bob)/revokeSignInSessions", "PATCH /v1.0/devices/\(Fixture.bobWindows)",
            "PATCH /v1.0/devices/\(Fixture.bobIPhone)",
        ])
        #expect(writes.map(\.status) == [200, 204, 400])
        #expect(writes[1].body == #"{"accountEnabled":false}"#)
        #expect(writes.allSatisfy { $0.batch && $0.headers["authorization"] == "Bearer \(token)" })
        #expect(writes.allSatisfy { $0.headers["client-request-id"] == "outer-1" }, "inner requests inherit the envelope's id")
        #expect((byId["1"]?["headers"] as? [String: String])?["client-request-id"] == "outer-1")
        let graph = harness.emulator.recordedRequests().filter { !$0.tokenEndpoint }
        #expect(graph.map(\.batch) == [false, true, true, true, true])
        #expect(graph[0].path == "/v1.0/$batch" && graph[0].status == 200)
        #expect(graph[3].query == ["$select": "id,accountEnabled"])
        #expect(graph[0].responseBytes == result.body.count)
        #expect(graph[3].responseBytes > 0 && graph[3].responseBytes < graph[0].responseBytes)
    }

    @Test func malformedBatchesAre400AndRunNothing() throws {
        let harness = try Harness()
        let token = try harness.token()
        let revoke: [String: Any] = ["method": "POST", "url": "/users/\(Fixture.bob)/revokeSignInSessions"]
        let cases: [(body: String, message: String?)] = [
            (Self.batch((1...21).map { ["id": "\($0)", "method": "GET", "url": "/users/\(Fixture.alice)"] }), nil),
            (Self.batch([["id": "a", "method": "GET", "url": "/users"], ["id": "A", "method": "GET", "url": "/devices"]]), nil),
            (Self.batch([revoke.merging(["id": "7", "body": [:]]) { a, _ in a }]),
             "Write request id : 7 does not contain Content-Type header or body."),
            (Self.batch([revoke.merging(["id": "8", "headers": Self.json]) { a, _ in a }]),
             "Write request id : 8 does not contain Content-Type header or body."),
            (Self.batch([["id": "1", "method": "GET", "url": "https://graph.microsoft.com/v1.0/users"]]), nil),
            (Self.batch([["id": "1", "method": "GET", "url": "/users", "dependsOn": ["9"]]]), nil),
            ("{\"requests\": ", nil),
        ]
        for (body, message) in cases {
            let result = try harness.graph("POST", "/v1.0/$batch", token: token, body: body)
            #expect(result.status == 400, "\(body.prefix(80))")
            #expect(result.errorCode == "BadRequest")
            if let message { #expect(result.errorMessage == message) }
        }
        #expect(harness.emulator.recordedRequests().allSatisfy { !$0.batch })
        #expect(harness.emulator.recordedWrites().isEmpty, "a rejected envelope is not a write")
    }

    @Test func throttlingCountsInnerRequestsAndAnswersAnInner429() throws {
        var options = EmulatorOptions()
        options.faults.throttleEveryNth = 3
        options.faults.retryAfterSeconds = 2
        let harness = try Harness(options: options)
        let devices = [Fixture.windowsLaptop, Fixture.bobWindows, Fixture.bobIPhone, Fixture.bobSynced]
        // Graph request 1 is the envelope, 2…5 its inner requests: the 2nd inner request (number 3) is throttled.
        let result = try harness.graph("POST", "/v1.0/$batch", token: try harness.token(), body: Self.batch(devices.enumerated().map {
            ["id": "\($0.offset + 1)", "method": "GET", "url": "/devices/\($0.element)?$select=id"]
        }))
        #expect(result.status == 200)
        let byId = Self.responses(result)
        #expect(byId.mapValues { $0["status"] as? Int } == ["1": 200, "2": 429, "3": 200, "4": 200])
        #expect((byId["2"]?["headers"] as? [String: String])?["Retry-After"] == "2")
        #expect(((byId["2"]?["body"] as? [String: Any])?["error"] as? [String: Any])?["code"] as? String == "TooManyRequests")
        #expect(harness.emulator.recordedRequests().filter(\.batch).map(\.fault) == [nil, .throttled, nil, nil])
    }

    @Test func dependantsOfAFailedRequestGet424() throws {
        let harness = try Harness()
        let result = try harness.graph("POST", "/v1.0/$batch", token: try harness.token(), body: Self.batch([
            ["id": "3", "method": "PATCH", "url": "/devices/\(Fixture.bobWindows)", "headers": Self.json,
             "body": ["accountEnabled": false], "dependsOn": ["2"]],
            ["id": "1", "method": "GET", "url": "/users/00000000-dead-4000-8000-000000000000"],
            ["id": "2", "method": "GET", "url": "/users/\(Fixture.bob)", "dependsOn": ["1"]],
            ["id": "4", "method": "GET", "url": "/users/\(Fixture.alice)"],
        ]))
        let byId = Self.responses(result)
        #expect(byId.mapValues { $0["status"] as? Int } == ["1": 404, "2": 424, "3": 424, "4": 200])
        #expect(harness.emulator.device(id: Fixture.bobWindows)?["accountEnabled"] as? Bool == true, "a 424 request never ran")
        #expect(harness.emulator.recordedWrites().map(\.status) == [424])
    }

    @Test func exchangeFaultsBelongToTheEnvelopeAndAFaultedEnvelopeRunsNothing() throws {
        var options = EmulatorOptions()
        options.faults.resetEveryNth = 5
        let harness = try Harness(options: options)
        let token = try harness.token()
        let revokeAll = Self.batch([Fixture.bob, Fixture.carol, Fixture.alice].enumerated().map {
            ["id": "\($0.offset)", "method": "POST", "url": "/users/\($0.element)/revokeSignInSessions", "headers": Self.json, "body": [:]]
        })
        // Graph requests 1 (envelope) and 2…4 (inner): no multiple of 5, all three run.
        let first = try harness.graph("POST", "/v1.0/$batch", token: token, body: revokeAll)
        #expect(Self.responses(first).mapValues { $0["status"] as? Int } == ["0": 200, "1": 200, "2": 200])
        let after = harness.emulator.user(id: Fixture.bob)?["signInSessionsValidFromDateTime"] as? String
        // Request 5 is the next envelope: reset, unanswered, and none of its inner requests runs or is recorded.
        #expect(throws: TestClientError.self) { try harness.graph("POST", "/v1.0/$batch", token: token, body: revokeAll) }
        #expect(harness.emulator.recordedWrites().count == 3)
        #expect(harness.emulator.recordedRequests().last.map { ($0.path, $0.fault, $0.status) } ?? ("", nil, -1) == ("/v1.0/$batch", .reset, 0))
        #expect(harness.emulator.user(id: Fixture.bob)?["signInSessionsValidFromDateTime"] as? String == after)
    }

    @Test func anExchangeFaultDrawnByAnInnerRequestIsNotInjected() throws {
        var options = EmulatorOptions()
        options.faults.truncateEveryNth = 2
        options.faults.expireTokensEveryNth = 3
        let harness = try Harness(options: options)
        let result = try harness.graph("POST", "/v1.0/$batch", token: try harness.token(), body: Self.batch([
            ["id": "a", "method": "GET", "url": "/users/\(Fixture.alice)?$select=id"],
            ["id": "b", "method": "GET", "url": "/users/\(Fixture.bob)?$select=id"],
        ]))
        #expect(result.status == 200)
        #expect(Self.responses(result).mapValues { $0["status"] as? Int } == ["a": 200, "b": 200])
        #expect(harness.emulator.recordedRequests().filter(\.batch).allSatisfy { $0.fault == nil })
    }

    @Test func nonJSONInnerBodiesAreBase64AndInnerHeadersReachTheRoute() throws {
        let harness = try Harness()
        let result = try harness.graph("POST", "/v1.0/$batch", token: try harness.token(), body: Self.batch([
            ["id": "count", "method": "GET", "url": "/devices/$count", "headers": ["ConsistencyLevel": "eventual"]],
            ["id": "plain", "method": "GET", "url": "/devices/$count"],
            ["id": "nested", "method": "POST", "url": "/$batch", "headers": Self.json, "body": ["requests": []]],
        ]))
        let byId = Self.responses(result)
        let encoded = try #require(byId["count"]?["body"] as? String)
        #expect(Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } == "4")
        #expect(byId["plain"]?["status"] as? Int == 400)
        #expect(byId["nested"]?["status"] as? Int == 400, "a batch cannot contain a batch")
    }

    @Test func responseOrderNeverMatchesRequestOrder() {
        for count in 2...20 {
            for seed in UInt64(1)...40 {
                let order = GraphEmulator.responseOrder(count: count, seed: seed)
                #expect(order.sorted() == Array(0..<count))
                #expect(order != Array(0..<count))
            }
        }
    }
}
