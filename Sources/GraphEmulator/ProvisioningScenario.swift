import Foundation

/// How an app's provisioning job is doing, which decides both its job status and what its log can contain.
enum ProvisioningHealth {
    /// Runs every 40 minutes and exports changes.
    case healthy
    /// Quarantined since `since`; nothing succeeds from then on.
    case quarantined(reason: String, since: Date, error: EmulatedSynchronizationError?)
    /// Still scheduled, but every run since `lastSuccess` failed with `error`.
    case failing(lastSuccess: Date, failures: Int, error: EmulatedSynchronizationError)

    /// When the job last succeeded, if it stopped succeeding.
    var stalledSince: Date? {
        switch self {
        case .healthy: nil
        case .quarantined(_, let since, _): since
        case .failing(let lastSuccess, _, _): lastSuccess
        }
    }
}

/// One app with outbound provisioning: its service principal, its job and the action it deprovisions with.
struct ProvisioningApp {
    let servicePrincipal: EmulatedServicePrincipal
    let job: EmulatedSynchronizationJob
    let health: ProvisioningHealth
    /// "disable" for apps that keep the account and set active=false, "delete" for those that remove it.
    let removal: String

    init(servicePrincipal: EmulatedServicePrincipal, templateId: String, health: ProvisioningHealth, removal: String = "disable",
         now: Date, random: inout SplitMix64) {
        self.servicePrincipal = servicePrincipal
        self.health = health
        self.removal = removal
        let hex = random.guid().replacingOccurrences(of: "-", with: "")
        let lastCycle = now - TimeInterval(5 * 60 + random.below(30 * 60))
        func run(_ began: Date, _ state: String, exported: Int, error: EmulatedSynchronizationError? = nil) -> EmulatedSynchronizationExecution {
            EmulatedSynchronizationExecution(activityIdentifier: random.guid(), timeBegan: began, timeEnded: began + 95, state: state,
                                             countExported: exported, countEscrowed: error == nil ? 0 : 1, error: error)
        }
        var job = EmulatedSynchronizationJob(id: "\(templateId).\(hex)", servicePrincipalId: servicePrincipal.id, templateId: templateId,
                                             steadyStateFirstAchievedTime: now - 200 * 86_400)
        switch health {
        case .healthy:
            let last = run(lastCycle, "Succeeded", exported: 3)
            job.lastExecution = last
            job.lastSuccessfulExecution = last
            job.lastSuccessfulExecutionWithExports = last
            job.steadyStateLastAchievedTime = last.timeEnded
        case .quarantined(let reason, let since, let error):
            // In quarantine the service re-evaluates about once a day (graph.md 7): the series counts the days, the
            // latest evaluation is today's, and the next one is tomorrow's.
            let days = max(1, Int(now.timeIntervalSince(since) / 86_400))
            let currentBegan = since + TimeInterval(days) * 86_400 <= now ? since + TimeInterval(days) * 86_400 : since
            job.code = "Quarantine"
            job.countSuccessiveCompleteFailures = days
            job.quarantine = EmulatedSynchronizationQuarantine(currentBegan: currentBegan, nextAttempt: currentBegan + 86_400,
                                                               seriesBegan: since, seriesCount: days, reason: reason, error: error)
            job.lastExecution = run(currentBegan, "Failed", exported: 0, error: error)
            job.lastSuccessfulExecution = run(since - 40 * 60, "Succeeded", exported: 2)
            job.lastSuccessfulExecutionWithExports = job.lastSuccessfulExecution
            job.steadyStateLastAchievedTime = since - 40 * 60
            if reason == "TooManyDeletes" { job.settings = ["QuarantineTooManyDeletesThreshold": "500"] }
        case .failing(let lastSuccess, let failures, let error):
            job.countSuccessiveCompleteFailures = failures
            job.lastExecution = run(lastCycle, "Failed", exported: 0, error: error)
            job.lastSuccessfulExecution = run(lastSuccess - 95, "Succeeded", exported: 1)
            job.lastSuccessfulExecutionWithExports = job.lastSuccessfulExecution
            job.steadyStateLastAchievedTime = lastSuccess
        }
        self.job = job
    }
}

/// Writes provisioning-log records that agree with each app's health: a stalled job logs no success after it
/// stalled, a healthy one deprovisions leavers within the hour (with the odd failure, some retried successfully).
struct ProvisioningLog {
    let now: Date
    var random: SplitMix64
    private(set) var events: [EmulatedProvisioningEvent] = []
    /// Stable account id per (user, app), as the app assigned it.
    private var targetIds: [String: String] = [:]
    /// Leaver records written per app, to rotate healthy apps through their outcomes.
    private var leaversPerApp: [String: Int] = [:]
    /// Provisioning logs are kept 30 days (graph.md 2.7); nothing older is written.
    var retentionStart: Date { now - 30 * 86_400 }

    init(now: Date, random: SplitMix64) {
        self.now = now
        self.random = random
    }

    /// A leaver disabled at `disabledAt` who held an account in `app`: the account was last updated a few days
    /// before, then deprovisioned or not as the app's health dictates.
    mutating func leaver(_ user: EmulatedUser, disabledAt: Date, in app: ProvisioningApp) {
        let ordinal = leaversPerApp[app.servicePrincipal.id, default: 0]
        leaversPerApp[app.servicePrincipal.id] = ordinal + 1
        var placedAt = disabledAt - TimeInterval(86_400 + random.below(3 * 86_400))
        if let stalled = app.health.stalledSince { placedAt = min(placedAt, stalled - TimeInterval(3_600 + random.below(20 * 3_600))) }
        if placedAt >= retentionStart { add(user, app, ordinal % 3 == 0 ? "create" : "update", at: placedAt) }
        let firstTry = disabledAt + TimeInterval(15 * 60 + random.below(25 * 60))
        guard firstTry < now else { return }
        if let stalled = app.health.stalledSince, firstTry >= stalled {
            // A failing job still attempts and logs failures; a quarantined one does not get that far.
            if case .failing(_, _, let error) = app.health {
                add(user, app, app.removal, at: firstTry, failure: (error.code, error.message))
            }
            return
        }
        switch (app.health.stalledSince == nil ? ordinal % 4 : 0) {
        case 2: // An app-side error, retried successfully next cycle.
            add(user, app, app.removal, at: firstTry, failure: ("InternalServerError", Self.httpError(app, 500)))
            add(user, app, app.removal, at: firstTry + 40 * 60)
        case 3: // Rejected twice and never retried into success: the account stays active in the app.
            add(user, app, app.removal, at: firstTry, failure: ("UnprocessableEntity", Self.httpError(app, 422)))
            add(user, app, app.removal, at: firstTry + 40 * 60, failure: ("UnprocessableEntity", Self.httpError(app, 422)))
        default:
            add(user, app, app.removal, at: firstTry)
        }
    }

    /// An enabled user whose account the job refreshed recently.
    mutating func active(_ user: EmulatedUser, in app: ProvisioningApp) {
        let at = now - TimeInterval(3_600 + random.below(25 * 86_400))
        if let stalled = app.health.stalledSince, at >= stalled { return }
        add(user, app, "update", at: at)
    }

    /// A user the job evaluated and left alone: not assigned to the app.
    mutating func skipped(_ user: EmulatedUser, in app: ProvisioningApp) {
        add(user, app, "other", at: now - TimeInterval(3_600 + random.below(25 * 86_400)), status: "skipped")
    }

    private mutating func add(_ user: EmulatedUser, _ app: ProvisioningApp, _ action: String, at time: Date,
                              status: String? = nil, failure: (code: String, reason: String)? = nil) {
        let key = user.id + "|" + app.servicePrincipal.id
        var targetId = targetIds[key] ?? ""
        if targetId.isEmpty, status == nil, failure == nil || action != "create" {
            targetId = random.guid().replacingOccurrences(of: "-", with: "")
            targetIds[key] = targetId
        }
        events.append(EmulatedProvisioningEvent(
            id: random.guid(), activityDateTime: time, servicePrincipalId: app.servicePrincipal.id,
            servicePrincipalName: app.servicePrincipal.displayName, jobId: app.job.id, cycleId: random.guid(),
            changeId: random.guid(), action: action, status: status ?? (failure == nil ? "success" : "failure"),
            userId: user.id, userDisplayName: user.displayName, userPrincipalName: user.userPrincipalName,
            targetId: status == "skipped" ? "" : targetId, errorCode: failure?.code, errorReason: failure?.reason,
            durationInMilliseconds: 400 + random.below(4_000)))
    }

    private static func httpError(_ app: ProvisioningApp, _ status: Int) -> String {
        "Message: \(app.servicePrincipal.displayName) returned an error response with the HTTP status code \(status). "
            + "The operation will be retried in the next cycle; if it keeps failing, review the app's provisioning configuration."
    }
}
