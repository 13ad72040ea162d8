import Foundation

extension Configuration {
    /// Parses and validates a config file's text. Errors name the file, line and key.
    ///
    /// Strict on purpose: an unknown key is usually a typo (`mdoe = "report"`), and a typo that is silently
    /// ignored in a tool that disables devices is how an admin gets surprised at 2 a.m.
    public static func parse(_ text: String, file: String? = nil) throws(ConfigurationError) -> Configuration {
        let document: TOMLDocument
        do {
            document = try TOMLParser.parse(text)
        } catch {
            throw ConfigurationError(file: file, line: error.line, message: "not valid TOML: \(error.message) (column \(error.column))")
        }
        var reader = ConfigReader(file: file)
        return try reader.configuration(from: document.root)
    }
}

/// Walks the TOML tree table by table, checking names and types and remembering lines for errors.
struct ConfigReader {
    let file: String?

    static let knownKeys: [String: [String]] = [
        "": ["tenant", "auth", "graph", "state", "policy", "report", "email", "apps"],
        "tenant": ["id"],
        "auth": ["client_id", "client_secret_env", "client_secret_file", "authority"],
        "graph": ["endpoint"],
        "state": ["database"],
        "policy": ["mode", "exclude", "exclude_groups", "max_actions", "max_newly_disabled_fraction", "device_grace",
                   "remove_app_role_assignments", "remove_user_consent_grants", "check_provisioning", "app_grace", "ignore_provisioning_apps"],
        "report": ["json"],
        "email": ["smtp_url", "starttls", "username", "password_env", "password_file", "from", "to", "send"],
    ]

    mutating func configuration(from root: TOMLTable) throws(ConfigurationError) -> Configuration {
        try checkKeys(root, path: "")
        let tenant = try table(root, "tenant", required: true)
        let auth = try table(root, "auth", required: true)
        let graph = try table(root, "graph", required: false)
        let state = try table(root, "state", required: true)
        let policy = try table(root, "policy", required: false)
        let report = try table(root, "report", required: false)
        let email = root["email"] == nil ? nil : try emailSettings(try table(root, "email", required: true))

        if let secret = auth.table["client_secret"] {
            // Name the mistake without ever echoing the value.
            throw error(secret.keyLine, "auth.client_secret", "secrets are not accepted in the config file; set client_secret_env (an environment variable's name) or client_secret_file (a file's path)")
        }
        let secretEnv = try string(auth, "client_secret_env")
        let secretFile = try string(auth, "client_secret_file")
        let secret: SecretSource
        switch (secretEnv, secretFile) {
        case let (name?, nil):
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw error(auth.table["client_secret_env"]?.line, "auth.client_secret_env", "expected an environment variable name such as \"LEAVERSWEEP_CLIENT_SECRET\"")
            }
            secret = .environment(variable: name)
        case let (nil, path?):
            guard path.hasPrefix("/") else {
                throw error(auth.table["client_secret_file"]?.line, "auth.client_secret_file", "expected an absolute path")
            }
            secret = .file(path: path)
        case (.some, .some):
            throw error(auth.table["client_secret_file"]?.line, "auth", "set client_secret_env or client_secret_file, not both")
        case (nil, nil):
            throw error(auth.line, "auth", "missing client_secret_env or client_secret_file")
        }

        let modeText = try string(policy, "mode") ?? "enforce"
        guard let mode = RunMode(rawValue: modeText), mode != .dryRun else {
            throw error(policy.table["mode"]?.line, "policy.mode", "expected \"enforce\" or \"report\", got \"\(modeText)\"")
        }

        var configuration = Configuration(
            tenant: .init(id: try requiredString(tenant, "id", pattern: .tenantId)),
            auth: .init(
                clientId: try requiredString(auth, "client_id", pattern: .guid),
                clientSecret: secret,
                authority: try url(auth, "authority", default: Configuration.defaultAuthority)
            ),
            graph: .init(endpoint: try url(graph, "endpoint", default: Configuration.defaultGraphEndpoint)),
            state: .init(database: try requiredString(state, "database", pattern: .absolutePath)),
            policy: try policySettings(policy, mode: mode),
            report: .init(json: try optionalPath(report, "json")),
            email: email
        )
        configuration.apps = try apps(root["apps"], hasEmail: email != nil)
        return configuration
    }

    func policySettings(_ policy: LocatedTable, mode: RunMode) throws(ConfigurationError) -> Configuration.PolicySettings {
        var settings = Configuration.PolicySettings(mode: mode, exclude: try stringArray(policy, "exclude") ?? [])
        let groups = try stringArray(policy, "exclude_groups") ?? []
        for group in groups where UUID(uuidString: group) == nil {
            // Names are not unique in Entra ID; an exclusion must name exactly one group.
            throw error(policy.table["exclude_groups"]?.line, "policy.exclude_groups", "expected group object ids (GUIDs); \"\(group)\" is not one")
        }
        settings.excludeGroups = groups
        settings.removeAppRoleAssignments = try bool(policy, "remove_app_role_assignments") ?? false
        settings.removeUserConsentGrants = try bool(policy, "remove_user_consent_grants") ?? false
        settings.checkProvisioning = try bool(policy, "check_provisioning") ?? true
        settings.ignoreProvisioningApps = try stringArray(policy, "ignore_provisioning_apps") ?? []
        if let value = policy.table["max_actions"] {
            guard case .integer(let limit) = value.kind, limit >= 0, limit <= 1_000_000 else {
                throw error(value.line, "policy.max_actions", "expected a whole number from 0 to 1000000, got \(value.typeName)")
            }
            settings.maxActions = Int(limit)
        }
        if let value = policy.table["max_newly_disabled_fraction"] {
            let fraction: Double
            switch value.kind {
            case .float(let number): fraction = number
            case .integer(let number): fraction = Double(number)
            default: throw error(value.line, "policy.max_newly_disabled_fraction", "expected a number from 0 to 1 such as 0.05, got \(value.typeName)")
            }
            guard fraction >= 0, fraction <= 1 else {
                throw error(value.line, "policy.max_newly_disabled_fraction", "expected a number from 0 to 1 such as 0.05, got \(fraction)")
            }
            settings.maxNewlyDisabledFraction = fraction
        }
        if let value = policy.table["app_grace"] {
            guard case .string(let text) = value.kind, let seconds = Duration.parse(text) else {
                throw error(value.line, "policy.app_grace", "expected a duration such as \"24h\", \"3d\" or \"90m\"")
            }
            settings.appGrace = seconds
        }
        if let value = policy.table["device_grace"] {
            guard case .string(let text) = value.kind, let seconds = Duration.parse(text) else {
                throw error(value.line, "policy.device_grace", "expected a duration such as \"24h\", \"3d\" or \"90m\"")
            }
            settings.deviceGrace = seconds
        }
        return settings
    }

    /// "90m", "24h", "3d", "1d12h", "0": the durations an admin writes.
    enum Duration {
        static func parse(_ text: String) -> TimeInterval? {
            let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
            if trimmed == "0" { return 0 }
            var total: TimeInterval = 0
            var digits = ""
            var sawUnit = false
            for character in trimmed {
                if character.isASCII && character.isNumber {
                    digits.append(character)
                    guard digits.count <= 6 else { return nil }
                    continue
                }
                guard let amount = Double(digits) else { return nil }
                switch character {
                case "s": total += amount
                case "m": total += amount * 60
                case "h": total += amount * 3600
                case "d": total += amount * 86_400
                case "w": total += amount * 7 * 86_400
                default: return nil
                }
                digits = ""
                sawUnit = true
            }
            return sawUnit && digits.isEmpty ? total : nil
        }
    }

    func emailSettings(_ email: LocatedTable) throws(ConfigurationError) -> EmailSettings {
        let urlText = try string(email, "smtp_url")
        guard let urlText else { throw error(email.line, "email.smtp_url", "missing required value") }
        let line = email.table["smtp_url"]?.line
        guard let components = URLComponents(string: urlText), let scheme = components.scheme?.lowercased(),
              ["smtp", "smtps"].contains(scheme), let host = components.host, !host.isEmpty, let url = components.url,
              components.user == nil, components.query == nil, components.fragment == nil, components.path.isEmpty else {
            throw error(line, "email.smtp_url", "expected smtp://host:587 (STARTTLS) or smtps://host:465: scheme, host and port only, without credentials")
        }
        let startTLSText = try string(email, "starttls") ?? "required"
        guard let startTLS = EmailSettings.StartTLS(rawValue: startTLSText) else {
            throw error(email.table["starttls"]?.line, "email.starttls", "expected \"required\" or \"off\", got \"\(startTLSText)\"")
        }
        if startTLS == .off && !LoopbackHost.isLoopback(host) {
            throw error(email.table["starttls"]?.line, "email.starttls", "\"off\" is allowed only for a loopback SMTP server; mail to \(host) must be encrypted")
        }
        let username = try string(email, "username")
        let passwordEnv = try string(email, "password_env")
        let passwordFile = try string(email, "password_file")
        let password: SecretSource?
        switch (passwordEnv, passwordFile) {
        case (nil, nil): password = nil
        case let (name?, nil): password = .environment(variable: name)
        case let (nil, path?):
            guard path.hasPrefix("/") else { throw error(email.table["password_file"]?.line, "email.password_file", "expected an absolute path") }
            password = .file(path: path)
        case (.some, .some): throw error(email.table["password_file"]?.line, "email", "set password_env or password_file, not both")
        }
        if password != nil && username == nil {
            throw error(email.line, "email.username", "a password is configured but no username")
        }
        if email.table["password"] != nil {
            throw error(email.table["password"]?.keyLine, "email.password", "secrets are not accepted in the config file; set password_env or password_file")
        }
        let fromText = try string(email, "from")
        guard let fromText else { throw error(email.line, "email.from", "missing required value") }
        let from: MailAddress
        do { from = try MailAddress.parse(fromText) } catch {
            throw self.error(email.table["from"]?.line, "email.from", "\(error)")
        }
        guard let toTexts = try stringArray(email, "to"), !toTexts.isEmpty else {
            throw error(email.table["to"]?.line ?? email.line, "email.to", "expected a non-empty array of addresses")
        }
        var to: [MailAddress] = []
        for text in toTexts {
            do { to.append(try MailAddress.parse(text)) } catch {
                throw self.error(email.table["to"]?.line, "email.to", "\(error)")
            }
        }
        let sendText = try string(email, "send") ?? "on_drift"
        guard let send = EmailSettings.SendPolicy(rawValue: sendText) else {
            throw error(email.table["send"]?.line, "email.send", "expected \"always\", \"on_drift\" or \"never\", got \"\(sendText)\"")
        }
        return EmailSettings(smtpURL: url, startTLS: startTLS, username: username, password: password, from: from, to: to, send: send)
    }

    // MARK: Tables and keys

    struct LocatedTable {
        var path: String
        var table: TOMLTable
        var line: Int?
    }

    func table(_ root: TOMLTable, _ name: String, required: Bool) throws(ConfigurationError) -> LocatedTable {
        guard let value = root[name] else {
            if required { throw error(nil, "[\(name)]", "missing required table") }
            return LocatedTable(path: name, table: TOMLTable(), line: nil)
        }
        guard case .table(let table) = value.kind else {
            throw error(value.keyLine, name, "expected a table ([\(name)]), got \(value.typeName)")
        }
        try checkKeys(table, path: name)
        return LocatedTable(path: name, table: table, line: value.keyLine)
    }

    func checkKeys(_ table: TOMLTable, path: String) throws(ConfigurationError) {
        let known = Self.knownKeys[path] ?? []
        for (key, value) in table.entries where !known.contains(key) {
            if (path == "auth" && key == "client_secret") || (path == "email" && key == "password") { continue }  // better message below
            let qualified = path.isEmpty ? key : "\(path).\(key)"
            let hint = known.isEmpty ? "" : " (known keys here: \(known.joined(separator: ", ")))"
            throw error(value.keyLine, qualified, "unknown key\(hint)")
        }
    }

    // MARK: Values

    func string(_ located: LocatedTable, _ key: String) throws(ConfigurationError) -> String? {
        guard let value = located.table[key] else { return nil }
        guard case .string(let text) = value.kind else {
            throw error(value.line, "\(located.path).\(key)", "expected a string, got \(value.typeName)")
        }
        return text
    }

    func bool(_ located: LocatedTable, _ key: String) throws(ConfigurationError) -> Bool? {
        guard let value = located.table[key] else { return nil }
        guard case .boolean(let flag) = value.kind else {
            throw error(value.line, "\(located.path).\(key)", "expected true or false, got \(value.typeName)")
        }
        return flag
    }

    enum Pattern { case guid, tenantId, absolutePath }

    func requiredString(_ located: LocatedTable, _ key: String, pattern: Pattern) throws(ConfigurationError) -> String {
        let qualified = "\(located.path).\(key)"
        guard let text = try string(located, key) else {
            throw error(located.line, qualified, "missing required value")
        }
        let line = located.table[key]?.line
        switch pattern {
        case .guid:
            guard UUID(uuidString: text) != nil else { throw error(line, qualified, "expected a GUID such as 11111111-2222-3333-4444-555555555555") }
        case .tenantId:
            let allowed = text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
            guard !text.isEmpty, allowed else { throw error(line, qualified, "expected a tenant GUID or a verified domain such as contoso.onmicrosoft.com") }
        case .absolutePath:
            guard text.hasPrefix("/") else { throw error(line, qualified, "expected an absolute path") }
        }
        return text
    }

    func optionalPath(_ located: LocatedTable, _ key: String) throws(ConfigurationError) -> String? {
        guard let text = try string(located, key) else { return nil }
        guard text.hasPrefix("/") else { throw error(located.table[key]?.line, "\(located.path).\(key)", "expected an absolute path") }
        return text
    }

    func stringArray(_ located: LocatedTable, _ key: String) throws(ConfigurationError) -> [String]? {
        guard let value = located.table[key] else { return nil }
        guard case .array(let items) = value.kind else {
            throw error(value.line, "\(located.path).\(key)", "expected an array of strings, got \(value.typeName)")
        }
        var strings: [String] = []
        for item in items {
            guard case .string(let text) = item.kind else {
                throw error(item.line, "\(located.path).\(key)", "expected an array of strings, found \(item.typeName)")
            }
            strings.append(text)
        }
        return strings
    }

    /// HTTPS only, except plain HTTP to a loopback host (the emulator and tests).
    func url(_ located: LocatedTable, _ key: String, default fallback: URL) throws(ConfigurationError) -> URL {
        guard let text = try string(located, key) else { return fallback }
        let qualified = "\(located.path).\(key)"
        let line = located.table[key]?.line
        let (url, path) = try webURL(text, key: qualified, line: line, example: "https://graph.microsoft.com")
        guard path.isEmpty else {
            // "/v1.0" and the tenant are added by LeaverSweep; a path here would double them.
            throw error(line, qualified, "expected only scheme and host (and port), e.g. https://graph.microsoft.com; found path \"\(path)\"")
        }
        return url
    }

    /// An absolute URL without trailing slashes: HTTPS only, except plain HTTP to a loopback host (the emulator and
    /// tests), and never a query, fragment or credentials. Returns the URL and its path for the caller's own rules.
    func webURL(_ text: String, key: String, line: Int?, example: String) throws(ConfigurationError) -> (url: URL, path: String) {
        var trimmed = text
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty,
              let url = components.url else {
            throw error(line, key, "expected an absolute URL such as \(example)")
        }
        guard components.query == nil, components.fragment == nil, components.user == nil, components.password == nil else {
            throw error(line, key, "must not contain a query, fragment or credentials")
        }
        switch scheme {
        case "https":
            return (url, components.path)
        case "http" where LoopbackHost.isLoopback(host):
            return (url, components.path)
        case "http":
            throw error(line, key, "plain http:// is allowed only for loopback hosts (127.0.0.1, ::1, localhost); use https://")
        default:
            throw error(line, key, "unsupported scheme \"\(scheme)\"; use https://")
        }
    }

    func error(_ line: Int?, _ key: String?, _ message: String) -> ConfigurationError {
        ConfigurationError(file: file, line: line, key: key, message: message)
    }
}
