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
        "": ["tenant", "auth", "graph", "state", "policy", "report"],
        "tenant": ["id"],
        "auth": ["client_id", "client_secret_env", "client_secret_file", "authority"],
        "graph": ["endpoint"],
        "state": ["database"],
        "policy": ["mode", "exclude"],
        "report": ["json"],
    ]

    mutating func configuration(from root: TOMLTable) throws(ConfigurationError) -> Configuration {
        try checkKeys(root, path: "")
        let tenant = try table(root, "tenant", required: true)
        let auth = try table(root, "auth", required: true)
        let graph = try table(root, "graph", required: false)
        let state = try table(root, "state", required: true)
        let policy = try table(root, "policy", required: false)
        let report = try table(root, "report", required: false)

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

        return Configuration(
            tenant: .init(id: try requiredString(tenant, "id", pattern: .tenantId)),
            auth: .init(
                clientId: try requiredString(auth, "client_id", pattern: .guid),
                clientSecret: secret,
                authority: try url(auth, "authority", default: Configuration.defaultAuthority)
            ),
            graph: .init(endpoint: try url(graph, "endpoint", default: Configuration.defaultGraphEndpoint)),
            state: .init(database: try requiredString(state, "database", pattern: .absolutePath)),
            policy: .init(mode: mode, exclude: try stringArray(policy, "exclude") ?? []),
            report: .init(json: try optionalPath(report, "json"))
        )
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
            if path == "auth", key == "client_secret" { continue }  // reported with a better message above
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
        var trimmed = text
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty,
              let url = components.url else {
            throw error(line, qualified, "expected an absolute URL such as https://graph.microsoft.com")
        }
        guard components.query == nil, components.fragment == nil, components.user == nil else {
            throw error(line, qualified, "must not contain a query, fragment or credentials")
        }
        guard components.path.isEmpty else {
            // "/v1.0" and the tenant are added by LeaverSweep; a path here would double them.
            throw error(line, qualified, "expected only scheme and host (and port), e.g. https://graph.microsoft.com; found path \"\(components.path)\"")
        }
        switch scheme {
        case "https":
            return url
        case "http" where LoopbackHost.isLoopback(host):
            return url
        case "http":
            throw error(line, qualified, "plain http:// is allowed only for loopback hosts (127.0.0.1, ::1, localhost); use https://")
        default:
            throw error(line, qualified, "unsupported scheme \"\(scheme)\"; use https://")
        }
    }

    func error(_ line: Int?, _ key: String?, _ message: String) -> ConfigurationError {
        ConfigurationError(file: file, line: line, key: key, message: message)
    }
}
