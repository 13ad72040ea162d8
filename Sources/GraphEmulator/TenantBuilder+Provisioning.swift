import Foundation

extension TenantBuilder {
    /// Microsoft's own tenant, the owner of first-party apps such as Microsoft Graph.
    static let microsoftTenantId = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"

    /// Service principals for every app the tenant references, provisioning jobs for four of them (ServiceNow
    /// healthy, Salesforce and Workday quarantined, GitHub failing), and provisioning logs for their users.
    ///
    /// Runs last and draws from its own random stream, so every user, device and assignment of a given seed is
    /// what it was before provisioning existed, and changes here never reshuffle them.
    mutating func addProvisioning() {
        var random = SplitMix64(seed: spec.seed ^ 0x5052_4F56_4953_494F)
        let now = spec.now
        let day: TimeInterval = 86_400
        let principals = resources.map { resource in
            EmulatedServicePrincipal(id: resource.id, appId: random.guid(), displayName: resource.name,
                                     applicationTemplateId: random.guid(), preferredSingleSignOnMode: "saml")
        }
        let clientNames = ["Graph Explorer", "Contoso Expenses", "Zapier"]
        tenant.servicePrincipals = principals
            + delegatedClients.enumerated().map { index, id in
                EmulatedServicePrincipal(id: id, appId: random.guid(), displayName: clientNames[index % clientNames.count],
                                         appRoleAssignmentRequired: false, preferredSingleSignOnMode: "oidc")
            }
            + [EmulatedServicePrincipal(id: graphResourceId, appId: "00000003-0000-0000-c000-000000000000",
                                        displayName: "Microsoft Graph", appRoleAssignmentRequired: false, tags: [],
                                        appOwnerOrganizationId: Self.microsoftTenantId)]

        let health: [String: (template: String, health: ProvisioningHealth, removal: String)] = [
            "ServiceNow": ("ServiceNowOutDelta", .healthy, "disable"),
            "Salesforce": ("SfOutDelta", .quarantined(reason: "EncounteredEscrowProportionThreshold",
                                                       since: now - 6 * day - 4_321, error: nil), "disable"),
            "Workday": ("WorkdayOutDelta", .quarantined(reason: "TooManyDeletes", since: now - 3 * day - 1_234, error: nil), "disable"),
            "GitHub Enterprise Cloud": ("GitHubOutDelta", .failing(
                lastSuccess: now - 12 * day - 2_345, failures: 9,
                error: EmulatedSynchronizationError(
                    code: "Timeout", message: "The operation could not be completed because GitHub Enterprise Cloud took too long to respond.",
                    tenantActionable: false)), "delete"),
        ]
        var apps: [String: ProvisioningApp] = [:]
        for principal in principals {
            guard let plan = health[principal.displayName] else { continue }
            apps[principal.id] = ProvisioningApp(servicePrincipal: principal, templateId: plan.template,
                                                 health: spec.stalledProvisioning ? plan.health : .healthy,
                                                 removal: plan.removal, now: now, random: &random)
        }
        tenant.synchronizationJobs = apps.values.map(\.job).sorted { $0.id < $1.id }
        var log = ProvisioningLog(now: now, random: random)
        log.write(for: tenant, apps: apps)
        tenant.provisioningEvents = log.events
    }
}
