import Foundation

/// An enterprise application (service principal) in the tenant: the resource of app role assignments and the
/// owner of provisioning (synchronization) jobs.
public struct EmulatedServicePrincipal: Sendable, Equatable {
    public var id: String
    public var appId: String
    public var displayName: String
    /// "Application", "ManagedIdentity" or "Legacy".
    public var servicePrincipalType: String
    public var accountEnabled: Bool
    public var appRoleAssignmentRequired: Bool
    /// Gallery apps carry e.g. "WindowsAzureActiveDirectoryIntegratedApp".
    public var tags: [String]
    /// The tenant that registered the application; Microsoft's own apps carry Microsoft's tenant id.
    public var appOwnerOrganizationId: String?
    /// Set for apps added from the Entra gallery.
    public var applicationTemplateId: String?
    /// "saml", "password", "oidc", "notSupported" or nil.
    public var preferredSingleSignOnMode: String?

    public init(id: String, appId: String, displayName: String, servicePrincipalType: String = "Application",
                accountEnabled: Bool = true, appRoleAssignmentRequired: Bool = true,
                tags: [String] = ["WindowsAzureActiveDirectoryIntegratedApp"], appOwnerOrganizationId: String? = nil,
                applicationTemplateId: String? = nil, preferredSingleSignOnMode: String? = nil) {
        self.id = id
        self.appId = appId
        self.displayName = displayName
        self.servicePrincipalType = servicePrincipalType
        self.accountEnabled = accountEnabled
        self.appRoleAssignmentRequired = appRoleAssignmentRequired
        self.tags = tags
        self.appOwnerOrganizationId = appOwnerOrganizationId
        self.applicationTemplateId = applicationTemplateId
        self.preferredSingleSignOnMode = preferredSingleSignOnMode
    }
}

/// A provisioning (synchronization) job of one service principal, as `/synchronization/jobs` returns it
/// (graph.md 2.6; GDC synchronization-synchronizationjob, -status, -quarantine, -taskexecution).
public struct EmulatedSynchronizationJob: Sendable, Equatable {
    /// `{templateId}.{32 hex digits}`, as Graph forms job ids.
    public var id: String
    public var servicePrincipalId: String
    public var templateId: String
    /// ISO 8601 duration between cycles, e.g. "PT40M".
    public var scheduleInterval: String
    /// "Active", "Disabled" or "Paused".
    public var scheduleState: String
    /// "NotConfigured", "NotRun", "Active", "Paused" or "Quarantine".
    public var code: String
    public var lastExecution: EmulatedSynchronizationExecution?
    public var lastSuccessfulExecution: EmulatedSynchronizationExecution?
    public var lastSuccessfulExecutionWithExports: EmulatedSynchronizationExecution?
    public var countSuccessiveCompleteFailures: Int
    public var quarantine: EmulatedSynchronizationQuarantine?
    public var steadyStateFirstAchievedTime: Date?
    public var steadyStateLastAchievedTime: Date?
    /// `synchronizationJobSettings` name → value, e.g. QuarantineTooManyDeletesThreshold → "500".
    public var settings: [String: String]

    public init(id: String, servicePrincipalId: String, templateId: String, scheduleInterval: String = "PT40M",
                scheduleState: String = "Active", code: String = "Active",
                lastExecution: EmulatedSynchronizationExecution? = nil,
                lastSuccessfulExecution: EmulatedSynchronizationExecution? = nil,
                lastSuccessfulExecutionWithExports: EmulatedSynchronizationExecution? = nil,
                countSuccessiveCompleteFailures: Int = 0, quarantine: EmulatedSynchronizationQuarantine? = nil,
                steadyStateFirstAchievedTime: Date? = nil, steadyStateLastAchievedTime: Date? = nil,
                settings: [String: String] = [:]) {
        self.id = id
        self.servicePrincipalId = servicePrincipalId
        self.templateId = templateId
        self.scheduleInterval = scheduleInterval
        self.scheduleState = scheduleState
        self.code = code
        self.lastExecution = lastExecution
        self.lastSuccessfulExecution = lastSuccessfulExecution
        self.lastSuccessfulExecutionWithExports = lastSuccessfulExecutionWithExports
        self.countSuccessiveCompleteFailures = countSuccessiveCompleteFailures
        self.quarantine = quarantine
        self.steadyStateFirstAchievedTime = steadyStateFirstAchievedTime
        self.steadyStateLastAchievedTime = steadyStateLastAchievedTime
        self.settings = settings
    }
}

/// One run of a job (`synchronizationTaskExecution`).
public struct EmulatedSynchronizationExecution: Sendable, Equatable {
    public var activityIdentifier: String
    public var timeBegan: Date
    public var timeEnded: Date
    /// "Succeeded", "Failed" or "EntryLevelErrors".
    public var state: String
    public var countExported: Int
    public var countEscrowed: Int
    public var error: EmulatedSynchronizationError?

    public init(activityIdentifier: String, timeBegan: Date, timeEnded: Date, state: String = "Succeeded",
                countExported: Int = 0, countEscrowed: Int = 0, error: EmulatedSynchronizationError? = nil) {
        self.activityIdentifier = activityIdentifier
        self.timeBegan = timeBegan
        self.timeEnded = timeEnded
        self.state = state
        self.countExported = countExported
        self.countEscrowed = countEscrowed
        self.error = error
    }
}

/// `synchronizationQuarantine`: present while the job's status code is Quarantine.
public struct EmulatedSynchronizationQuarantine: Sendable, Equatable {
    public var currentBegan: Date
    public var nextAttempt: Date
    /// When this quarantine series started: "quarantined since".
    public var seriesBegan: Date
    public var seriesCount: Int
    /// EncounteredBaseEscrowThreshold, EncounteredTotalEscrowThreshold, EncounteredEscrowProportionThreshold,
    /// EncounteredQuarantineException, Unknown, QuarantinedOnDemand, TooManyDeletes or IngestionInterrupted.
    public var reason: String
    public var error: EmulatedSynchronizationError?

    public init(currentBegan: Date, nextAttempt: Date, seriesBegan: Date, seriesCount: Int, reason: String,
                error: EmulatedSynchronizationError? = nil) {
        self.currentBegan = currentBegan
        self.nextAttempt = nextAttempt
        self.seriesBegan = seriesBegan
        self.seriesCount = seriesCount
        self.reason = reason
        self.error = error
    }
}

/// `synchronizationError`.
public struct EmulatedSynchronizationError: Sendable, Equatable {
    public var code: String
    public var message: String
    public var tenantActionable: Bool

    public init(code: String, message: String, tenantActionable: Bool) {
        self.code = code
        self.message = message
        self.tenantActionable = tenantActionable
    }
}
