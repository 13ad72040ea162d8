import Foundation

/// Lookups over the id-sorted device array: by object id, by DRS `deviceId`, by registered owner, and by the
/// first character of `deviceId` (the shard key of `startswith(deviceId,'a')` reads).
///
/// Index lists hold positions in ascending order, so they are themselves sorted by object id and a shard
/// can be keyset-paged exactly like the whole collection, touching only its own devices.
struct DeviceIndex {
    private var byId: [String: Int] = [:]
    private var byDeviceId: [String: Int] = [:]
    private var byOwner: [String: [Int]] = [:]
    private var byDeviceIdInitial: [String: [Int]] = [:]

    init(_ devices: [EmulatedDevice]) {
        byId.reserveCapacity(devices.count)
        byDeviceId.reserveCapacity(devices.count)
        for (index, device) in devices.enumerated() {
            byId[device.id.lowercased()] = index
            let deviceId = device.deviceId.lowercased()
            byDeviceId[deviceId] = index
            byDeviceIdInitial[String(deviceId.prefix(1)), default: []].append(index)
            for owner in device.registeredOwnerIds { byOwner[owner.lowercased(), default: []].append(index) }
        }
    }

    func position(objectId: String) -> Int? {
        byId[objectId.lowercased()]
    }

    func position(deviceId: String) -> Int? {
        byDeviceId[deviceId.lowercased()]
    }

    /// Positions of the devices whose registered owners include `userId`, ascending.
    func positions(ownedBy userId: String) -> [Int] {
        byOwner[userId.lowercased()] ?? []
    }

    /// Positions of the devices whose lower-cased `deviceId` starts with `initial` (one character), ascending.
    func positions(deviceIdInitial initial: String) -> [Int] {
        byDeviceIdInitial[initial] ?? []
    }
}
