import Foundation
@testable import GraphEmulator

/// The hand-made fixture plus three apps with provisioning: ServiceNow healthy, Salesforce quarantined, Zoom
/// without a job, and a log in which bob's Salesforce account was updated and never disabled while carol's
/// ServiceNow account was disabled after a failed first attempt.
enum ProvisioningFixture {
    static let serviceNow = "5e000000-0000-4000-8000-00000000000a"
    static let salesforce = "5e000000-0000-4000-8000-000000000001"   // the resource of Fixture.bobAssignment
    static let zoom = "5e000000-0000-4000-8000-00000000000c"
    static let serviceNowJob = "ServiceNowOutDelta.0123456789abcdef0123456789abcdef"
    static let salesforceJob = "SfOutDelta.fedcba9876543210fedcba9876543210"
    static let now = Fixture.now
    static let day = Fixture.day

    static func principal(_ id: String, _ name: String, appId: String) -> EmulatedServicePrincipal {
        EmulatedServicePrincipal(id: id, appId: appId, displayName: name, preferredSingleSignOnMode: "saml")
    }

    static func event(_ id: String, _ daysAgo: Double, _ app: String, _ action: String, status: String = "success",
                      user: String = Fixture.bob, error: String? = nil) -> EmulatedProvisioningEvent {
        let name = app == salesforce ? "Salesforce" : "ServiceNow"
        let person = Fixture.tenant().users.first { $0.id == user }!
        return EmulatedProvisioningEvent(
            id: id, activityDateTime: now - daysAgo * day, servicePrincipalId: app, servicePrincipalName: name,
            jobId: app == salesforce ? salesforceJob : serviceNowJob, cycleId: "c-\(id)", changeId: "ch-\(id)", action: action,
            status: status, userId: user, userDisplayName: person.displayName, userPrincipalName: person.userPrincipalName,
            targetId: "t-\(user.prefix(2))",
            errorCode: error, errorReason: error.map { "\($0) from the app" })
    }

    static func tenant() -> EmulatedTenant {
        var tenant = Fixture.tenant()
        tenant.servicePrincipals = [
            principal(serviceNow, "ServiceNow", appId: "a0000000-0000-4000-8000-00000000000a"),
            principal(salesforce, "Salesforce", appId: "a0000000-0000-4000-8000-000000000001"),
            principal(zoom, "Zoom", appId: "a0000000-0000-4000-8000-00000000000c"),
        ]
        let healthyRun = EmulatedSynchronizationExecution(activityIdentifier: "run-1", timeBegan: now - 1_800, timeEnded: now - 1_700,
                                                          countExported: 3)
        tenant.synchronizationJobs = [
            EmulatedSynchronizationJob(id: serviceNowJob, servicePrincipalId: serviceNow, templateId: "ServiceNowOutDelta",
                                       lastExecution: healthyRun, lastSuccessfulExecution: healthyRun),
            EmulatedSynchronizationJob(
                id: salesforceJob, servicePrincipalId: salesforce, templateId: "SfOutDelta", code: "Quarantine",
                countSuccessiveCompleteFailures: 4,
                quarantine: EmulatedSynchronizationQuarantine(
                    currentBegan: now - day, nextAttempt: now + 3_600, seriesBegan: now - 4 * day, seriesCount: 4,
                    reason: "EncounteredEscrowProportionThreshold")),
        ]
        tenant.provisioningEvents = [
            event("e1", 9, salesforce, "update"),
            event("e2", 6, serviceNow, "create", user: Fixture.carol),
            event("e3", 5, serviceNow, "disable", status: "failure", user: Fixture.carol, error: "InternalServerError"),
            event("e4", 4.9, serviceNow, "disable", user: Fixture.carol),
            event("e5", 2, salesforce, "disable", status: "failure", error: "UnprocessableEntity"),
            event("e6", 1, serviceNow, "update", user: Fixture.alice),
        ]
        return tenant
    }
}
