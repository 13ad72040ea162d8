import Foundation
import LeaverSweepCore

/// Looks every disabled user up in one SCIM app and stores what the app answered.
///
/// A sick app never fails the run: the first failure (down, 401/403, still 429 after its `Retry-After`,
/// malformed answers) stops the app's lookups — hammering a dead endpoint with a thousand more is no use —
/// and the app's status says "could not check" with the error. Users not looked up keep their last known state.
struct SCIMAppChecker {
    let app: AppSettings
    let settings: SCIMAppSettings
    let client: SCIMClient
    let store: StateStore
    let log: RunLog
    /// Lookups in flight at once: enough to hide latency, few enough to stay under typical SCIM rate limits.
    var threads = 4

    func check(_ users: [DirectoryUser], at checkedAt: Date) -> AppStatus {
        let match = SCIMMatch(rawValue: settings.match.rawValue) ?? .userName
        let results = LookupResults()
        try? ParallelWork.forEach(users, threads: threads) { user in
            guard !results.failed else { return }
            guard let value = Self.value(of: user, for: settings.match) else { return }
            do {
                let found = try client.findUsers(matching: match, value: value)
                results.add(user.id, found.map { StateStore.SeenAppAccount(accountId: $0.id, userName: $0.userName, active: $0.isActive) })
            } catch {
                results.fail(error)
            }
        }
        var checked = 0
        for (userId, accounts) in results.found {
            do {
                try store.recordAppAccounts(app: app.name, userId: userId, accounts: accounts, checkedAt: checkedAt)
                checked += 1
            } catch {
                results.fail(error)
            }
        }
        let owner = app.owner?.address
        if let failure = results.firstFailure {
            log.warning("app \"\(app.name)\": could not check (\(checked) of \(users.count) leavers looked up): \(failure)")
            return AppStatus(app: app.name, source: .scim, health: .notChecked,
                             detail: "could not check: \(failure)", usersChecked: checked, owner: owner)
        }
        let active = results.found.values.reduce(0) { $0 + $1.filter(\.active).count }
        log.debug("app \"\(app.name)\": \(checked) leavers looked up, \(active) active accounts")
        return AppStatus(app: app.name, source: .scim, health: .ok, usersChecked: checked, owner: owner)
    }

    /// The directory value the app's accounts are matched on; nil when the user has none (no lookup is sent).
    static func value(of user: DirectoryUser, for match: AppAccountMatch) -> String? {
        let value: String?
        switch match {
        case .userName: value = user.userPrincipalName
        case .externalId: value = user.mailNickname
        case .email: value = user.mail ?? user.userPrincipalName
        }
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}

/// Answers gathered from the lookup threads.
private final class LookupResults: @unchecked Sendable {
    private let lock = NSLock()
    private var accounts: [String: [StateStore.SeenAppAccount]] = [:]
    private var failure: Error?

    var found: [String: [StateStore.SeenAppAccount]] { lock.withLock { accounts } }
    var firstFailure: Error? { lock.withLock { failure } }
    var failed: Bool { firstFailure != nil }

    func add(_ userId: String, _ found: [StateStore.SeenAppAccount]) { lock.withLock { accounts[userId] = found } }
    func fail(_ error: Error) { lock.withLock { if failure == nil { failure = error } } }
}
