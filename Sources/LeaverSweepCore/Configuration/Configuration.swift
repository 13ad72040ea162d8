import Foundation

/// Where the client secret comes from. Never the command line and never the config file itself: both end up in
/// shell history, process listings and backups.
public enum SecretSource: Sendable, Equatable {
    case environment(variable: String)
    case file(path: String)
}

/// The validated contents of `config.toml`. Every key is documented in the README's configuration reference.
public struct Configuration: Sendable, Equatable {
    public struct Tenant: Sendable, Equatable {
        /// Tenant GUID or verified domain, used in the token endpoint's path.
        public var id: String
    }

    public struct Auth: Sendable, Equatable {
        public var clientId: String
        public var clientSecret: SecretSource
        /// Token host, e.g. `https://login.microsoftonline.com` (national clouds and the emulator differ).
        public var authority: URL
    }

    public struct Graph: Sendable, Equatable {
        /// Graph host without the version, e.g. `https://graph.microsoft.com`; `/v1.0` is appended.
        public var endpoint: URL
    }

    public struct State: Sendable, Equatable {
        public var database: String
    }

    public struct PolicySettings: Sendable, Equatable {
        public var mode: RunMode
        public var exclude: [String]
        /// Object ids of groups whose members (transitively) are never acted on, e.g. a break-glass group.
        public var excludeGroups: [String] = []
        /// Blast-radius guard: more planned writes than this and the run writes nothing.
        public var maxActions: Int = 1000
        /// Blast-radius guard: more users newly disabled since the previous run (as a fraction of all users)
        /// and the run writes nothing — an HR or sync mistake must not be spread everywhere.
        public var maxNewlyDisabledFraction: Double = 0.05
        /// A device is disabled only once its owner has been disabled this long (rehire and mistake protection).
        public var deviceGrace: TimeInterval = 0
        /// Delete a leaver's direct app role assignments (group-inherited ones are reported: remove the membership).
        public var removeAppRoleAssignments = false
        /// Delete a leaver's own delegated consents (`consentType: Principal`); tenant-wide consent is never touched.
        public var removeUserConsentGrants = false
        /// App deactivations and removals wait this long after the disable (rehire and mistake protection).
        public var appGrace: TimeInterval = 0
        /// Provisioning apps (by display name, case-insensitively) whose jobs and logs are not reported: test and
        /// staging apps whose stuck jobs nobody will fix.
        public var ignoreProvisioningApps: [String] = []
        /// Read Entra provisioning logs and jobs (needs AuditLog.Read.All with P1/P2 and Synchronization.Read.All).
        public var checkProvisioning = true
    }

    public struct Report: Sendable, Equatable {
        /// Where the JSON report of each run is written; nil writes none.
        public var json: String?
    }

    public var tenant: Tenant
    public var auth: Auth
    public var graph: Graph
    public var state: State
    public var policy: PolicySettings
    public var report: Report
    /// Nil when no `[email]` section is configured: the report is only written and printed.
    public var email: EmailSettings?
    /// `[[apps]]`: apps with their own accounts, checked over SCIM or listed for deprovisioning by hand.
    public var apps: [AppSettings] = []

    public static let defaultAuthority = URL(string: "https://login.microsoftonline.com")!
    public static let defaultGraphEndpoint = URL(string: "https://graph.microsoft.com")!

    /// Scope for the client-credentials grant: the Graph resource's `.default` (all granted application permissions).
    ///
    /// The resource is named by its app ID URI, which for the national clouds is the Graph host
    /// (`https://graph.microsoft.us/.default`). A loopback endpoint is the emulator standing in for global Graph,
    /// so it asks for global Graph's scope, exactly as a real deployment would.
    public var tokenScope: String {
        if let host = graph.endpoint.host, LoopbackHost.isLoopback(host) {
            return "https://graph.microsoft.com/.default"
        }
        var resource = graph.endpoint.absoluteString
        while resource.hasSuffix("/") { resource.removeLast() }
        return resource + "/.default"
    }
}

/// A config problem, located by key and line, found before any network call.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public var file: String?
    public var line: Int?
    public var key: String?
    public var message: String

    public init(file: String? = nil, line: Int? = nil, key: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        var location = file ?? "config"
        if let line { location += ":\(line)" }
        if let key { return "\(location): \(key): \(message)" }
        return "\(location): \(message)"
    }
}
