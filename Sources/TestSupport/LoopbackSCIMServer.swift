import Foundation
import LeaverSweepKit

#if canImport(Glibc)
import Glibc
#endif

/// A real SCIM 2.0 server (`scim2-server`, from the test virtualenv) on 127.0.0.1, holding accounts in memory.
///
/// Tests seed it with accounts, point the SCIM client at `baseURL`, and read the accounts back to see what
/// changed. Seeding and reading go through plain `CurlHTTPTransport` requests, not `SCIMClient`, so a
/// client bug cannot hide itself.
public final class LoopbackSCIMServer: @unchecked Sendable {
    /// An account to create: the attributes LeaverSweep matches on, and whether it is active.
    public struct Account: Sendable {
        public var userName: String
        public var externalId: String?
        public var emails: [String]
        /// nil leaves `active` out of the resource.
        public var active: Bool?
        public var displayName: String?

        public init(userName: String, externalId: String? = nil, emails: [String] = [], active: Bool? = true, displayName: String? = nil) {
            self.userName = userName
            self.externalId = externalId
            self.emails = emails
            self.active = active
            self.displayName = displayName
        }
    }

    /// An account as the server holds it, read with plain JSON parsing.
    public struct StoredAccount: Sendable, Equatable {
        public var id: String
        public var userName: String
        public var externalId: String?
        public var emails: [String]
        public var active: Bool?
        public var displayName: String?
        /// `meta.version`: changes whenever the server modifies the account.
        public var version: String?
    }

    public let port: Int
    public let token: String
    private var process: Process?
    private let transport: CurlHTTPTransport
    private let logDirectory: TemporaryDirectory

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    static var executable: String { LoopbackSMTPServer.repository.appendingPathComponent(".venv/bin/scim2-server").path }

    /// Starts the server on a free port; a few tries, in case another process takes the port first.
    public init(token: String = "scim-test-\(UUID().uuidString.lowercased())") throws {
        self.token = token
        transport = try CurlHTTPTransport()
        logDirectory = try TemporaryDirectory(prefix: "leaversweep-scim")
        (process, port) = try Self.launchOnFreePort(token: token, log: logDirectory.path + "/server.log", transport: transport)
    }

    deinit { stop() }

    /// The SCIM root, as an app's `base_url` would be configured.
    public var baseURL: String { "http://127.0.0.1:\(port)/v2" }

    /// SIGKILL: servers started from a test runner may have SIGTERM blocked.
    public func stop() {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Creates the account and returns the id the server gave it.
    @discardableResult
    public func seed(_ account: Account) throws -> String {
        var resource: [String: Any] = ["schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": account.userName]
        if let externalId = account.externalId { resource["externalId"] = externalId }
        if !account.emails.isEmpty { resource["emails"] = account.emails.map { ["value": $0] } }
        if let active = account.active { resource["active"] = active }
        if let displayName = account.displayName { resource["displayName"] = displayName }
        let response = try request("POST", "/Users", body: try JSONSerialization.data(withJSONObject: resource))
        guard response.status == 201, let created = try Self.stored(from: response.body) else {
            throw SetupError("seeding \(account.userName) failed: HTTP \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        return created.id
    }

    /// The account with this id, or nil when the server has none.
    public func account(id: String) throws -> StoredAccount? {
        let encoded = id.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? id
        let response = try request("GET", "/Users/\(encoded)")
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw SetupError("reading account \(id) failed: HTTP \(response.status)") }
        return try Self.stored(from: response.body)
    }

    /// Every account on the server, in the server's order.
    public func accounts() throws -> [StoredAccount] {
        var all: [StoredAccount] = []
        while true {
            let response = try request("GET", "/Users?startIndex=\(all.count + 1)&count=500")
            guard response.status == 200,
                  let page = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
                  let total = page["totalResults"] as? Int else {
                throw SetupError("listing accounts failed: HTTP \(response.status)")
            }
            let resources = page["Resources"] as? [[String: Any]] ?? []
            all += try resources.map { try Self.stored(from: $0) }
            if resources.isEmpty || all.count >= total { return all }
        }
    }

    /// A port on 127.0.0.1 that nothing listens on right now, for "app is down" tests.
    public static func unusedPort() throws -> Int {
        try LoopbackSMTPServer.freePort()
    }

    /// What the server printed (its request log and errors), for a failing test's message.
    public func log() -> String {
        (try? String(contentsOfFile: logDirectory.path + "/server.log", encoding: .utf8)) ?? ""
    }

    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
        var portTaken = false
        init(_ description: String) { self.description = description }
    }

    private func request(_ method: String, _ path: String, body: Data? = nil) throws -> HTTPResponse {
        var headers = [(name: "Authorization", value: "Bearer \(token)"), (name: "Accept", value: "application/scim+json")]
        if body != nil { headers.append((name: "Content-Type", value: "application/scim+json")) }
        return try transport.perform(HTTPRequest(method: method, url: baseURL + path, headers: headers, body: body, timeoutSeconds: 15))
    }

    private static func launchOnFreePort(token: String, log: String, transport: CurlHTTPTransport) throws -> (Process, Int) {
        var lastError: Error = SetupError("scim2-server did not start")
        for _ in 1...3 {
            let port = try LoopbackSMTPServer.freePort()
            do {
                return (try launch(port: port, token: token, log: log, transport: transport), port)
            } catch let error as SetupError where error.portTaken {
                lastError = error
            }
        }
        throw lastError
    }

    /// Starts the process and waits until it answers SCIM requests (importing pydantic takes a moment).
    private static func launch(port: Int, token: String, log: String, transport: CurlHTTPTransport) throws -> Process {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw SetupError("no scim2-server at \(executable): run script/bootstrap --test-tools")
        }
        guard FileManager.default.createFile(atPath: log, contents: nil) else {
            throw SetupError("could not create the server log \(log)")
        }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        // The child has its own copy of the descriptor once started.
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--hostname", "127.0.0.1", "--port", String(port), "--bearer-token", token]
        process.environment = ["PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let probe = HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/v2/ServiceProviderConfig",
                                headers: [(name: "Authorization", value: "Bearer \(token)")], timeoutSeconds: 5)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && process.isRunning {
            if (try? transport.perform(probe))?.status == 200 { return process }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let exitedByItself = !process.isRunning
        if !exitedByItself { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let printed = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        var error = SetupError("scim2-server did not answer on 127.0.0.1:\(port): \(printed.suffix(500))")
        // Another process took the port between choosing it and binding it: worth another port.
        error.portTaken = exitedByItself && printed.contains("Address already in use")
        throw error
    }

    private static func stored(from body: Data) throws -> StoredAccount? {
        guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else { return nil }
        return try stored(from: object)
    }

    private static func stored(from object: [String: Any]) throws -> StoredAccount {
        guard let id = object["id"] as? String, let userName = object["userName"] as? String else {
            throw SetupError("the server returned an account without id or userName")
        }
        let emails = (object["emails"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String }
        let meta = object["meta"] as? [String: Any]
        return StoredAccount(id: id, userName: userName, externalId: object["externalId"] as? String, emails: emails,
                             active: object["active"] as? Bool, displayName: object["displayName"] as? String,
                             version: meta?["version"] as? String)
    }
}
