import Foundation

/// `provisioningObjectSummary` (graph.md 2.6): only what tells whether a user's account was put in place or taken away.
struct ProvisioningRecordPayload: Decodable, Sendable {
    struct Identity: Decodable, Sendable { var id: String?; var displayName: String? }
    struct StatusInfo: Decodable, Sendable {
        struct ErrorInformation: Decodable, Sendable { var errorCode: String?; var reason: String? }
        var status: String?
        var errorInformation: ErrorInformation?
    }

    var id: String?
    var activityDateTime: String?
    var provisioningAction: String?
    var provisioningStatusInfo: StatusInfo?
    var servicePrincipal: Identity?
    var sourceIdentity: Identity?
    var modifiedProperties: [ModifiedProperty]?

    struct ModifiedProperty: Decodable, Sendable { var displayName: String?; var newValue: String? }
}

/// `synchronizationJob` with its `status` (graph.md 2.6).
struct SynchronizationJobPayload: Decodable, Sendable {
    struct ErrorPayload: Decodable, Sendable { var code: String?; var message: String? }
    struct Execution: Decodable, Sendable { var timeEnded: String?; var state: String?; var error: ErrorPayload? }
    struct Quarantine: Decodable, Sendable { var seriesBegan: String?; var reason: String?; var error: ErrorPayload? }
    struct Status: Decodable, Sendable {
        var code: String?
        var countSuccessiveCompleteFailures: Int?
        var quarantine: Quarantine?
        var lastExecution: Execution?
        var lastSuccessfulExecution: Execution?
    }

    var id: String
    var templateId: String?
    var status: Status?
}

struct SynchronizationJobList: Decodable, Sendable {
    var value: [SynchronizationJobPayload]
}

/// Enough of a `servicePrincipal` to decide whether to ask for its provisioning jobs.
struct ServicePrincipalPayload: Decodable, Sendable {
    var id: String
    var displayName: String?
    var appOwnerOrganizationId: String?
    var servicePrincipalType: String?
}
