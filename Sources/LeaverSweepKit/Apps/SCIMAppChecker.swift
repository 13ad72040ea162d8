import Foundation
import LeaverSweepCore

/// Looks every disabled user up in one SCIM app and stores what the app answered.
///
/// A sick app never fails the run: the first app-wide failure (down, 401/403, still 429 after its `Retry-After`,
/// malformed or untrustworthy answers) stops the app's lookups — hammering a dead endpoint with a thousand more is
/// no use — and the app's status says "could not check" with the error. A 400 is about one user's value (a filter
/// the app cannot parse), so only that user goes unchecked. Users not looked up keep their last known state.
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
        let known = (try? store.knownAppAccounts(app: app.name)) ?? [:]
        let results = LookupResults()
        try? ParallelWork.forEach(users, threads: threads) { user in
            guard !results.failed else { return }
            if StopSignal.requested {
                results.fail(RunFailure.stopped("stopped by SIGTERM before every leaver was looked up"))
                return
            }
            guard let value = Self.value(of: user, for: settings.match) else { return }
            do {
                var found = try client.findUsers(matching: match, value: value)
                // Found on an earlier night but not by tonight's value (a UPN renamed on leaving): read by id.
                for id in known[user.id] ?? [] where !found.contains(where: { $0.id == id }) {
                    if let account = try client.account(id: id) { found.append(account) }
                }
                results.add(user.id, value: value, found)
            } catch let error as SCIMError where error.failure == .rejected && error.status == 400 {
                results.skip(user.id, error)
            } catch {
                results.fail(error)
            }
        }
        let shared = (try? store.sharedMatchValues(settings.match)) ?? []
        var checked = 0
        for (userId, lookup) in results.found {
            let accounts = Self.withAmbiguity(lookup, userId: userId, shared: shared, match: settings.match, all: results.found)
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
        var detail: String?
        if let skipped = results.skipped {
            detail = "\(skipped.count) \(skipped.count == 1 ? "leaver" : "leavers") could not be looked up (last known state kept): \(skipped.first)"
            log.warning("app \"\(app.name)\": \(detail ?? "")")
        }
        let active = results.found.values.reduce(0) { $0 + $1.accounts.filter(\.isActive).count }
        log.debug("app \"\(app.name)\": \(checked) leavers looked up, \(active) active accounts")
        return AppStatus(app: app.name, source: .scim, health: .ok, detail: detail, usersChecked: checked, owner: owner)
    }

    /// Marks accounts that may not be this person's alone: the value they were found by is held by another directory
    /// user, the app has more than one active account for the person, or another leaver's lookup found the same account.
    static func withAmbiguity(_ lookup: Lookup, userId: String, shared: Set<String>, match: AppAccountMatch,
                              all: [String: Lookup]) -> [StateStore.SeenAppAccount] {
        let sharedValue = shared.contains(match == .externalId ? lookup.value : lookup.value.lowercased())
        let activeCount = lookup.accounts.filter(\.isActive).count
        return lookup.accounts.map { account in
            var reason: String?
            if sharedValue {
                reason = "another directory user has the same \(match.rawValue) \"\(lookup.value)\""
            } else if activeCount > 1 && account.isActive {
                reason = "the app has \(activeCount) active accounts for this person"
            } else if all.contains(where: { $0.key != userId && $0.value.accounts.contains { $0.id == account.id } }) {
                reason = "the same account matched another leaver"
            }
            return StateStore.SeenAppAccount(accountId: account.id, userName: account.userName, active: account.isActive, ambiguity: reason)
        }
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

    struct Lookup {
        var value: String
        var accounts: [SCIMUser]
    }
}

/// Answers gathered from the lookup threads.
private final class LookupResults: @unchecked Sendable {
    private let lock = NSLock()
    private var lookups: [String: SCIMAppChecker.Lookup] = [:]
    private var skippedUsers: [(userId: String, error: Error)] = []
    private var failure: Error?

    var found: [String: SCIMAppChecker.Lookup] { lock.withLock { lookups } }
    var firstFailure: Error? { lock.withLock { failure } }
    var failed: Bool { firstFailure != nil }
    /// Users whose value the app refused (400), and the first such error.
    var skipped: (count: Int, first: Error)? {
        lock.withLock { skippedUsers.first.map { (skippedUsers.count, $0.error) } }
    }

    func add(_ userId: String, value: String, _ found: [SCIMUser]) {
        lock.withLock { lookups[userId] = SCIMAppChecker.Lookup(value: value, accounts: found) }
    }
    func skip(_ userId: String, _ error: Error) { lock.withLock { skippedUsers.append((userId, error)) } }
    func fail(_ error: Error) { lock.withLock { if failure == nil { failure = error } } }
}
