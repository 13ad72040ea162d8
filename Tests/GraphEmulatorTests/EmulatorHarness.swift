import Foundation
@testable import GraphEmulator

/// A small hand-made tenant whose every object a test can name.
enum Fixture {
    static let now = Date()
    static let day: TimeInterval = 86_400

    static let alice = "10000000-0000-4000-8000-000000000001"     // enabled, owns a Windows laptop
    static let bob = "20000000-0000-4000-8000-000000000002"       // disabled, revocation missed, three leftovers
    static let carol = "30000000-0000-4000-8000-000000000003"     // disabled properly, no devices
    static let windowsLaptop = "d1000000-0000-4000-8000-000000000001"
    static let bobWindows = "d2000000-0000-4000-8000-000000000002"
    static let bobIPhone = "d3000000-0000-4000-8000-000000000003"
    static let bobSynced = "d4000000-0000-4000-8000-000000000004"
    static let bobAssignment = "a1000000-0000-4000-8000-000000000001"
    static let bobGrant = "g1000000-0000-4000-8000-000000000001"
    static let tenantWideGrant = "g2000000-0000-4000-8000-000000000002"

    /// The three named users plus `extraUsers` filler users (enabled; every third disabled) for paging tests.
    static func tenant(extraUsers: Int = 0) -> EmulatedTenant {
        var users = [
            EmulatedUser(id: alice, userPrincipalName: "alice@contoso.com", displayName: "Alice Archer", givenName: "Alice",
                         surname: "Archer", mail: "alice@contoso.com", jobTitle: "Engineer", accountEnabled: true,
                         signInSessionsValidFromDateTime: now - 10 * day, createdDateTime: now - 400 * day),
            EmulatedUser(id: bob, userPrincipalName: "bob@contoso.com", displayName: "Bob Baker", accountEnabled: false,
                         signInSessionsValidFromDateTime: now - 40 * day, onPremisesSyncEnabled: false),
            EmulatedUser(id: carol, userPrincipalName: "carol@contoso.com", displayName: "Carol Cruz", accountEnabled: false,
                         signInSessionsValidFromDateTime: now - 5 * day + 300),
        ]
        for index in 0..<extraUsers {
            users.append(EmulatedUser(id: String(format: "f%07d-0000-4000-8000-000000000000", index),
                                      userPrincipalName: "filler\(index)@contoso.com", displayName: "Filler \(index)",
                                      accountEnabled: index % 3 != 0))
        }
        let devices = [
            EmulatedDevice(id: windowsLaptop, deviceId: "e1000000-0000-4000-8000-000000000001", displayName: "LAPTOP-ALICE",
                           registeredOwnerIds: [alice]),
            EmulatedDevice(id: bobWindows, deviceId: "e2000000-0000-4000-8000-000000000002", displayName: "LAPTOP-BOB",
                           registeredOwnerIds: [bob]),
            EmulatedDevice(id: bobIPhone, deviceId: "e3000000-0000-4000-8000-000000000003", displayName: "Bob's iPhone",
                           operatingSystem: "iOS", operatingSystemVersion: "18.1", trustType: "Workplace", registeredOwnerIds: [bob]),
            EmulatedDevice(id: bobSynced, deviceId: "e4000000-0000-4000-8000-000000000004", displayName: "CONTOSO-BOB",
                           trustType: "ServerAd", onPremisesSyncEnabled: true, registeredOwnerIds: [bob]),
        ]
        return EmulatedTenant(
            users: users, devices: devices,
            appRoleAssignments: [EmulatedAppRoleAssignment(id: bobAssignment, principalId: bob, principalDisplayName: "Bob Baker",
                                                           resourceId: "5e000000-0000-4000-8000-000000000001",
                                                           resourceDisplayName: "Salesforce")],
            grants: [
                EmulatedGrant(id: bobGrant, clientId: "c1000000-0000-4000-8000-000000000001", principalId: bob,
                              resourceId: "5e000000-0000-4000-8000-000000000002"),
                EmulatedGrant(id: tenantWideGrant, clientId: "c1000000-0000-4000-8000-000000000001",
                              consentType: "AllPrincipals", principalId: nil, resourceId: "5e000000-0000-4000-8000-000000000002"),
            ],
            auditEvents: [
                EmulatedAuditEvent(id: "a0000000-0000-4000-8000-0000000000b0", activityDateTime: now - 20 * day + 0.1234567,
                                   targetUserId: bob, targetUPN: "bob@contoso.com", initiatedByUPN: "hr@contoso.com"),
                EmulatedAuditEvent(id: "a0000000-0000-4000-8000-0000000000c0", activityDateTime: now - 5 * day,
                                   targetUserId: carol, targetUPN: "carol@contoso.com"),
                EmulatedAuditEvent(id: "a0000000-0000-4000-8000-0000000000a0", activityDisplayName: "Update user",
                                   activityDateTime: now - 1 * day, targetUserId: alice, targetUPN: "alice@contoso.com"),
            ])
    }
}

/// An emulator on an ephemeral loopback port plus a client talking to it; stopped when released.
final class Harness {
    let emulator: GraphEmulator
    let client: TestHTTPClient
    let options: EmulatorOptions

    init(tenant: EmulatedTenant = Fixture.tenant(), options: EmulatorOptions = EmulatorOptions()) throws {
        self.options = options
        emulator = GraphEmulator(tenant: tenant, options: options)
        client = TestHTTPClient(port: try emulator.start())
    }

    deinit {
        emulator.stop()
    }

    static let form = "client_id=11111111-2222-3333-4444-555555555555&client_secret=emulator-secret"
        + "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&grant_type=client_credentials"

    func requestToken(form: String = Harness.form, tenant: String = "contoso.onmicrosoft.com",
                      headers: [String: String] = [:]) throws -> HTTPResult {
        try client.send("POST", "/\(tenant)/oauth2/v2.0/token",
                        headers: headers.merging(["Content-Type": "application/x-www-form-urlencoded"]) { a, _ in a }, body: form)
    }

    func token() throws -> String {
        let result = try requestToken()
        guard let token = result.json["access_token"] as? String else {
            throw TestClientError(description: "no token: \(result.status) \(result.text)")
        }
        return token
    }

    /// A Graph call with a bearer token; `target` is relative to the base URL or an absolute nextLink.
    func graph(_ target: String, token: String, headers: [String: String] = [:]) throws -> HTTPResult {
        try graph("GET", target, token: token, headers: headers)
    }

    func graph(_ method: String, _ target: String, token: String, body: String? = nil,
               headers: [String: String] = [:]) throws -> HTTPResult {
        let relative = target.hasPrefix(emulator.baseURL) ? String(target.dropFirst(emulator.baseURL.count)) : target
        var all = headers
        all["Authorization"] = "Bearer \(token)"
        if body != nil { all["Content-Type"] = "application/json" }
        return try client.send(method, relative, headers: all, body: body)
    }

    /// Follows nextLinks to the end; returns every item and the number of pages.
    func collect(_ target: String, token: String) throws -> (items: [[String: Any]], pages: Int) {
        var items: [[String: Any]] = []
        var next: String? = target
        var pages = 0
        while let link = next {
            let page = try graph(link, token: token)
            guard page.status == 200 else { throw TestClientError(description: "page \(pages): \(page.status) \(page.text)") }
            items += page.values
            pages += 1
            next = page.nextLink
        }
        return (items, pages)
    }
}
