import Foundation
import LeaverSweepCore
import Testing
@testable import LeaverSweepKit
import TestSupport

@Suite struct ExecutorTests {
    let directory: TemporaryDirectory
    let store: StateStore
    let episode = Date(timeIntervalSince1970: 1_795_000_000)

    init() throws {
        directory = try TemporaryDirectory()
        store = try StateStore(path: directory.path + "/state.sqlite")
    }

    func executor(_ transport: ScriptedTransport) -> Executor {
        let graph = GraphClient(transport: transport, tokens: CountingTokenProvider(), endpoint: URL(string: "https://graph.microsoft.com")!, sleep: SleepRecorder().sleep)
        return Executor(graph: graph, store: store, runId: 1, now: { Date(timeIntervalSince1970: 1_795_000_100) }, log: RunLog(threshold: .error, write: { _ in }), crashAfterWrites: nil)
    }

    /// Graph for the executor: every request arrives in a `$batch`; `answer` sees "METHOD url" of each inner request.
    func batchGraph(_ answer: @escaping @Sendable (String) -> (Int, [String: String], Any?)) -> ScriptedTransport {
        ScriptedTransport(fallback: GraphBatchTests.batchResponder { _, item in answer("\(item["method"]!) \(item["url"]!)") })
    }

    static func innerRequests(_ transport: ScriptedTransport) -> [String] {
        transport.sentRequests.flatMap { request -> [String] in
            let object = try? JSONSerialization.jsonObject(with: request.body ?? Data()) as? [String: Any]
            return (object?["requests"] as? [[String: Any]] ?? []).map { "\($0["method"]!) \($0["url"]!)" }
        }
    }

    @Test func neverWritesForAnAccountEnabledAgainSinceTheSnapshot() throws {
        let transport = batchGraph { request in
            #expect(request.hasPrefix("GET "), "no write may be sent: \(request)")
            return (200, [:], ["id": "u1", "accountEnabled": true])
        }
        let actions = [
            PlannedAction.revokeSessions(userId: "u1", episodeStart: episode, findingKey: "f1"),
            PlannedAction.disableDevice(deviceObjectId: "d1", ownerId: "u1", episodeStart: episode, findingKey: "f2", ifRefused: .investigateFailedAction),
        ]
        let result = executor(transport).execute(actions)
        #expect(Self.innerRequests(transport) == ["GET /users/u1?$select=id,accountEnabled"], "one check per user, then nothing")
        #expect(result.outcomes.values.allSatisfy { if case .skipped = $0 { true } else { false } })
        #expect(try store.journal().isEmpty, "nothing journaled: nothing was sent")
    }

    @Test func writesAfterConfirmingTheAccountIsStillDisabledAndJournalsTheOutcome() throws {
        let transport = batchGraph { request in
            request.hasPrefix("GET ") ? (200, [:], ["id": "u1", "accountEnabled": false])
                : request.contains("u2") ? (404, [:], ["error": ["code": "Request_ResourceNotFound", "message": "gone"]])
                : (204, ["request-id": "graph-r1"], nil)
        }
        let first = PlannedAction.revokeSessions(userId: "u1", episodeStart: episode, findingKey: "f1")
        let device = PlannedAction.disableDevice(deviceObjectId: "d1", ownerId: "u1", episodeStart: episode, findingKey: "f2", ifRefused: .investigateFailedAction)
        let result = executor(transport).execute([first, device])
        #expect(Self.innerRequests(transport) == [
            "GET /users/u1?$select=id,accountEnabled",
            "POST /users/u1/revokeSignInSessions",
            "PATCH /devices/d1",
        ])
        #expect(transport.sentRequests.count == 2, "one batch of checks, one batch of writes")
        #expect(result.outcomes[first.key] == .applied(at: Date(timeIntervalSince1970: 1_795_000_100), requestId: "graph-r1"))
        #expect(try store.journal()[first.key]?.entry.state == .applied)
        #expect(try store.journal()[device.key]?.entry.state == .applied)
    }

    @Test func aRefusedWriteIsJournaledWithGraphsErrorAndTheOthersStillApply() throws {
        let transport = batchGraph { request in
            if request.hasPrefix("GET ") { return (200, [:], ["id": "x", "accountEnabled": false]) }
            if request.contains("d-ios") {
                return (400, ["request-id": "r-400"], ["error": ["code": "Request_BadRequest", "message": "Properties other than ExtendedAttribute1..15 can be modified only on windows devices."]])
            }
            return (204, [:], nil)
        }
        let actions = (0..<25).map { PlannedAction.revokeSessions(userId: "u\($0)", episodeStart: episode, findingKey: "f\($0)") }
            + [PlannedAction.disableDevice(deviceObjectId: "d-ios", ownerId: "u1", episodeStart: episode, findingKey: "fd", ifRefused: .investigateFailedAction)]
        let result = executor(transport).execute(actions)
        #expect(result.outcomes.values.filter { if case .applied = $0 { true } else { false } }.count == 25)
        guard case .failed(let info)? = result.outcomes[actions.last!.key] else { Issue.record("the refused write has no failure"); return }
        #expect(info.httpStatus == 400 && info.code == "Request_BadRequest" && info.requestId == "r-400")
        #expect(try store.journal()[actions.last!.key]?.entry.state == .failed)
        #expect(Self.innerRequests(transport).filter { !$0.hasPrefix("GET ") }.count == 26, "every write sent exactly once")
    }

    @Test func aTokenFailureStopsTheRunAndLeavesTheWritesInFlightForTheNextRun() throws {
        final class FailingAfterFirst: TokenProvider, @unchecked Sendable {
            private let lock = NSLock()
            private var calls = 0
            func token() throws -> String {
                try lock.withLock {
                    calls += 1
                    if calls > 1 { throw RunFailure.token("token endpoint down") }
                    return "t"
                }
            }
            func invalidate() {}
        }
        let transport = batchGraph { _ in (200, [:], ["id": "u1", "accountEnabled": false]) }
        let graph = GraphClient(transport: transport, tokens: FailingAfterFirst(), endpoint: URL(string: "https://graph.microsoft.com")!, sleep: { _ in })
        let executor = Executor(graph: graph, store: store, runId: 1, now: { Date() }, log: RunLog(threshold: .error, write: { _ in }), crashAfterWrites: nil)
        let first = PlannedAction.revokeSessions(userId: "u1", episodeStart: episode, findingKey: "f1")
        let result = executor.execute([first])
        #expect(result.stoppedBy != nil)
        #expect(result.outcomes[first.key] == nil)
        #expect(try store.journal()[first.key]?.entry.state == .inFlight, "journaled before sending, settled by the next run")
    }

    @Test func aStopWhileAWriteWaitsOutItsRetryAfterJournalsItFailedAndSendsNothingNew() throws {
        let transport = batchGraph { request in
            if request.hasPrefix("GET ") { return (200, [:], ["id": "x", "accountEnabled": false]) }
            if request.contains("/u3/") { return (429, ["Retry-After": "30"], ["error": ["code": "TooManyRequests", "message": "slow down"]]) }
            return (204, [:], nil)
        }
        let asked = AttemptCounter()
        var executor = executor(transport)
        executor.threads = 1
        executor.stopRequested = { asked.next("stop") > 1 }  // SIGTERM arrives after the first write batch
        let actions = (0..<25).map { PlannedAction.revokeSessions(userId: "u\($0)", episodeStart: episode, findingKey: "f\($0)") }
        let result = executor.execute(actions)
        guard case RunFailure.stopped? = result.stoppedBy else { Issue.record("the run should report the stop"); return }
        #expect(Self.innerRequests(transport).filter { !$0.hasPrefix("GET ") } == (0..<20).map { "POST /users/u\($0)/revokeSignInSessions" })
        let journal = try store.journal()
        #expect(journal[actions[3].key]?.entry.state == .failed && journal[actions[3].key]?.entry.httpStatus == 429,
                "refused, so it is retried tomorrow rather than left in flight")
        #expect(journal[actions[3].key]?.entry.failedPermanently == false)
        #expect((0..<20).filter { $0 != 3 }.allSatisfy { journal[actions[$0].key]?.entry.state == .applied })
        #expect((20..<25).allSatisfy { journal[actions[$0].key] == nil }, "never sent, never journaled: still planned")
    }
}
