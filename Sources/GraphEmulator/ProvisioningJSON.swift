import Foundation

/// Graph JSON for provisioning-log records (`provisioningObjectSummary`), shaped like the GDC examples of
/// `provisioningobjectsummary-list.md`: `servicePrincipal` is one object (the resource page calls it a collection,
/// every example and the service return an object), `initiatedBy` the provisioning service.
enum ProvisioningJSON {
    static let properties = PropertySet(
        typeName: "provisioningObjectSummary",
        all: ["id", "activityDateTime", "tenantId", "jobId", "cycleId", "changeId", "provisioningAction",
              "durationInMilliseconds", "provisioningStatusInfo", "provisioningSteps", "modifiedProperties",
              "servicePrincipal", "sourceSystem", "targetSystem", "initiatedBy", "sourceIdentity", "targetIdentity"],
        defaults: nil)

    /// Stable ids for the two systems: Entra as the source of every outbound job.
    private static let entraSystemId = "0404601d-a9c0-4ec7-bbcd-02660120d8c9"

    static func record(_ event: EmulatedProvisioningEvent, names: [String]?, tenantId: String, appId: String?) -> JSONValue {
        .object((names ?? properties.allNames).map { ($0, value($0, event, tenantId: tenantId, appId: appId)) })
    }

    private static func value(_ name: String, _ event: EmulatedProvisioningEvent, tenantId: String, appId: String?) -> JSONValue {
        switch name {
        case "id": .string(event.id)
        case "activityDateTime": .date(event.activityDateTime)
        case "tenantId": .string(tenantId)
        case "jobId": .string(event.jobId)
        case "cycleId": .string(event.cycleId)
        case "changeId": .string(event.changeId)
        case "provisioningAction": .string(event.action)
        case "durationInMilliseconds": .int(event.durationInMilliseconds)
        case "provisioningStatusInfo": statusInfo(event)
        case "provisioningSteps": .array(steps(event))
        case "modifiedProperties": .array(modifiedProperties(event))
        case "servicePrincipal":
            .object([("id", .string(event.servicePrincipalId)), ("displayName", .string(event.servicePrincipalName))])
        case "sourceSystem":
            .object([("id", .string(entraSystemId)), ("displayName", .string("Azure Active Directory")), ("details", .object([]))])
        case "targetSystem":
            .object([("id", .string(event.jobId)), ("displayName", .string(event.servicePrincipalName)),
                     ("details", .object([("ApplicationId", .optional(appId)),
                                          ("ServicePrincipalId", .string(event.servicePrincipalId)),
                                          ("ServicePrincipalDisplayName", .string(event.servicePrincipalName))]))])
        case "initiatedBy":
            .object([("id", .string("")), ("displayName", .string("Azure AD Provisioning Service")),
                     ("initiatorType", .string("system"))])
        case "sourceIdentity":
            .object([("id", .string(event.userId)), ("displayName", .string(event.userDisplayName)),
                     ("identityType", .string("User")), ("details", .object([]))])
        case "targetIdentity":
            .object([("id", .string(event.targetId)), ("displayName", .string(event.targetId.isEmpty ? "" : event.userPrincipalName)),
                     ("identityType", .string("User")), ("details", .object([]))])
        default: .null
        }
    }

    private static func statusInfo(_ event: EmulatedProvisioningEvent) -> JSONValue {
        let error: JSONValue = event.errorCode.map { code in
            .object([("errorCode", .string(code)), ("reason", .optional(event.errorReason)), ("additionalDetails", .null),
                     ("errorCategory", .string("nonServiceFailure")), ("recommendedAction", .null)])
        } ?? .null
        return .object([("status", .string(event.status)), ("errorInformation", error)])
    }

    /// Import, matching and export, as the service logs an outbound user change; the export step carries the outcome.
    private static func steps(_ event: EmulatedProvisioningEvent) -> [JSONValue] {
        let verb: String
        switch event.action {
        case "create": verb = "Add"
        case "delete", "stagedDelete": verb = "Delete"
        default: verb = "Update"
        }
        let who = "User '\(event.userPrincipalName)'"
        func step(_ name: String, _ type: String, _ status: String, _ description: String) -> JSONValue {
            .object([("name", .string(name)), ("provisioningStepType", .string(type)), ("status", .string(status)),
                     ("description", .string(description)), ("details", .object([]))])
        }
        return [
            step("EntryImport\(verb)", "import", "success", "Received \(who) change of type (\(verb)) from Azure Active Directory"),
            step("EntrySynchronization\(verb)", "matching", "success", "\(who) will be processed for \(event.servicePrincipalName)"),
            step("EntryExport\(verb)", "export", event.status, exportDescription(event, who: who)),
        ]
    }

    private static func exportDescription(_ event: EmulatedProvisioningEvent, who: String) -> String {
        let app = event.servicePrincipalName
        switch event.status {
        case "success":
            let done = ["create": "created", "delete": "deleted", "disable": "disabled"][event.action] ?? "updated"
            return "\(who) was \(done) in \(app)"
        case "skipped":
            return "\(who) was skipped: it is not in scope of \(app)"
        default:
            return "Failed to \(event.action) \(who) in \(app)"
        }
    }

    private static func modifiedProperties(_ event: EmulatedProvisioningEvent) -> [JSONValue] {
        func property(_ name: String, _ value: String) -> JSONValue {
            .object([("displayName", .string(name)), ("oldValue", .null), ("newValue", .string(value))])
        }
        switch event.action {
        case "create", "update":
            return [property("accountEnabled", "True"), property("userPrincipalName", event.userPrincipalName),
                    property("displayName", event.userDisplayName), property("objectId", event.userId)]
        case "disable":
            return [property("accountEnabled", "False"), property("objectId", event.userId)]
        default:
            return [property("objectId", event.userId)]
        }
    }
}
