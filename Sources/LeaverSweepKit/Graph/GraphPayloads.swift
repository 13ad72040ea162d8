import Foundation
import LeaverSweepCore

// The client's own reading of Graph JSON. Deliberately separate from the emulator's types: the emulator
// writes what Graph documents, and these decode only what LeaverSweep asks for with $select.

struct UserPayload: Decodable {
    static let select = "id,userPrincipalName,displayName,accountEnabled,signInSessionsValidFromDateTime,onPremisesSyncEnabled,mail,mailNickname"
    /// What the nightly users delta tracks. Not signInSessionsValidFromDateTime: every revocation LeaverSweep
    /// sends would bring its user back in tomorrow's delta; it is read per user, for users that changed.
    static let deltaSelect = "id,userPrincipalName,displayName,accountEnabled,onPremisesSyncEnabled,mail,mailNickname"

    var id: String
    var userPrincipalName: String?
    var displayName: String?
    var accountEnabled: Bool?
    var signInSessionsValidFromDateTime: String?
    var onPremisesSyncEnabled: Bool?
    var mail: String?
    var mailNickname: String?

    func model() throws -> DirectoryUser {
        guard let enabled = accountEnabled else {
            // Without $select Graph leaves accountEnabled out; guessing either way would be dangerous.
            throw RunFailure.unexpectedResponse("Graph returned user \(id) without accountEnabled; refusing to guess whether it is enabled")
        }
        return DirectoryUser(
            id: id, userPrincipalName: userPrincipalName ?? id, displayName: displayName, accountEnabled: enabled,
            signInSessionsValidFrom: try signInSessionsValidFromDateTime.map { try Self.timestamp($0, field: "signInSessionsValidFromDateTime", id: id) },
            onPremisesSyncEnabled: onPremisesSyncEnabled, mail: mail, mailNickname: mailNickname
        )
    }

    static func timestamp(_ text: String, field: String, id: String) throws -> Date {
        guard let date = GraphTimestamp.parse(text) else {
            throw RunFailure.unexpectedResponse("Graph returned an unreadable \(field) \"\(text.prefix(40))\" for \(id)")
        }
        return date
    }
}

struct DevicePayload: Decodable {
    static let select = "id,deviceId,displayName,accountEnabled,operatingSystem,trustType,isManaged,onPremisesSyncEnabled"

    struct Owner: Decodable { var id: String }

    var id: String
    var deviceId: String?
    var displayName: String?
    var accountEnabled: Bool?
    var operatingSystem: String?
    var trustType: String?
    var isManaged: Bool?
    var onPremisesSyncEnabled: Bool?
    var registeredOwners: [Owner]?

    func model() throws -> DirectoryDevice {
        guard let enabled = accountEnabled else {
            throw RunFailure.unexpectedResponse("Graph returned device \(id) without accountEnabled; refusing to guess whether it is enabled")
        }
        return DirectoryDevice(
            id: id, deviceId: deviceId, displayName: displayName, accountEnabled: enabled,
            operatingSystem: operatingSystem, trustType: trustType, isManaged: isManaged,
            onPremisesSyncEnabled: onPremisesSyncEnabled, registeredOwnerIds: (registeredOwners ?? []).map(\.id)
        )
    }
}

/// `GET /devices/{id}/registeredOwners?$select=id` entries (users, in practice).
struct OwnerPayload: Decodable {
    var id: String
    var type: String?
    enum CodingKeys: String, CodingKey { case id, type = "@odata.type" }
}

struct AppRoleAssignmentPayload: Decodable {
    var id: String
    var appRoleId: String?
    var principalId: String?
    var principalType: String?
    var principalDisplayName: String?
    var resourceId: String?
    var resourceDisplayName: String?

    func model(userId: String) -> AppRoleAssignment {
        AppRoleAssignment(
            id: id, appRoleId: appRoleId, principalId: principalId ?? userId, principalType: principalType,
            principalDisplayName: principalDisplayName, resourceId: resourceId ?? "", resourceDisplayName: resourceDisplayName
        )
    }
}

struct GrantPayload: Decodable {
    var id: String
    var clientId: String?
    var consentType: String?
    var principalId: String?
    var resourceId: String?
    var scope: String?

    func model() -> DelegatedGrant {
        DelegatedGrant(id: id, clientId: clientId ?? "", consentType: consentType ?? "", principalId: principalId, resourceId: resourceId ?? "", scope: scope)
    }
}

struct DirectoryAuditPayload: Decodable {
    struct Target: Decodable { var id: String?; var type: String? }
    var id: String
    var activityDisplayName: String?
    var activityDateTime: String?
    var result: String?
    var targetResources: [Target]?
}
