import Foundation
import LeaverSweepCore
import Testing
@testable import LeaverSweepKit
import TestSupport

@Suite struct StateStoreTests {
    let directory: TemporaryDirectory
    let store: StateStore
    let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    init() throws {
        directory = try TemporaryDirectory()
        store = try StateStore(path: directory.path + "/state.sqlite")
    }

    func user(_ id: String, enabled: Bool) -> DirectoryUser {
        DirectoryUser(id: id, userPrincipalName: "\(id)@contoso.com", accountEnabled: enabled)
    }

    func snapshotUsers(_ users: [DirectoryUser], runId: Int64, at: Date) throws {
        try store.beginStaging([.users])
        try store.stageUsers(users)
        try store.commitStaging([.users])
        try store.updateDisabledSince(now: at, runId: runId)
    }

    @Test func anInterruptedSnapshotLeavesThePreviousOneIntact() throws {
        try snapshotUsers([user("a", enabled: false), user("b", enabled: true)], runId: 1, at: t0)
        // The next run dies after staging one page: nothing is committed.
        try store.beginStaging([.users])
        try store.stageUsers([user("c", enabled: false)])
        let reopened = try StateStore(path: directory.path + "/state.sqlite")
        #expect(try reopened.countUsers() == (all: 2, disabled: 1))
        #expect(try reopened.disabledUserIds() == ["a"])
    }

    @Test func remembersWhenAUserWasFirstSeenDisabledAndStartsANewEpisodeAfterARehire() throws {
        try snapshotUsers([user("a", enabled: false)], runId: 1, at: t0)
        try snapshotUsers([user("a", enabled: false)], runId: 2, at: t0.addingTimeInterval(86_400))
        var cases: [LeaverCase] = []
        try store.forEachLeaverCase { cases.append($0) }
        #expect(cases.map(\.firstSeenDisabled) == [t0])
        #expect(cases.first?.disabledAt == DisabledTime(at: t0, source: .firstSeenDisabled))

        try snapshotUsers([user("a", enabled: true)], runId: 3, at: t0.addingTimeInterval(2 * 86_400))
        try snapshotUsers([user("a", enabled: false)], runId: 4, at: t0.addingTimeInterval(3 * 86_400))
        cases = []
        try store.forEachLeaverCase { cases.append($0) }
        #expect(cases.map(\.firstSeenDisabled) == [t0.addingTimeInterval(3 * 86_400)])
    }

    @Test func prefersTheLatestAuditDisableTime() throws {
        try snapshotUsers([user("a", enabled: false)], runId: 1, at: t0)
        try store.recordAuditDisable(userId: "a", at: t0.addingTimeInterval(-7200))
        try store.recordAuditDisable(userId: "a", at: t0.addingTimeInterval(-3600))
        try store.recordAuditDisable(userId: "a", at: t0.addingTimeInterval(-9000))
        var cases: [LeaverCase] = []
        try store.forEachLeaverCase { cases.append($0) }
        #expect(cases.first?.disabledAt == DisabledTime(at: t0.addingTimeInterval(-3600), source: .auditLog))
    }

    @Test func journalsInFlightBeforeAndOutcomeAfter() throws {
        let action = PlannedAction.revokeSessions(userId: "a", episodeStart: t0, findingKey: "sessions_not_revoked:a")
        try store.markInFlight(action, runId: 1, at: t0)
        #expect(try store.journal()[action.key]?.entry.state == .inFlight)
        try store.markFailed(action.key, runId: 1, at: t0, error: GraphErrorInfo(httpStatus: 503, code: "serviceNotAvailable", message: "busy", requestId: "r1", clientRequestId: "c1"))
        let failed = try #require(try store.journal()[action.key])
        #expect(failed.entry == JournalEntry(key: action.key, state: .failed, httpStatus: 503, errorCode: "serviceNotAvailable"))
        #expect(failed.error?.requestId == "r1")
        try store.markInFlight(action, runId: 2, at: t0)
        try store.markApplied(action.key, runId: 2, at: t0, requestId: "r2", clientRequestId: "c2")
        let applied = try #require(try store.journal()[action.key])
        #expect(applied.entry.state == .applied)
        #expect(applied.requestId == "r2")
        #expect(applied.appliedAt == t0)
    }

    @Test func databaseFileIsPrivate() throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path + "/state.sqlite")
        #expect((attributes[.posixPermissions] as? Int).map { $0 & 0o077 } == 0)
    }
}
