import Foundation

extension DemoTenant {
    /// ServiceNow provisions healthily (Johanna is disabled there a few minutes after leaving); Salesforce has
    /// been quarantined for five days over invalid credentials, so Isaiah (left ten days ago) was disabled there
    /// but Alex (three days ago) was not; Workday has failed every run for eight days, so Grady's disable failed.
    ///
    /// Its own random stream keeps the rest of the demo tenant as it was before provisioning existed.
    mutating func addProvisioning(salesforce: String, serviceNow: String, workday: String, graph: String, explorer: String) {
        var stream = SplitMix64(seed: 0xC0_7050_5052)
        func principal(_ id: String, _ name: String) -> EmulatedServicePrincipal {
            EmulatedServicePrincipal(id: id, appId: stream.guid(), displayName: name, applicationTemplateId: stream.guid(),
                                     preferredSingleSignOnMode: "saml")
        }
        let salesforceApp = principal(salesforce, "Salesforce"), serviceNowApp = principal(serviceNow, "ServiceNow")
        let workdayApp = principal(workday, "Workday")
        tenant.servicePrincipals = [
            salesforceApp, serviceNowApp, workdayApp,
            EmulatedServicePrincipal(id: explorer, appId: "de8bc8b5-d9f9-48b1-a8ad-b748da725064", displayName: "Graph Explorer",
                                     appRoleAssignmentRequired: false, tags: [], appOwnerOrganizationId: TenantBuilder.microsoftTenantId),
            EmulatedServicePrincipal(id: graph, appId: "00000003-0000-0000-c000-000000000000", displayName: "Microsoft Graph",
                                     appRoleAssignmentRequired: false, tags: [], appOwnerOrganizationId: TenantBuilder.microsoftTenantId),
        ]
        // The error Graph's own documentation shows for a Salesforce job quarantined over credentials.
        let invalidCredentials = EmulatedSynchronizationError(
            code: "SalesforceInvalidCredentials",
            message: "Your Salesforce.com credentials are invalid.  Please obtain a current Salesforce.com administrative user name, "
                + "password and security token, and enter those in the screen for configuring user provisioning",
            tenantActionable: true)
        let protocolError = EmulatedSynchronizationError(
            code: "WebExceptionProtocolError", message: "An HTTP protocol error occurred while connecting to Workday.",
            tenantActionable: false)
        let apps = [
            ProvisioningApp(servicePrincipal: serviceNowApp, templateId: "ServiceNowOutDelta", health: .healthy, now: now, random: &stream),
            ProvisioningApp(servicePrincipal: salesforceApp, templateId: "SfOutDelta",
                            health: .quarantined(reason: "EncounteredQuarantineException", since: now - 5 * day - 3_600,
                                                 error: invalidCredentials), now: now, random: &stream),
            ProvisioningApp(servicePrincipal: workdayApp, templateId: "WorkdayOutDelta",
                            health: .failing(lastSuccess: now - 8 * day, failures: 18, error: protocolError), now: now, random: &stream),
        ]
        tenant.synchronizationJobs = apps.map(\.job)
        var log = ProvisioningLog(now: now, random: stream)
        log.write(for: tenant, apps: Dictionary(uniqueKeysWithValues: apps.map { ($0.servicePrincipal.id, $0) }))
        tenant.provisioningEvents = log.events
    }
}
