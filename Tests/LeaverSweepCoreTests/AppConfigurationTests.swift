import Foundation
import Testing
@testable import LeaverSweepCore

/// A complete config without apps; each test appends its `[[apps]]` (and, when it needs one, `[email]`).
private let base = """
[tenant]
id = "contoso.onmicrosoft.com"
[auth]
client_id = "11111111-2222-3333-4444-555555555555"
client_secret_env = "LEAVERSWEEP_CLIENT_SECRET"
[state]
database = "/var/lib/leaversweep/state.sqlite"
[policy]
mode = "report"
[report]
json = "/var/lib/leaversweep/report.json"
"""

private let emailSection = """
[email]
smtp_url = "smtp://mail.contoso.com:587"
from = "LeaverSweep <leaversweep@contoso.com>"
to = ["identity-admins@contoso.com"]
"""

private let serviceNow = """
[[apps]]
name = "ServiceNow"
type = "scim"
base_url = "https://contoso.service-now.com/api/now/scim"
token_env = "LEAVERSWEEP_SCIM_SERVICENOW"
"""

private let payroll = """
[[apps]]
name = "Legacy Payroll"
type = "manual"
owner = "payroll-admins@contoso.com"
"""

private func config(_ apps: String, withEmail: Bool = false) -> String {
    base + "\n" + (withEmail ? emailSection + "\n" : "") + apps + "\n"
}

private func parseError(_ text: String) -> ConfigurationError? {
    do {
        _ = try Configuration.parse(text, file: "config.toml")
        return nil
    } catch {
        return error
    }
}

/// The 1-based line of the first line containing `fragment`: errors must point at it.
private func line(of fragment: String, in text: String) -> Int? {
    text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(fragment) }.map { $0 + 1 }
}

/// One mistake in `[[apps]]`, the line (found by a fragment of it) and key the error must name, and a piece of its message.
struct AppConfigMistake: Sendable, CustomTestStringConvertible {
    var label: String
    var apps: String
    var withEmail = false
    /// Top-level keys, which TOML only allows before the first `[table]`.
    var topLevel = ""
    var lineOf: String
    var key: String
    var fragment: String

    var text: String { topLevel + config(apps, withEmail: withEmail) }
    var testDescription: String { label }
}

@Suite struct AppConfigurationTests {
    // MARK: Valid configs

    @Test func aConfigWithoutAppsHasNone() throws {
        #expect(try Configuration.parse(base).apps.isEmpty)
    }

    @Test func parsesAScimAppWithSafeDefaults() throws {
        let apps = try Configuration.parse(config(serviceNow)).apps
        #expect(apps == [AppSettings(
            name: "ServiceNow",
            kind: .scim(SCIMAppSettings(
                baseURL: URL(string: "https://contoso.service-now.com/api/now/scim")!,
                token: .environment(variable: "LEAVERSWEEP_SCIM_SERVICENOW"),
                match: .userName, deprovision: false
            )),
            owner: nil, notifyOwner: false
        )])
        #expect(apps.first?.isManual == false)
    }

    @Test func parsesAManualAppWithItsOwner() throws {
        let app = try #require(try Configuration.parse(config(payroll)).apps.first)
        #expect(app.name == "Legacy Payroll")
        #expect(app.kind == .manual)
        #expect(app.isManual)
        #expect(app.scim == nil)
        #expect(app.owner == MailAddress(address: "payroll-admins@contoso.com"))
        #expect(app.notifyOwner == false)
    }

    @Test func parsesSeveralAppsInFileOrderWithTheirOwnSettings() throws {
        let apps = """
        [[apps]]
        name = "Workday"
        type = "scim"
        base_url = "https://wd.example.com/scim/v2/"
        token_file = "/etc/leaversweep/workday-token"
        match = "externalId"
        deprovision = true
        owner = "HR Systems <hr-systems@contoso.com>"
        notify_owner = true
        \(payroll)
        notify_owner = true
        [[apps]]
        name = "Test SCIM"
        type = "scim"
        base_url = "http://127.0.0.1:8080"
        token_env = "SCIM_TOKEN"
        match = "email"
        """
        let parsed = try Configuration.parse(config(apps, withEmail: true)).apps
        #expect(parsed.map(\.name) == ["Workday", "Legacy Payroll", "Test SCIM"])

        let workday = try #require(parsed[0].scim)
        #expect(workday.baseURL.absoluteString == "https://wd.example.com/scim/v2", "trailing slash dropped: LeaverSweep appends /Users")
        #expect(workday.token == .file(path: "/etc/leaversweep/workday-token"))
        #expect(workday.match == .externalId)
        #expect(workday.deprovision)
        #expect(parsed[0].owner == MailAddress(displayName: "HR Systems", address: "hr-systems@contoso.com"))
        #expect(parsed[0].notifyOwner)

        #expect(parsed[1].isManual)
        #expect(parsed[1].notifyOwner)

        let loopback = try #require(parsed[2].scim)
        #expect(loopback.baseURL.absoluteString == "http://127.0.0.1:8080", "plain http is fine for a loopback test server")
        #expect(loopback.match == .email)
        #expect(loopback.deprovision == false)
    }

    @Test(arguments: ["http://localhost:9000/scim/v2", "http://[::1]:9000", "HTTP://127.0.0.1:9000/"])
    func acceptsPlainHTTPToALoopbackTestServer(baseURL: String) throws {
        let text = config(serviceNow.replacingOccurrences(of: "https://contoso.service-now.com/api/now/scim", with: baseURL))
        let scim = try #require(try Configuration.parse(text).apps.first?.scim)
        #expect(scim.baseURL.absoluteString.hasSuffix("/") == false)
        #expect(scim.baseURL.host.map(LoopbackHost.isLoopback) == true)
    }

    @Test func acceptsAppsWrittenAsAnInlineArrayOfTables() throws {
        let apps = #"apps = [{ name = "Legacy Payroll", type = "manual", owner = "payroll-admins@contoso.com" }]"#
        // A top-level key must come before the first [table] header, so this goes first.
        let parsed = try Configuration.parse(apps + "\n" + base).apps
        #expect(parsed.map(\.name) == ["Legacy Payroll"])
    }

    @Test func trimsTheNameThatReportsAndAckUse() throws {
        let text = config(payroll.replacingOccurrences(of: #"name = "Legacy Payroll""#, with: #"name = "  Legacy Payroll ""#))
        #expect(try Configuration.parse(text).apps.map(\.name) == ["Legacy Payroll"])
    }

    // MARK: Mistakes

    static let mistakes: [AppConfigMistake] = [
        AppConfigMistake(
            label: "unknown type",
            apps: serviceNow.replacingOccurrences(of: #"type = "scim""#, with: #"type = "ldap""#),
            lineOf: #"type = "ldap""#, key: "apps[1] (ServiceNow).type", fragment: #"expected "scim" or "manual", got "ldap""#),
        AppConfigMistake(
            label: "missing type",
            apps: serviceNow.replacingOccurrences(of: "type = \"scim\"\n", with: ""),
            lineOf: "[[apps]]", key: "apps[1] (ServiceNow).type", fragment: "got nothing"),
        AppConfigMistake(
            label: "type that is not a string",
            apps: serviceNow.replacingOccurrences(of: #"type = "scim""#, with: "type = 1"),
            lineOf: "type = 1", key: "apps[1].type", fragment: "expected a string, got integer"),
        AppConfigMistake(
            label: "missing name",
            apps: serviceNow.replacingOccurrences(of: "name = \"ServiceNow\"\n", with: ""),
            lineOf: "[[apps]]", key: "apps[1].name", fragment: "missing required value"),
        AppConfigMistake(
            label: "blank name",
            apps: serviceNow.replacingOccurrences(of: #"name = "ServiceNow""#, with: #"name = "   ""#),
            lineOf: "name = ", key: "apps[1].name", fragment: "1 to 100 characters"),
        AppConfigMistake(
            label: "match on a manual app",
            apps: payroll + "\nmatch = \"email\"",
            lineOf: "match = ", key: "apps[1] (Legacy Payroll).match", fragment: "unknown key for a manual app"),
        AppConfigMistake(
            label: "base_url on a manual app",
            apps: payroll + "\nbase_url = \"https://payroll.contoso.com/scim\"",
            lineOf: "base_url = ", key: "apps[1] (Legacy Payroll).base_url", fragment: "known keys here: name, type, owner, notify_owner"),
        AppConfigMistake(
            label: "misspelt key on a SCIM app",
            apps: serviceNow + "\ndeprovison = true",
            lineOf: "deprovison", key: "apps[1] (ServiceNow).deprovison", fragment: "unknown key for a scim app"),
        AppConfigMistake(
            label: "token_env and token_file",
            apps: serviceNow + "\ntoken_file = \"/etc/leaversweep/servicenow-token\"",
            lineOf: "token_file = ", key: "apps[1] (ServiceNow)", fragment: "set token_env or token_file, not both"),
        AppConfigMistake(
            label: "no token source",
            apps: serviceNow.replacingOccurrences(of: "token_env = \"LEAVERSWEEP_SCIM_SERVICENOW\"", with: ""),
            lineOf: "[[apps]]", key: "apps[1] (ServiceNow)", fragment: "missing token_env or token_file"),
        AppConfigMistake(
            label: "token_env that is not a variable name",
            apps: serviceNow.replacingOccurrences(of: "LEAVERSWEEP_SCIM_SERVICENOW", with: "$SCIM TOKEN"),
            lineOf: "token_env = ", key: "apps[1] (ServiceNow).token_env", fragment: "expected an environment variable name"),
        AppConfigMistake(
            label: "relative token_file",
            apps: serviceNow.replacingOccurrences(of: "token_env = \"LEAVERSWEEP_SCIM_SERVICENOW\"", with: "token_file = \"secrets/token\""),
            lineOf: "token_file = ", key: "apps[1] (ServiceNow).token_file", fragment: "expected an absolute path"),
        AppConfigMistake(
            label: "missing base_url",
            apps: serviceNow.replacingOccurrences(of: "base_url = \"https://contoso.service-now.com/api/now/scim\"\n", with: ""),
            lineOf: "[[apps]]", key: "apps[1] (ServiceNow).base_url", fragment: "missing required value"),
        AppConfigMistake(
            label: "plain http to a remote host",
            apps: serviceNow.replacingOccurrences(of: "https://contoso.service-now.com", with: "http://contoso.service-now.com"),
            lineOf: "base_url = ", key: "apps[1] (ServiceNow).base_url", fragment: "plain http:// is allowed only for loopback hosts"),
        AppConfigMistake(
            label: "plain http to a host that only starts like loopback",
            apps: serviceNow.replacingOccurrences(of: "https://contoso.service-now.com", with: "http://127.0.0.1.evil.example"),
            lineOf: "base_url = ", key: "apps[1] (ServiceNow).base_url", fragment: "only for loopback hosts"),
        AppConfigMistake(
            label: "an unsupported scheme",
            apps: serviceNow.replacingOccurrences(of: "https://contoso.service-now.com", with: "ftp://contoso.service-now.com"),
            lineOf: "base_url = ", key: "apps[1] (ServiceNow).base_url", fragment: #"unsupported scheme "ftp""#),
        AppConfigMistake(
            label: "base_url ending in /Users",
            apps: serviceNow.replacingOccurrences(of: "/api/now/scim", with: "/api/now/scim/Users"),
            lineOf: "base_url = ", key: "apps[1] (ServiceNow).base_url", fragment: "without /Users"),
        AppConfigMistake(
            label: "base_url ending in /users/ (any case, trailing slash)",
            apps: serviceNow.replacingOccurrences(of: "/api/now/scim", with: "/scim/v2/users/"),
            lineOf: "base_url = ", key: "apps[1] (ServiceNow).base_url", fragment: "without /Users"),
        AppConfigMistake(
            label: "base_url with a query",
            apps: serviceNow.replacingOccurrences(of: "/api/now/scim", with: "/api/now/scim?sysparm=1"),
            lineOf: "base_url = ", key: "apps[1] (ServiceNow).base_url", fragment: "must not contain a query, fragment or credentials"),
        AppConfigMistake(
            label: "base_url with a fragment",
            apps: serviceNow.replacingOccurrences(of: "/api/now/scim", with: "/api/now/scim#v2"),
            lineOf: "base_url = ", key: "apps[1] (ServiceNow).base_url", fragment: "must not contain a query, fragment or credentials"),
        AppConfigMistake(
            label: "base_url with a user name only",
            apps: serviceNow.replacingOccurrences(of: "https://contoso", with: "https://scim-admin@contoso"),
            lineOf: "base_url = ", key: "apps[1] (ServiceNow).base_url", fragment: "must not contain a query, fragment or credentials"),
        AppConfigMistake(
            label: "base_url that is not absolute",
            apps: serviceNow.replacingOccurrences(of: "https://contoso.service-now.com/api/now/scim", with: "contoso.service-now.com/api/now/scim"),
            lineOf: "base_url = ", key: "apps[1] (ServiceNow).base_url", fragment: "expected an absolute URL"),
        AppConfigMistake(
            label: "duplicate name differing only in case",
            apps: serviceNow + "\n" + serviceNow.replacingOccurrences(of: #"name = "ServiceNow""#, with: #"name = "servicenow""#),
            lineOf: #"name = "servicenow""#, key: "apps[2].name", fragment: #""servicenow" is already the name of another app ("ServiceNow")"#),
        AppConfigMistake(
            label: "duplicate name across types",
            apps: payroll + "\n" + serviceNow.replacingOccurrences(of: #"name = "ServiceNow""#, with: #"name = "LEGACY PAYROLL""#),
            lineOf: #"name = "LEGACY PAYROLL""#, key: "apps[2].name", fragment: "names must be unique"),
        AppConfigMistake(
            label: "manual app without owner",
            apps: payroll.replacingOccurrences(of: "owner = \"payroll-admins@contoso.com\"", with: ""),
            lineOf: "[[apps]]", key: "apps[1] (Legacy Payroll).owner", fragment: "a manual app needs an owner"),
        AppConfigMistake(
            label: "owner that is not an address",
            apps: payroll.replacingOccurrences(of: "payroll-admins@contoso.com", with: "payroll admins"),
            lineOf: "owner = ", key: "apps[1] (Legacy Payroll).owner", fragment: "is not a mail address: it has no @"),
        AppConfigMistake(
            label: "owner with a header-injecting line break",
            apps: payroll.replacingOccurrences(of: "payroll-admins@contoso.com", with: #"payroll-admins@contoso.com\r\nBcc: all@contoso.com"#),
            lineOf: "owner = ", key: "apps[1] (Legacy Payroll).owner", fragment: "line break"),
        AppConfigMistake(
            label: "notify_owner without owner",
            apps: serviceNow + "\nnotify_owner = true", withEmail: true,
            lineOf: "notify_owner = ", key: "apps[1] (ServiceNow).notify_owner", fragment: "needs an owner address"),
        AppConfigMistake(
            label: "notify_owner without an [email] section",
            apps: payroll + "\nnotify_owner = true",
            lineOf: "notify_owner = ", key: "apps[1] (Legacy Payroll).notify_owner", fragment: "needs an [email] section"),
        AppConfigMistake(
            label: "bad match value",
            apps: serviceNow + "\nmatch = \"upn\"",
            lineOf: "match = ", key: "apps[1] (ServiceNow).match", fragment: #"expected "userName", "externalId" or "email", got "upn""#),
        AppConfigMistake(
            label: "match in the wrong case",
            apps: serviceNow + "\nmatch = \"username\"",
            lineOf: "match = ", key: "apps[1] (ServiceNow).match", fragment: #"got "username""#),
        AppConfigMistake(
            label: "non-boolean deprovision",
            apps: serviceNow + "\ndeprovision = \"yes\"",
            lineOf: "deprovision = ", key: "apps[1] (ServiceNow).deprovision", fragment: "expected true or false, got string"),
        AppConfigMistake(
            label: "[apps] as a plain table",
            apps: serviceNow.replacingOccurrences(of: "[[apps]]", with: "[apps]"),
            lineOf: "[apps]", key: "apps", fragment: "expected [[apps]] tables, got table"),
        AppConfigMistake(
            label: "apps as a string",
            apps: "", topLevel: "apps = \"ServiceNow\"\n",
            lineOf: "apps = ", key: "apps", fragment: "expected [[apps]] tables, got string"),
    ]

    @Test(arguments: mistakes)
    func namesTheFileLineAndKeyOfAnAppMistake(_ mistake: AppConfigMistake) throws {
        let text = mistake.text
        let error = try #require(parseError(text), "accepted: \(mistake.label)")
        let expectedLine = try #require(line(of: mistake.lineOf, in: text))
        #expect(error.key == mistake.key, "\(error)")
        #expect(error.line == expectedLine, "\(error)")
        #expect(error.description.hasPrefix("config.toml:\(expectedLine): \(mistake.key): "), "\(error)")
        #expect(error.message.contains(mistake.fragment), "\(error)")
    }

    @Test func refusesABearerTokenWrittenIntoTheConfigWithoutEchoingIt() throws {
        let secret = "scim-bearer-7f3a9c-DO-NOT-LOG"
        let text = config(serviceNow.replacingOccurrences(of: "token_env = \"LEAVERSWEEP_SCIM_SERVICENOW\"", with: "token = \"\(secret)\""))
        let error = try #require(parseError(text))
        #expect(error.key == "apps[1] (ServiceNow).token")
        #expect(error.line == line(of: "token = ", in: text))
        #expect(error.message.contains("secrets are not accepted in the config file"))
        #expect(error.message.contains("token_env or token_file"))
        #expect(!error.description.contains(secret))
        #expect(!error.description.contains("7f3a9c"))
    }

    @Test func refusesATokenEvenNextToAValidTokenSource() throws {
        // With token_env also set the secret is still sitting in the file, readable by whoever reads the config.
        let text = config(serviceNow + "\ntoken = \"hunter2-scim\"")
        let error = try #require(parseError(text))
        #expect(error.key == "apps[1] (ServiceNow).token")
        #expect(!error.description.contains("hunter2"))
    }

    @Test func doesNotEchoCredentialsInTheBaseURL() throws {
        let text = config(serviceNow.replacingOccurrences(of: "https://contoso", with: "https://admin:hunter2-pw@contoso"))
        let error = try #require(parseError(text))
        #expect(error.key == "apps[1] (ServiceNow).base_url")
        #expect(error.message.contains("credentials"))
        #expect(!error.description.contains("hunter2"))
    }

    @Test func anUnknownKeyInTheSecondAppNamesThatApp() throws {
        let text = config(serviceNow + "\n" + payroll + "\ndeprovision = true")
        let error = try #require(parseError(text))
        #expect(error.key == "apps[2] (Legacy Payroll).deprovision")
        #expect(error.line == line(of: "deprovision = ", in: text))
    }

    @Test func notifyOwnerOfFalseNeedsNeitherOwnerNorEmail() throws {
        let app = try #require(try Configuration.parse(config(serviceNow + "\nnotify_owner = false")).apps.first)
        #expect(app.notifyOwner == false)
        #expect(app.owner == nil)
    }

    // MARK: [policy] app keys

    @Test func appRemovalIsOffAndProvisioningChecksAreOnByDefault() throws {
        let policy = try Configuration.parse(base).policy
        #expect(policy.removeAppRoleAssignments == false)
        #expect(policy.removeUserConsentGrants == false)
        #expect(policy.checkProvisioning == true)
    }

    @Test func readsThePolicysAppKeys() throws {
        let text = base.replacingOccurrences(of: "mode = \"report\"", with: """
        mode = "report"
        remove_app_role_assignments = true
        remove_user_consent_grants = true
        check_provisioning = false
        """)
        let policy = try Configuration.parse(text).policy
        #expect(policy.removeAppRoleAssignments)
        #expect(policy.removeUserConsentGrants)
        #expect(policy.checkProvisioning == false)
    }

    @Test(arguments: [
        ("remove_app_role_assignments = \"yes\"", "policy.remove_app_role_assignments", "got string"),
        ("remove_user_consent_grants = 1", "policy.remove_user_consent_grants", "got integer"),
        ("check_provisioning = \"false\"", "policy.check_provisioning", "got string"),
    ])
    func namesTheKeyOfANonBooleanPolicySwitch(setting: String, key: String, fragment: String) throws {
        let text = base.replacingOccurrences(of: "mode = \"report\"", with: "mode = \"report\"\n" + setting)
        let error = try #require(parseError(text))
        #expect(error.key == key)
        #expect(error.line == 10)
        #expect(error.description.hasPrefix("config.toml:10: \(key): expected true or false, \(fragment)"), "\(error)")
    }
}
