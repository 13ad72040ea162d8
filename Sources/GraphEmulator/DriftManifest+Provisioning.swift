import Foundation

/// A provisioning job a correct client reports: deprovisioning through it is stalled for every leaver.
public struct ProvisioningJobIssue: Sendable, Hashable {
    public var servicePrincipalId: String
    public var jobId: String
    /// "Quarantine" (status code Quarantine) or "Failing" (any other code with successive complete failures).
    public var state: String
    /// Quarantine: `quarantine.reason`. Failing: `lastExecution.error.code`, or "Failed" when the run has no error.
    public var reason: String
    /// Quarantine: `quarantine.seriesBegan`. Failing: `lastSuccessfulExecution.timeEnded`, nil when never succeeded.
    public var since: Date?
    public var countSuccessiveCompleteFailures: Int

    public init(servicePrincipalId: String, jobId: String, state: String, reason: String, since: Date?,
                countSuccessiveCompleteFailures: Int) {
        self.servicePrincipalId = servicePrincipalId
        self.jobId = jobId
        self.state = state
        self.reason = reason
        self.since = since
        self.countSuccessiveCompleteFailures = countSuccessiveCompleteFailures
    }
}

/// A user's account in one app (named by the app's service principal id).
public struct ProvisionedAccount: Sendable, Hashable {
    public var userId: String
    public var servicePrincipalId: String

    public init(userId: String, servicePrincipalId: String) {
        self.userId = userId
        self.servicePrincipalId = servicePrincipalId
    }
}

extension DriftManifest {
    /// Jobs in Quarantine, and jobs whose last runs failed completely (countSuccessiveCompleteFailures > 0).
    static func provisioningJobIssues(_ jobs: [EmulatedSynchronizationJob]) -> Set<ProvisioningJobIssue> {
        Set(jobs.compactMap { job in
            if job.code == "Quarantine" {
                return ProvisioningJobIssue(servicePrincipalId: job.servicePrincipalId, jobId: job.id, state: "Quarantine",
                                            reason: job.quarantine?.reason ?? "Unknown", since: job.quarantine?.seriesBegan,
                                            countSuccessiveCompleteFailures: job.countSuccessiveCompleteFailures)
            }
            guard job.countSuccessiveCompleteFailures > 0 else { return nil }
            return ProvisioningJobIssue(servicePrincipalId: job.servicePrincipalId, jobId: job.id, state: "Failing",
                                        reason: job.lastExecution?.error?.code ?? "Failed",
                                        since: job.lastSuccessfulExecution?.timeEnded,
                                        countSuccessiveCompleteFailures: job.countSuccessiveCompleteFailures)
        })
    }

    /// For each disabled user and app in the logs: the last successful create/update is later than the last
    /// successful disable/delete (or there is none). Failures and skips change nothing in the app, so they
    /// neither place nor remove an account.
    static func lingeringAccounts(_ events: [EmulatedProvisioningEvent], disabled: Set<String>) -> Set<ProvisionedAccount> {
        var placed: [ProvisionedAccount: Date] = [:], removed: [ProvisionedAccount: Date] = [:]
        for event in events where disabled.contains(event.userId) {
            let account = ProvisionedAccount(userId: event.userId, servicePrincipalId: event.servicePrincipalId)
            if event.placesAccount { placed[account] = max(placed[account] ?? .distantPast, event.activityDateTime) }
            if event.removesAccount { removed[account] = max(removed[account] ?? .distantPast, event.activityDateTime) }
        }
        return Set(placed.filter { account, at in (removed[account] ?? .distantPast) < at }.keys)
    }
}
