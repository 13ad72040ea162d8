import Foundation

/// Graph JSON for service principals and their synchronization jobs.
enum ServicePrincipalJSON {
    /// The v1.0 servicePrincipal properties (GDC resources/serviceprincipal.md); all of them come by default.
    static let properties = PropertySet(
        typeName: "servicePrincipal",
        all: ["id", "deletedDateTime", "accountEnabled", "addIns", "alternativeNames", "appDescription", "appDisplayName",
              "appId", "applicationTemplateId", "appOwnerOrganizationId", "appRoleAssignmentRequired", "appRoles",
              "description", "disabledByMicrosoftStatus", "displayName", "homepage", "info", "keyCredentials", "loginUrl",
              "logoutUrl", "notes", "notificationEmailAddresses", "oauth2PermissionScopes", "passwordCredentials",
              "preferredSingleSignOnMode", "preferredTokenSigningKeyThumbprint", "replyUrls",
              "resourceSpecificApplicationPermissions", "samlSingleSignOnSettings", "servicePrincipalNames",
              "servicePrincipalType", "signInAudience", "tags", "tokenEncryptionKeyId", "verifiedPublisher"],
        defaults: nil)

    static func render(_ principal: EmulatedServicePrincipal, _ names: [String]?) -> JSONMembers {
        (names ?? properties.allNames).map { ($0, value($0, principal)) }
    }

    private static func value(_ name: String, _ principal: EmulatedServicePrincipal) -> JSONValue {
        switch name {
        case "id": .string(principal.id)
        case "appId": .string(principal.appId)
        case "displayName", "appDisplayName": .string(principal.displayName)
        case "accountEnabled": .bool(principal.accountEnabled)
        case "appRoleAssignmentRequired": .bool(principal.appRoleAssignmentRequired)
        case "servicePrincipalType": .string(principal.servicePrincipalType)
        case "tags": .array(principal.tags.map(JSONValue.string))
        case "appOwnerOrganizationId": .optional(principal.appOwnerOrganizationId)
        case "applicationTemplateId": .optional(principal.applicationTemplateId)
        case "preferredSingleSignOnMode": .optional(principal.preferredSingleSignOnMode)
        case "servicePrincipalNames": .array([.string(principal.appId)])
        case "signInAudience": .string(principal.appOwnerOrganizationId == nil ? "AzureADMyOrg" : "AzureADMultipleOrgs")
        case "addIns", "alternativeNames", "appRoles", "keyCredentials", "notificationEmailAddresses",
             "oauth2PermissionScopes", "passwordCredentials", "replyUrls", "resourceSpecificApplicationPermissions":
            .array([])
        case "info":
            .object([("logoUrl", .null), ("marketingUrl", .null), ("privacyStatementUrl", .null),
                     ("supportUrl", .null), ("termsOfServiceUrl", .null)])
        case "verifiedPublisher":
            .object([("displayName", .null), ("verifiedPublisherId", .null), ("addedDateTime", .null)])
        default: .null
        }
    }

    /// The whole `synchronizationJob`, including the status fields Graph always returns.
    static func job(_ job: EmulatedSynchronizationJob) -> JSONMembers {
        let settings: [JSONValue] = job.settings.sorted { $0.key < $1.key }.map {
            .object([("name", .string($0.key)), ("value", .string($0.value))])
        }
        return [
            ("id", .string(job.id)),
            ("templateId", .string(job.templateId)),
            ("schedule", .object([("expiration", .null), ("interval", .string(job.scheduleInterval)),
                                  ("state", .string(job.scheduleState))])),
            ("status", status(job)),
            ("synchronizationJobSettings", .array(settings)),
        ]
    }

    private static func status(_ job: EmulatedSynchronizationJob) -> JSONValue {
        // Graph writes DateTimeOffset.MinValue, not null, for a steady state never reached.
        let never = "0001-01-01T00:00:00Z"
        return .object([
            ("code", .string(job.code)),
            ("countSuccessiveCompleteFailures", .int(job.countSuccessiveCompleteFailures)),
            ("escrowsPruned", .bool(false)),
            ("lastExecution", execution(job.lastExecution)),
            ("lastSuccessfulExecution", execution(job.lastSuccessfulExecution)),
            ("lastSuccessfulExecutionWithExports", execution(job.lastSuccessfulExecutionWithExports)),
            ("progress", .array([])),
            ("quarantine", quarantine(job.quarantine)),
            ("steadyStateFirstAchievedTime", .string(job.steadyStateFirstAchievedTime.map(GraphTime.seconds) ?? never)),
            ("steadyStateLastAchievedTime", .string(job.steadyStateLastAchievedTime.map(GraphTime.seconds) ?? never)),
            ("synchronizedEntryCountByType", .array([])),
            ("troubleshootingUrl", .null),
        ])
    }

    private static func execution(_ execution: EmulatedSynchronizationExecution?) -> JSONValue {
        guard let execution else { return .null }
        return .object([
            ("activityIdentifier", .string(execution.activityIdentifier)),
            ("countEntitled", .int(execution.countExported + execution.countEscrowed)),
            ("countEntitledForProvisioning", .int(execution.countExported + execution.countEscrowed)),
            ("countEscrowed", .int(execution.countEscrowed)),
            ("countEscrowedRaw", .int(execution.countEscrowed)),
            ("countExported", .int(execution.countExported)),
            ("countExports", .int(execution.countExported + execution.countEscrowed)),
            ("countImported", .int(execution.countExported + execution.countEscrowed)),
            ("countImportedDeltas", .int(execution.countExported + execution.countEscrowed)),
            ("countImportedReferenceDeltas", .int(0)),
            ("error", error(execution.error)),
            ("state", .string(execution.state)),
            ("timeBegan", .date(execution.timeBegan)),
            ("timeEnded", .date(execution.timeEnded)),
        ])
    }

    private static func quarantine(_ quarantine: EmulatedSynchronizationQuarantine?) -> JSONValue {
        guard let quarantine else { return .null }
        return .object([
            ("currentBegan", .date(quarantine.currentBegan)),
            ("nextAttempt", .date(quarantine.nextAttempt)),
            ("reason", .string(quarantine.reason)),
            ("seriesBegan", .date(quarantine.seriesBegan)),
            ("seriesCount", .int(quarantine.seriesCount)),
            ("error", error(quarantine.error)),
        ])
    }

    private static func error(_ error: EmulatedSynchronizationError?) -> JSONValue {
        guard let error else { return .null }
        return .object([("code", .string(error.code)), ("message", .string(error.message)),
                        ("tenantActionable", .bool(error.tenantActionable))])
    }
}
