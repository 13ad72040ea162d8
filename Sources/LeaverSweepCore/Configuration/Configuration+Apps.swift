import Foundation

extension ConfigReader {
    static let scimAppKeys = ["name", "type", "base_url", "token_env", "token_file", "match", "deprovision", "owner", "notify_owner"]
    static let manualAppKeys = ["name", "type", "owner", "notify_owner", "since"]

    /// `[[apps]]`: each entry is checked against the keys of its `type`, and names must be unique, because the name
    /// is what `leaversweep ack` and the journal's action keys refer to.
    func apps(_ value: TOMLValue?, hasEmail: Bool) throws(ConfigurationError) -> [AppSettings] {
        guard let value else { return [] }
        guard case .array(let items) = value.kind else {
            throw error(value.keyLine, "apps", "expected [[apps]] tables, got \(value.typeName)")
        }
        var apps: [AppSettings] = []
        for (index, item) in items.enumerated() {
            guard case .table(let table) = item.kind else {
                throw error(item.line, "apps", "expected [[apps]] tables, found \(item.typeName)")
            }
            let located = LocatedTable(path: "apps[\(index + 1)]", table: table, line: item.keyLine)
            let app = try app(located, hasEmail: hasEmail)
            if let first = apps.first(where: { $0.name.lowercased() == app.name.lowercased() }) {
                throw error(table["name"]?.line, "\(located.path).name", "\"\(app.name)\" is already the name of another app (\"\(first.name)\"); names must be unique")
            }
            apps.append(app)
        }
        return apps
    }

    private func app(_ located: LocatedTable, hasEmail: Bool) throws(ConfigurationError) -> AppSettings {
        guard let name = try string(located, "name") else { throw error(located.line, "\(located.path).name", "missing required value") }
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        // The name is part of finding and action keys (joined with ':') and of the quoted `leaversweep ack` hint.
        guard !trimmed.isEmpty, trimmed.count <= 100, !name.contains(":"), !name.contains("\""),
              !name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw error(located.table["name"]?.line, "\(located.path).name", "expected a name of 1 to 100 characters without ':', '\"' or control characters")
        }
        let path = "\(located.path) (\(trimmed))"
        let type = try string(located, "type")
        let known: [String]
        switch type {
        case "scim": known = Self.scimAppKeys
        case "manual": known = Self.manualAppKeys
        default:
            throw error(located.table["type"]?.line ?? located.line, "\(path).type", "expected \"scim\" or \"manual\", got \(type.map { "\"\($0)\"" } ?? "nothing")")
        }
        for (key, value) in located.table.entries where !known.contains(key) {
            if key == "token" {
                throw error(value.keyLine, "\(path).token", "secrets are not accepted in the config file; set token_env or token_file")
            }
            throw error(value.keyLine, "\(path).\(key)", "unknown key for a \(type ?? "") app (known keys here: \(known.joined(separator: ", ")))")
        }
        var owner: MailAddress?
        if let text = try string(located, "owner") {
            do { owner = try MailAddress.parse(text) } catch {
                throw self.error(located.table["owner"]?.line, "\(path).owner", "\(error)")
            }
        }
        let notifyOwner = try bool(located, "notify_owner") ?? false
        if notifyOwner && owner == nil {
            throw error(located.table["notify_owner"]?.line, "\(path).notify_owner", "notify_owner = true needs an owner address")
        }
        if notifyOwner && !hasEmail {
            throw error(located.table["notify_owner"]?.line, "\(path).notify_owner", "notify_owner = true needs an [email] section to send with")
        }
        if type == "manual" {
            guard owner != nil else {
                throw error(located.line, "\(path).owner", "a manual app needs an owner: the address of whoever deprovisions its accounts")
            }
            return AppSettings(name: trimmed, kind: .manual, owner: owner, notifyOwner: notifyOwner, since: try since(located, path: path))
        }
        let located = LocatedTable(path: path, table: located.table, line: located.line)
        let settings = SCIMAppSettings(
            baseURL: try scimBaseURL(located),
            token: try token(located),
            match: try match(located),
            deprovision: try bool(located, "deprovision") ?? false
        )
        return AppSettings(name: trimmed, kind: .scim(settings), owner: owner, notifyOwner: notifyOwner)
    }

    /// `since = 2026-11-01` (a TOML date) or `"2026-11-01"`; midnight UTC of that day.
    private func since(_ located: LocatedTable, path: String) throws(ConfigurationError) -> Date? {
        guard let value = located.table["since"] else { return nil }
        let text: String
        switch value.kind {
        case .datetime(let literal), .string(let literal): text = literal
        default: throw error(value.line, "\(path).since", "expected a date such as 2026-11-01, got \(value.typeName)")
        }
        let day = String(text.prefix(10))
        guard day.count == 10, let date = GraphTimestamp.parse(day + "T00:00:00Z") else {
            throw error(value.line, "\(path).since", "expected a date such as 2026-11-01, got \"\(text)\"")
        }
        return date
    }

    private func match(_ located: LocatedTable) throws(ConfigurationError) -> AppAccountMatch {
        let text = try string(located, "match") ?? "userName"
        guard let match = AppAccountMatch(rawValue: text) else {
            throw error(located.table["match"]?.line, "\(located.path).match", "expected \"userName\", \"externalId\" or \"email\", got \"\(text)\"")
        }
        return match
    }

    private func token(_ located: LocatedTable) throws(ConfigurationError) -> SecretSource {
        switch (try string(located, "token_env"), try string(located, "token_file")) {
        case let (name?, nil):
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw error(located.table["token_env"]?.line, "\(located.path).token_env", "expected an environment variable name such as \"LEAVERSWEEP_SCIM_SERVICENOW\"")
            }
            return .environment(variable: name)
        case let (nil, path?):
            guard path.hasPrefix("/") else { throw error(located.table["token_file"]?.line, "\(located.path).token_file", "expected an absolute path") }
            return .file(path: path)
        case (.some, .some):
            throw error(located.table["token_file"]?.line, located.path, "set token_env or token_file, not both")
        case (nil, nil):
            throw error(located.line, located.path, "missing token_env or token_file (the app's SCIM bearer token)")
        }
    }

    /// HTTPS (or plain HTTP to loopback), usually with a path (`…/scim/v2`); no query, fragment or credentials.
    private func scimBaseURL(_ located: LocatedTable) throws(ConfigurationError) -> URL {
        let key = "\(located.path).base_url"
        let line = located.table["base_url"]?.line
        guard let text = try string(located, "base_url") else { throw error(located.line, key, "missing required value") }
        let (url, path) = try webURL(text, key: key, line: line, example: "https://contoso.service-now.com/api/now/scim")
        if path.lowercased().hasSuffix("/users") {
            throw error(line, key, "expected the SCIM base URL without /Users (LeaverSweep adds it)")
        }
        return url
    }
}
