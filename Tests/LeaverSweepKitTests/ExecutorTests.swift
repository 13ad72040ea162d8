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

    @Test func neverWritesForAnAccountEnabledAgainSinceTheSnapshot() throws {
        let transport = ScriptedTransport(fallback: { request in
            #expect(request.method == "GET", "no write may be sent: \(request.method) \(request.url)")
            return HTTPResponse(status: 200, body: Data(#"{"id":"u1","accountEnabled":true}"#.utf8))
        })
        let actions = [
            PlannedAction.revokeSessions(userId: "u1", episodeStart: episode, findingKey: "f1"),
            PlannedAction.disableDevice(deviceObjectId: "d1", ownerId: "u1", episodeStart: episode, findingKey: "f2", ifRefused: .investigateFailedAction),
        ]
        let result = executor(transport).execute(actions)
        #expect(transport.sentRequests.map(\.method) == ["GET"], "one check per user, then nothing")
        #expect(result.outcomes.values.allSatisfy { if case .skipped = $0 { true } else { false } })
        #expect(try store.journal().isEmpty, "nothing journaled: nothing was sent")
    }

    @Test func writesAfterConfirmingTheAccountIsStillDisabledAndJournalsTheOutcome() throws {
        let transport = ScriptedTransport([
            ScriptedTransport.json(200, #"{"id":"u1","accountEnabled":false}"#),
            ScriptedTransport.json(200, #"{"value":true}"#, headers: [("request-id", "graph-r1")]),
        ], fallback: ScriptedTransport.json(500, "{}"))
        let action = PlannedAction.revokeSessions(userId: "u1", episodeStart: episode, findingKey: "f1")
        let result = executor(transport).execute([action])
        #expect(transport.sentRequests.map { "\($0.method) \($0.url)" } == [
            "GET https://graph.microsoft.com/v1.0/users/u1?$select=id,accountEnabled",
            "POST https://graph.microsoft.com/v1.0/users/u1/revokeSignInSessions",
        ])
        #expect(result.outcomes[action.key] == .applied(at: Date(timeIntervalSince1970: 1_795_000_100), requestId: "graph-r1"))
        #expect(try store.journal()[action.key]?.entry.state == .applied)
    }

    @Test func aTokenFailureStopsTheRunButKeepsWhatWasDone() throws {
        final class FailingAfterFirst: TokenProvider, @unchecked Sendable {
            var calls = 0
            func token() throws -> String {
                calls += 1
                if calls > 2 { throw RunFailure.token("token endpoint down") }
                return "t"
            }
            func invalidate() {}
        }
        let transport = ScriptedTransport([
            ScriptedTransport.json(200, #"{"id":"u1","accountEnabled":false}"#),
            ScriptedTransport.json(200, #"{"value":true}"#),
        ], fallback: ScriptedTransport.json(200, "{}"))
        let graph = GraphClient(transport: transport, tokens: FailingAfterFirst(), endpoint: URL(string: "https://graph.microsoft.com")!, sleep: { _ in })
        let executor = Executor(graph: graph, store: store, runId: 1, now: { Date() }, log: RunLog(threshold: .error, write: { _ in }), crashAfterWrites: nil)
        let first = PlannedAction.revokeSessions(userId: "u1", episodeStart: episode, findingKey: "f1")
        let second = PlannedAction.revokeSessions(userId: "u2", episodeStart: episode, findingKey: "f2")
        let result = executor.execute([first, second])
        #expect(result.stoppedBy != nil)
        if case .applied? = result.outcomes[first.key] {} else { Issue.record("the first write's outcome was lost") }
        #expect(result.outcomes[second.key] == nil)
    }
}
