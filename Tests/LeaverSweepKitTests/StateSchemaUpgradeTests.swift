import Foundation
import LeaverSweepCore
import Testing
import TestSupport
@testable import LeaverSweepKit

/// A state database written before the app checks (migration 001 only) is upgraded in place on the next run.
struct StateSchemaUpgradeTests {
    @Test func aDatabaseFromBeforeTheAppChecksKeepsItsDataAndReadsEveryUserOnceMore() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/state.sqlite"
        do {
            let old = try SQLiteDatabase(path: path)
            var migrator = SQLiteMigrator()
            migrator.register("001_initial", StateSchema.initial)
            try migrator.migrate(old)
            try old.run("INSERT INTO users (id, upn, display_name, account_enabled) VALUES ('u1', 'jdoe@contoso.com', 'Jane', 0)", [])
            try old.run("INSERT INTO user_disabled_since (user_id, first_seen_disabled) VALUES ('u1', 1700000000000)", [])
            try old.run("INSERT INTO sync_state (name, value) VALUES ('users_delta_link', 'https://graph/delta?token=x'), ('devices_delta_link', 'd')", [])
            try old.run("INSERT INTO outbox (run_id, created_at, subject, sender, recipients, message) VALUES (1, 1, 's', 'a@b.c', '[\"x@y.z\"]', 'm')", [])
        }

        let store = try StateStore(path: path)
        let user = try #require(try store.findUser("JDOE@contoso.com"))
        #expect(user.id == "u1" && !user.accountEnabled, "existing users survive the upgrade")
        #expect(try store.syncValue("users_delta_link") == nil, "the users delta link is dropped, so mail and mailNickname get read")
        #expect(try store.syncValue("devices_delta_link") == "d", "other delta links are kept")
        let pending = try store.pendingMail()
        #expect(pending.count == 1 && pending[0].audience == nil, "a queued report stays addressed to the admins")

        // The new tables work on the upgraded file.
        try store.recordAppAccounts(app: "ServiceNow", userId: "u1", accounts: [.init(accountId: "a1", userName: "jdoe@contoso.com", active: true)],
                                    checkedAt: Date())
        var cases: [LeaverCase] = []
        try store.forEachLeaverCase(apps: LeaverAppContext(runStart: Date().addingTimeInterval(-60))) { cases.append($0) }
        #expect(cases.map(\.appAccounts.count) == [1])
        #expect(cases.first?.appAccounts.first?.checkedTonight == true)
    }
}
