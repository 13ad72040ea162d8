import Foundation

/// The properties of one Graph entity type: which exist (for `$select` validation), which come by default.
struct PropertySet {
    let typeName: String
    /// Lower-cased name → canonical name; Graph matches `$select` names case-insensitively.
    private let canonical: [String: String]
    /// nil means "every known property", as for devices.
    let defaults: [String]?
    let allNames: [String]

    init(typeName: String, all: [String], defaults: [String]?) {
        self.typeName = typeName
        self.defaults = defaults
        allNames = all
        canonical = Dictionary(all.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Canonical names to render, or nil for every property; throws Graph's 400 for an unknown name.
    func resolve(_ select: [String]?) throws -> [String]? {
        guard let select else { return defaults }
        return try select.map { name in
            guard let known = canonical[name.lowercased()] else { throw GraphError.unknownProperty(name, type: typeName) }
            return known
        }
    }
}

typealias JSONMembers = [(String, JSONValue)]

enum UserJSON {
    static let properties = PropertySet(
        typeName: "user",
        all: ["id", "userPrincipalName", "displayName", "givenName", "surname", "mail", "jobTitle", "accountEnabled",
              "signInSessionsValidFromDateTime", "onPremisesSyncEnabled", "userType", "createdDateTime",
              "businessPhones", "mobilePhone", "officeLocation", "preferredLanguage", "department", "companyName",
              "employeeId", "employeeType", "employeeLeaveDateTime", "employeeHireDate", "lastPasswordChangeDateTime",
              "mailNickname", "otherMails", "proxyAddresses", "usageLocation", "city", "country", "state",
              "streetAddress", "postalCode", "onPremisesImmutableId", "onPremisesSamAccountName",
              "onPremisesLastSyncDateTime", "onPremisesDistinguishedName", "onPremisesDomainName",
              "externalUserState", "creationType", "deletedDateTime", "ageGroup", "identities"],
        defaults: ["businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
                   "preferredLanguage", "surname", "userPrincipalName", "id"])

    /// Builds only the requested properties (nil = every property); unknown-but-valid ones render as null.
    static func render(_ user: EmulatedUser, _ names: [String]?) -> JSONMembers {
        (names ?? properties.allNames).map { ($0, value($0, user)) }
    }

    private static func value(_ name: String, _ user: EmulatedUser) -> JSONValue {
        switch name {
        case "id": .string(user.id)
        case "userPrincipalName": .string(user.userPrincipalName)
        case "displayName": .string(user.displayName)
        case "givenName": .optional(user.givenName)
        case "surname": .optional(user.surname)
        case "mail": .optional(user.mail)
        case "jobTitle": .optional(user.jobTitle)
        case "accountEnabled": .bool(user.accountEnabled)
        case "signInSessionsValidFromDateTime": .date(user.signInSessionsValidFromDateTime)
        case "onPremisesSyncEnabled": .optional(user.onPremisesSyncEnabled)
        case "userType": .string(user.userType)
        case "createdDateTime": .date(user.createdDateTime)
        case "businessPhones", "otherMails", "identities": .array([])
        case "proxyAddresses": .array(user.mail.map { [.string("SMTP:\($0)")] } ?? [])
        case "mailNickname": .string(String(user.userPrincipalName.prefix { $0 != "@" }))
        case "creationType": user.userType == "Guest" ? .string("Invitation") : .null
        default: .null
        }
    }
}

enum DeviceJSON {
    static let properties = PropertySet(
        typeName: "device",
        all: ["id", "deletedDateTime", "accountEnabled", "alternativeSecurityIds", "approximateLastSignInDateTime",
              "complianceExpirationDateTime", "createdDateTime", "deviceCategory", "deviceId", "deviceMetadata",
              "deviceOwnership", "deviceVersion", "displayName", "domainName", "enrollmentProfileName",
              "enrollmentType", "externalSourceName", "isCompliant", "isManaged", "isRooted", "managementType",
              "manufacturer", "mdmAppId", "model", "onPremisesLastSyncDateTime", "onPremisesSecurityIdentifier",
              "onPremisesSyncEnabled", "operatingSystem", "operatingSystemVersion", "physicalIds", "profileType",
              "registrationDateTime", "sourceType", "systemLabels", "trustType", "extensionAttributes"],
        defaults: nil)

    /// Builds only the requested properties (nil = all of them, as Graph returns devices by default).
    static func render(_ device: EmulatedDevice, _ names: [String]?) -> JSONMembers {
        (names ?? properties.allNames).map { ($0, value($0, device)) }
    }

    private static let emptyExtensionAttributes = JSONValue.object((1...15).map { ("extensionAttribute\($0)", .null) })

    private static func value(_ name: String, _ device: EmulatedDevice) -> JSONValue {
        switch name {
        case "id": .string(device.id)
        case "deviceId": .string(device.deviceId)
        case "displayName": .string(device.displayName)
        case "accountEnabled": .bool(device.accountEnabled)
        case "operatingSystem": .string(device.operatingSystem)
        case "operatingSystemVersion": .string(device.operatingSystemVersion)
        case "trustType": .string(device.trustType)
        case "isManaged": .optional(device.isManaged)
        case "isCompliant": .optional(device.isCompliant)
        case "onPremisesSyncEnabled": .optional(device.onPremisesSyncEnabled)
        case "approximateLastSignInDateTime": .date(device.approximateLastSignInDateTime)
        case "physicalIds", "systemLabels", "alternativeSecurityIds": .array([])
        case "deviceVersion": .int(2)
        case "profileType": .string(device.trustType == "Workplace" ? "RegisteredDevice" : "")
        case "mdmAppId": device.isManaged == true ? .string("0000000a-0000-0000-c000-000000000000") : .null
        case "extensionAttributes": emptyExtensionAttributes
        default: .null
        }
    }
}

enum AppAccessJSON {
    static func assignment(_ assignment: EmulatedAppRoleAssignment) -> JSONValue {
        .object([
            ("id", .string(assignment.id)),
            ("deletedDateTime", .null),
            ("appRoleId", .string(assignment.appRoleId)),
            ("createdDateTime", .date(assignment.creationTimestamp)),
            ("creationTimestamp", .date(assignment.creationTimestamp)),
            ("principalDisplayName", .string(assignment.principalDisplayName)),
            ("principalId", .string(assignment.principalId)),
            ("principalType", .string(assignment.principalType)),
            ("resourceDisplayName", .string(assignment.resourceDisplayName)),
            ("resourceId", .string(assignment.resourceId)),
        ])
    }

    static func grant(_ grant: EmulatedGrant) -> JSONMembers {
        [
            ("id", .string(grant.id)),
            ("clientId", .string(grant.clientId)),
            ("consentType", .string(grant.consentType)),
            ("principalId", .optional(grant.principalId)),
            ("resourceId", .string(grant.resourceId)),
            ("scope", .string(grant.scope)),
        ]
    }
}

enum AuditJSON {
    /// The directoryAudit shape of graph.md 2.7; `initiatedBy.app` names the harness when no person acted.
    static func record(_ event: EmulatedAuditEvent, displayName: String?, appId: String) -> JSONValue {
        let initiatedBy: JSONValue = event.initiatedByUPN.isEmpty
            ? .object([("user", .null), ("app", .object([("appId", .string(appId)),
                                                          ("displayName", .string("LeaverSweep emulator harness")),
                                                          ("servicePrincipalId", .null), ("servicePrincipalName", .null)]))])
            : .object([("user", .object([("id", .null), ("displayName", .null),
                                         ("userPrincipalName", .string(event.initiatedByUPN)), ("ipAddress", .null)])),
                       ("app", .null)])
        let disabled = event.activityDisplayName == "Disable account"
        let modified: [JSONValue] = disabled || event.activityDisplayName == "Enable account"
            ? [.object([("displayName", .string("AccountEnabled")), ("oldValue", .string(disabled ? "[true]" : "[false]")),
                        ("newValue", .string(disabled ? "[false]" : "[true]"))])]
            : []
        return .object([
            ("id", .string(event.id)),
            ("category", .string("UserManagement")),
            ("correlationId", .string(correlationId(for: event.id))),
            ("result", .string("success")),
            ("resultReason", .string("")),
            ("activityDisplayName", .string(event.activityDisplayName)),
            ("activityDateTime", .date(event.activityDateTime, GraphTime.ticks)),
            ("loggedByService", .string("Core Directory")),
            ("operationType", .string("Update")),
            ("initiatedBy", initiatedBy),
            ("targetResources", .array([.object([
                ("id", .string(event.targetUserId)),
                ("displayName", .optional(displayName)),
                ("type", .string("User")),
                ("userPrincipalName", .string(event.targetUPN)),
                ("groupType", .null),
                ("modifiedProperties", .array(modified)),
            ])])),
            ("additionalDetails", .array([])),
        ])
    }

    /// A stable correlation id derived from the event id, so repeated reads agree.
    private static func correlationId(for id: String) -> String {
        String(id.reversed().map { $0 == "-" ? "0" : $0 }.prefix(8)) + String(id.dropFirst(8))
    }
}
