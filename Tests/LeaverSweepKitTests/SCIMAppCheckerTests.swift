import Foundation
import LeaverSweepCore
import Testing
import TestSupport
@testable import LeaverSweepKit

/// The checker's rules for a sick or picky app, with a scripted app in place of a real one.
struct SCIMAppCheckerTests {
    static let app = AppSettings(name: "ServiceNow", kind: .scim(SCIMAppSettings(baseURL: URL(string: "https://app.example/scim")!, token: .environment(variable: "T"))))

    static func listResponse(_ userName: String, id: String) -> String {
        #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"startIndex":1,"itemsPerPage":1,"Resources":[{"id":"\#(id)","userName":"\#(userName)","active":true}]}"#
    }

    static func check(_ users: [DirectoryUser], transport: ScriptedTransport) throws -> (AppStatus, StateStore, TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        let store = try StateStore(path: directory.path + "/state.sqlite")
        let client = SCIMClient(transport: transport, baseURL: "https://app.example/scim", token: "secret-token", sleep: { _ in })
        let checker = SCIMAppChecker(app: app, settings: app.scim!, client: client, store: store, log: RunLog(threshold: .error), threads: 1)
        return (checker.check(users, at: Date()), store, directory)
    }

    static func user(_ n: Int) -> DirectoryUser {
        DirectoryUser(id: "u\(n)", userPrincipalName: "user\(n)@contoso.com", accountEnabled: false)
    }

    @Test func aValueTheAppRefusesSkipsThatUserOnly() throws {
        // The app's filter parser chokes on one user's value; everyone else must still be checked.
        let transport = ScriptedTransport(fallback: { request in
            if request.url.contains("user2") {
                return try ScriptedTransport.json(400, #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidFilter","detail":"bad"}"#)(request)
            }
            let name = request.url.contains("user1") ? "user1@contoso.com" : "user3@contoso.com"
            return try ScriptedTransport.json(200, Self.listResponse(name, id: "id-" + name.prefix(5)))(request)
        })
        let (status, _, _) = try Self.check([Self.user(1), Self.user(2), Self.user(3)], transport: transport)
        #expect(status.health == .ok, "one refused value is not an app outage")
        #expect(status.usersChecked == 2)
        #expect(status.detail?.contains("1 leaver could not be looked up") == true && status.detail?.contains("invalidFilter") == true, "\(status.detail ?? "")")
    }

    @Test func anAppWideFailureStopsTheLookups() throws {
        let transport = ScriptedTransport(fallback: ScriptedTransport.json(401, #"{"detail":"no"}"#))
        let (status, _, _) = try Self.check((1...20).map(Self.user), transport: transport)
        #expect(status.health == .notChecked)
        #expect(transport.sentRequests.count == 1, "after a 401 nobody else is looked up: \(transport.sentRequests.count) requests")
        #expect(status.detail?.contains("secret-token") == false)
    }
}
