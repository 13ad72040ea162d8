import Foundation
import LeaverSweepKit

#if canImport(Glibc)
import Glibc
#endif

/// A real SCIM 2.0 app for the demo: `scim2-server` (from the pinned virtualenv) on a free loopback port, seeded
/// with accounts for some of the demo tenant's people.
final class DemoSCIMApp {
    let process: Process
    let baseURL: String
    let token = "demo-scim-\(UUID().uuidString.lowercased())"
    private let transport: CurlHTTPTransport

    init(executable: String) throws {
        transport = try CurlHTTPTransport()
        let port = try LoopbackPort.free()
        baseURL = "http://127.0.0.1:\(port)/v2"
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--hostname", "127.0.0.1", "--port", String(port), "--bearer-token", token]
        process.environment = ["PATH": "/usr/bin:/bin"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && process.isRunning {
            if (try? request("GET", "/ServiceProviderConfig"))?.status == 200 { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw DemoError("scim2-server at \(executable) did not start")
    }

    deinit { stop() }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Creates an account and returns the id the app gave it.
    @discardableResult
    func seed(userName: String, active: Bool) throws -> String {
        let body = try JSONSerialization.data(withJSONObject: [
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": userName, "active": active,
        ])
        let response = try request("POST", "/Users", body: body)
        guard response.status == 201, let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let id = object["id"] as? String else { throw DemoError("seeding \(userName) failed: HTTP \(response.status)") }
        return id
    }

    /// `userName → active` for every account, as the app now has them.
    func accounts() throws -> [String: Bool] {
        let response = try request("GET", "/Users?count=500")
        let resources = (try JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["Resources"] as? [[String: Any]] ?? []
        return Dictionary(resources.compactMap { account in (account["userName"] as? String).map { ($0, account["active"] as? Bool ?? true) } }) { first, _ in first }
    }

    private func request(_ method: String, _ path: String, body: Data? = nil) throws -> HTTPResponse {
        var headers: [(name: String, value: String)] = [("Authorization", "Bearer \(token)")]
        if body != nil { headers.append(("Content-Type", "application/scim+json")) }
        return try transport.perform(HTTPRequest(method: method, url: baseURL + path, headers: headers, body: body, timeoutSeconds: 5))
    }
}

struct DemoError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
