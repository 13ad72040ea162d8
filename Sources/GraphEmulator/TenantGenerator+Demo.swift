import Foundation

extension TenantGenerator {
    /// A small named Contoso tenant for the demo: 40 users, six leavers covering every drift case, and a
    /// disabled break-glass account (breakglass@contoso.com) with an enabled device, so a configured
    /// exclusion visibly takes effect. Provisioning: ServiceNow healthy, Salesforce quarantined, Workday failing. Its manifest applies the rules only: the break-glass device and
    /// revocation appear in it, and a client configured to exclude that account should skip them.
    public static func demo(now: Date) -> (EmulatedTenant, DriftManifest) {
        var demo = DemoTenant(now: now)
        demo.build()
        return (demo.tenant, DriftManifest(deriving: demo.tenant))
    }
}

struct DemoTenant {
    let now: Date
    var random = SplitMix64(seed: 0xC0_7050)
    var tenant = EmulatedTenant()
    let day: TimeInterval = 86_400

    init(now: Date) {
        self.now = now
    }

    mutating func build() {
        let salesforce = random.guid(), serviceNow = random.guid(), workday = random.guid()
        let graph = random.guid(), explorer = random.guid()
        let active: [(String, String, String)] = [
            ("Adele", "Vance", "Retail Manager"), ("Allan", "Deyoung", "IT Admin"), ("Bianca", "Pires", "Sales Lead"),
            ("Christie", "Cline", "Buyer"), ("Debra", "Berger", "Administrative Assistant"),
            ("Diego", "Siciliani", "HR Manager"), ("Emily", "Braun", "Budget Analyst"), ("Enrico", "Cattaneo", "Attorney"),
            ("Henrietta", "Mueller", "Developer"), ("Irvin", "Sayers", "Director"), ("Joni", "Sherman", "Paralegal"),
            ("Lee", "Gu", "Director"), ("Lidia", "Holloway", "Product Manager"), ("Lynne", "Robbins", "Planner"),
            ("Miriam", "Graham", "Director"), ("Patti", "Fernandez", "President"), ("Pradeep", "Gupta", "Accountant"),
            ("Raul", "Razo", "Marketing Specialist"), ("Sakura", "Tanaka", "Designer"), ("Søren", "Jørgensen", "Engineer"),
            ("Zoë", "O'Brien", "Support Engineer"), ("Ngozi", "Okafor", "Data Scientist"), ("Mateo", "García", "Sales"),
            ("Aiyana", "Nakai", "Recruiter"), ("Chen", "Wei", "Finance Analyst"), ("Fatima", "Haddad", "Legal Counsel"),
            ("Olamide", "Adeyemi", "Engineer"), ("Priya", "Raman", "Engineer"), ("Tomás", "Núñez", "Operations Lead"),
            ("Yuki", "Sato", "Designer"), ("Kwame", "Mensah", "Sales"), ("Ingrid", "Lindqvist", "Controller"),
            ("Dmitri", "Volkov", "Security Analyst"),
        ]
        for (ordinal, (first, last, title)) in active.enumerated() {
            let user = addUser(first, last, title: title, synced: ordinal % 3 == 0)
            addDevice(user, ordinal % 4 == 3 ? "iOS" : "Windows", ordinal % 4 == 3 ? "Workplace" : ordinal % 3 == 0 ? "ServerAd" : "AzureAd",
                      name: ordinal % 4 == 3 ? "\(first)'s iPhone" : "CONTOSO-\(String(first.uppercased().prefix(4)))\(ordinal)")
            if ordinal % 6 == 0 { assign(user, salesforce, "Salesforce") }
            if first == "Lidia" { // Accidentally disabled and re-enabled: an audit event the client must ignore.
                audit("Disable account", now - 4 * day, user)
                audit("Enable account", now - 4 * day + 1_800, user)
            }
            if first == "Lee" { audit("Update user", now - 2 * day, user) }
        }

        // Missed revocation, cloud Windows leftover (PATCH 204), app role assignment.
        var alex = addUser("Alex", "Wilber", title: "Marketing Assistant", enabled: false)
        disable(&alex, at: now - 3 * day - 0.4321, sessionsFrom: now - 33 * day)
        addDevice(alex, "Windows", "AzureAd", name: "LAPTOP-ALEXW")
        assign(alex, salesforce, "Salesforce")
        // Properly offboarded; a registered iPhone left enabled (app-only PATCH refused with 400); a user grant.
        var megan = addUser("Megan", "Bowen", title: "Marketing Manager", enabled: false)
        disable(&megan, at: now - 6 * day - 0.25, sessionsFrom: now - 6 * day + 300)
        addDevice(megan, "iOS", "Workplace", name: "Megan's iPhone")
        grant(megan, client: explorer, resource: graph)
        // Disabled before audit retention; synced user with a hybrid-joined desktop (flag for AD, no PATCH).
        let nestor = addUser("Nestor", "Wilke", title: "Director", enabled: false, synced: true, sessionsFrom: now - 130 * day)
        addDevice(nestor, "Windows", "ServerAd", name: "CONTOSO-NW01", synced: true)
        // Properly offboarded, device already disabled; still in "All Sales", so Salesforce access through the group.
        var isaiah = addUser("Isaiah", "Langer", title: "Sales Rep", enabled: false)
        disable(&isaiah, at: now - 10 * day - 0.75, sessionsFrom: now - 10 * day + 300)
        addDevice(isaiah, "Windows", "AzureAd", name: "DESKTOP-IL7Q2", enabled: false)
        // Missed revocation, Android (400) and Windows (204) leftovers, assignment and grant.
        var johanna = addUser("Johanna", "Lorenz", title: "Senior Engineer", enabled: false)
        disable(&johanna, at: now - 2 * day - 0.1234567, sessionsFrom: now - 47 * day)
        addDevice(johanna, "Android", "Workplace", name: "Pixel 8")
        addDevice(johanna, "Windows", "AzureAd", name: "LAPTOP-JL2024")
        assign(johanna, serviceNow, "ServiceNow")
        grant(johanna, client: explorer, resource: graph)
        // Synced user disabled yesterday, revocation missed, no devices, still assigned to Workday.
        var grady = addUser("Grady", "Archie", title: "Designer", enabled: false, synced: true)
        disable(&grady, at: now - 1 * day - 0.5, sessionsFrom: now - 20 * day)
        assign(grady, workday, "Workday")
        // Break-glass: disabled long ago (no event), enabled workstation. Clients should exclude it by config.
        let breakGlass = addUser("Break", "Glass", title: nil, enabled: false, upn: "breakglass@contoso.com",
                                 displayName: "Break Glass Admin", sessionsFrom: now - 200 * day)
        addDevice(breakGlass, "Windows", "AzureAd", name: "BREAKGLASS-WS")

        tenant.grants.append(EmulatedGrant(id: random.guid(), clientId: explorer, consentType: "AllPrincipals",
                                           principalId: nil, resourceId: graph, scope: "User.Read openid profile"))
        // "All Sales" is assigned to Salesforce; its direct members (two leavers, three active sellers) all see that
        // one assignment, same id. Alex holds Salesforce twice: directly and through the group.
        let sellers = ["Bianca Pires", "Mateo García", "Kwame Mensah"].compactMap { name in tenant.users.first { $0.displayName == name }?.id }
        let sales = EmulatedGroup(id: random.guid(), displayName: "All Sales", memberIds: [alex.id, isaiah.id] + sellers)
        tenant.groups.append(sales)
        tenant.appRoleAssignments.append(EmulatedAppRoleAssignment(
            id: random.guid(), principalId: sales.id, principalType: "Group", principalDisplayName: sales.displayName,
            resourceId: salesforce, resourceDisplayName: "Salesforce", creationTimestamp: now - 400 * day))
        addProvisioning(salesforce: salesforce, serviceNow: serviceNow, workday: workday, graph: graph, explorer: explorer)
    }

    @discardableResult
    private mutating func addUser(_ first: String, _ last: String, title: String?, enabled: Bool = true, synced: Bool = false,
                                  upn: String? = nil, displayName: String? = nil, sessionsFrom: Date? = nil) -> EmulatedUser {
        let local = Names.mailSafe(first) + String(Names.mailSafe(last).prefix(1))
        let principalName = upn ?? "\(local)@contoso.com"
        let user = EmulatedUser(
            id: random.guid(), userPrincipalName: principalName, displayName: displayName ?? "\(first) \(last)",
            givenName: first, surname: last, mail: principalName, jobTitle: title, accountEnabled: enabled,
            signInSessionsValidFromDateTime: sessionsFrom ?? now - TimeInterval(5 + random.below(60)) * day,
            onPremisesSyncEnabled: synced ? true : nil, userType: "Member",
            createdDateTime: now - TimeInterval(200 + random.below(1500)) * day)
        tenant.users.append(user)
        return user
    }

    private mutating func disable(_ user: inout EmulatedUser, at disabledAt: Date, sessionsFrom: Date) {
        user.signInSessionsValidFromDateTime = sessionsFrom
        if let index = tenant.users.firstIndex(where: { $0.id == user.id }) { tenant.users[index] = user }
        audit("Disable account", disabledAt, user)
    }

    private mutating func audit(_ activity: String, _ time: Date, _ user: EmulatedUser) {
        tenant.auditEvents.append(EmulatedAuditEvent(id: random.guid(), activityDisplayName: activity, activityDateTime: time,
                                                     targetUserId: user.id, targetUPN: user.userPrincipalName,
                                                     initiatedByUPN: "diegos@contoso.com"))
    }

    private mutating func addDevice(_ owner: EmulatedUser, _ os: String, _ trust: String, name: String,
                                    enabled: Bool = true, synced: Bool? = nil) {
        let isSynced = synced ?? (trust == "ServerAd" ? true : nil)
        tenant.devices.append(EmulatedDevice(
            id: random.guid(), deviceId: random.guid(), displayName: name, accountEnabled: enabled, operatingSystem: os,
            operatingSystemVersion: Names.versions[os]?.last ?? "1.0", trustType: trust,
            isManaged: trust != "Workplace", isCompliant: trust != "Workplace" ? true : nil, onPremisesSyncEnabled: isSynced,
            registeredOwnerIds: [owner.id], approximateLastSignInDateTime: now - TimeInterval(1 + random.below(30)) * day))
    }

    private mutating func assign(_ user: EmulatedUser, _ resource: String, _ name: String) {
        tenant.appRoleAssignments.append(EmulatedAppRoleAssignment(
            id: random.guid(), principalId: user.id, principalType: "User", principalDisplayName: user.displayName,
            resourceId: resource, resourceDisplayName: name, creationTimestamp: now - 300 * day))
    }

    private mutating func grant(_ user: EmulatedUser, client: String, resource: String) {
        tenant.grants.append(EmulatedGrant(id: random.guid(), clientId: client, consentType: "Principal",
                                           principalId: user.id, resourceId: resource, scope: "User.Read Mail.Read"))
    }
}
