import Foundation

/// A device object from Graph (`/devices`), with the ids of its registered owners.
public struct DirectoryDevice: Sendable, Equatable, Hashable {
    /// Directory object id, the one `PATCH /devices/{id}` takes.
    public var id: String
    /// Device Registration Service id; shown to admins because Intune and AD tools use it.
    public var deviceId: String?
    public var displayName: String?
    public var accountEnabled: Bool
    public var operatingSystem: String?
    /// `AzureAd` (Entra joined), `Workplace` (registered / BYOD), `ServerAd` (hybrid joined).
    public var trustType: String?
    public var isManaged: Bool?
    public var onPremisesSyncEnabled: Bool?
    public var registeredOwnerIds: [String]

    public init(
        id: String,
        deviceId: String? = nil,
        displayName: String? = nil,
        accountEnabled: Bool,
        operatingSystem: String? = nil,
        trustType: String? = nil,
        isManaged: Bool? = nil,
        onPremisesSyncEnabled: Bool? = nil,
        registeredOwnerIds: [String] = []
    ) {
        self.id = id
        self.deviceId = deviceId
        self.displayName = displayName
        self.accountEnabled = accountEnabled
        self.operatingSystem = operatingSystem
        self.trustType = trustType
        self.isManaged = isManaged
        self.onPremisesSyncEnabled = onPremisesSyncEnabled
        self.registeredOwnerIds = registeredOwnerIds
    }

    /// A cloud disable of a device synced from AD is reverted by the next sync, so it must be done in AD.
    public var isSyncedFromOnPremises: Bool { onPremisesSyncEnabled == true }

    /// Graph lets an application update `accountEnabled` only on Windows devices.
    public var isWindows: Bool { operatingSystem?.lowercased().hasPrefix("windows") ?? false }
}
