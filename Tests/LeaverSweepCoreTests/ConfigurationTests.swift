import Foundation
import Testing
@testable import LeaverSweepCore

private let valid = """
[tenant]
id = "contoso.onmicrosoft.com"
[auth]
client_id = "11111111-2222-3333-4444-555555555555"
client_secret_env = "LEAVERSWEEP_CLIENT_SECRET"
[state]
database = "/var/lib/leaversweep/state.sqlite"
[policy]
mode = "report"
exclude = ["breakglass@contoso.com", "0c1d2e3f-0000-0000-0000-000000000000"]
[report]
json = "/var/lib/leaversweep/report.json"
"""

private func parseError(_ text: String) -> ConfigurationError? {
    do {
        _ = try Configuration.parse(text, file: "config.toml")
        return nil
    } catch {
        return error
    }
}

@Suite struct ConfigurationTests {
    @Test func parsesTheDocumentedExampleWithDefaults() throws {
        let config = try Configuration.parse(valid)
        #expect(config.tenant.id == "contoso.onmicrosoft.com")
        #expect(config.auth.clientSecret == .environment(variable: "LEAVERSWEEP_CLIENT_SECRET"))
        #expect(config.auth.authority.absoluteString == "https://login.microsoftonline.com")
        #expect(config.graph.endpoint.absoluteString == "https://graph.microsoft.com")
        #expect(config.tokenScope == "https://graph.microsoft.com/.default")
        #expect(config.policy.mode == .report)
        #expect(config.policy.exclude.count == 2)
        #expect(config.report.json == "/var/lib/leaversweep/report.json")
    }

    @Test func acceptsASecretFileAndLoopbackHTTPForTheEmulator() throws {
        let text = valid
            .replacingOccurrences(of: #"client_secret_env = "LEAVERSWEEP_CLIENT_SECRET""#, with: #"client_secret_file = "/etc/leaversweep/secret""# + "\nauthority = \"http://127.0.0.1:8080\"")
            + "\n[graph]\nendpoint = \"http://[::1]:9000/\"\n"
        let config = try Configuration.parse(text)
        #expect(config.auth.clientSecret == .file(path: "/etc/leaversweep/secret"))
        #expect(config.auth.authority.absoluteString == "http://127.0.0.1:8080")
        #expect(config.tokenScope == "https://graph.microsoft.com/.default", "the emulator stands in for global Graph")
    }

    @Test(arguments: [
        // (replace, with, expected line, expected key, message fragment)
        ("mode = \"report\"", "mode = \"enforse\"", 9, "policy.mode", "expected \"enforce\" or \"report\""),
        ("mode = \"report\"", "mdoe = \"report\"", 9, "policy.mdoe", "unknown key"),
        ("mode = \"report\"", "mode = true", 9, "policy.mode", "expected a string, got boolean"),
        ("exclude = [\"breakglass@contoso.com\", \"0c1d2e3f-0000-0000-0000-000000000000\"]", "exclude = \"breakglass@contoso.com\"", 10, "policy.exclude", "expected an array of strings"),
        ("exclude = [\"breakglass@contoso.com\", \"0c1d2e3f-0000-0000-0000-000000000000\"]", "exclude = [\"a\", 7]", 10, "policy.exclude", "found integer"),
        ("client_id = \"11111111-2222-3333-4444-555555555555\"", "client_id = \"my-app\"", 4, "auth.client_id", "expected a GUID"),
        ("database = \"/var/lib/leaversweep/state.sqlite\"", "database = \"state.sqlite\"", 7, "state.database", "absolute path"),
    ])
    func namesTheKeyAndLineOfAWrongValue(replace: String, with: String, line: Int, key: String, fragment: String) throws {
        let error = try #require(parseError(valid.replacingOccurrences(of: replace, with: with)))
        #expect(error.line == line)
        #expect(error.key == key)
        #expect(error.description.contains(fragment), "\(error)")
        #expect(error.description.hasPrefix("config.toml:\(line): \(key): "))
    }

    @Test func refusesPlainHTTPToAnythingButLoopback() throws {
        let error = try #require(parseError(valid + "\n[graph]\nendpoint = \"http://graph.microsoft.com\"\n"))
        #expect(error.key == "graph.endpoint")
        #expect(error.line == 14)
        #expect(error.message.contains("loopback"))
    }

    @Test(arguments: ["https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/beta/"])
    func refusesAnEndpointWithAPathBecauseLeaverSweepAddsTheVersion(endpoint: String) throws {
        let error = try #require(parseError(valid + "\n[graph]\nendpoint = \"\(endpoint)\"\n"))
        #expect(error.key == "graph.endpoint")
        #expect(error.message.contains("found path"))
    }

    @Test func refusesASecretWrittenIntoTheConfigWithoutEchoingIt() throws {
        let text = valid.replacingOccurrences(of: "client_secret_env = \"LEAVERSWEEP_CLIENT_SECRET\"", with: "client_secret = \"hunter2-very-secret\"")
        let error = try #require(parseError(text))
        #expect(error.key == "auth.client_secret")
        #expect(!error.description.contains("hunter2"))
    }

    @Test func requiresExactlyOneSecretSource() throws {
        let none = valid.replacingOccurrences(of: "client_secret_env = \"LEAVERSWEEP_CLIENT_SECRET\"\n", with: "")
        #expect(try #require(parseError(none)).message.contains("missing client_secret_env or client_secret_file"))
        let both = valid.replacingOccurrences(of: "client_secret_env = \"LEAVERSWEEP_CLIENT_SECRET\"", with: "client_secret_env = \"X\"\nclient_secret_file = \"/s\"")
        #expect(try #require(parseError(both)).message.contains("not both"))
    }

    @Test func reportsMissingRequiredTables() throws {
        let error = try #require(parseError("[tenant]\nid = \"contoso.com\"\n"))
        #expect(error.key == "[auth]")
    }

    @Test func reportsUnknownTables() throws {
        let error = try #require(parseError(valid + "\n[emial]\nto = \"x\"\n"))
        #expect(error.key == "emial")
        #expect(error.line == 13)
    }

    @Test func reportsTOMLSyntaxErrorsWithTheirLine() throws {
        let error = try #require(parseError(valid.replacingOccurrences(of: "mode = \"report\"", with: "mode = \"report")))
        #expect(error.line == 9)
        #expect(error.description.contains("not valid TOML"))
    }

    // MARK: [email]

    static let email = """

    [email]
    smtp_url = "smtp://mail.contoso.com:587"
    username = "leaversweep@contoso.com"
    password_env = "LEAVERSWEEP_SMTP_PASSWORD"
    from = "LeaverSweep <leaversweep@contoso.com>"
    to = ["identity-admins@contoso.com"]
    """

    @Test func parsesTheEmailSectionWithSafeDefaults() throws {
        let config = try Configuration.parse(valid + Self.email)
        let email = try #require(config.email)
        #expect(email.startTLS == .required)
        #expect(email.send == .onDrift)
        #expect(email.password == .environment(variable: "LEAVERSWEEP_SMTP_PASSWORD"))
        #expect(email.from == MailAddress(displayName: "LeaverSweep", address: "leaversweep@contoso.com"))
        #expect(email.to.map(\.address) == ["identity-admins@contoso.com"])
        #expect(try Configuration.parse(valid).email == nil)
    }

    @Test(arguments: [
        ("smtp_url = \"smtp://mail.contoso.com:587\"", "smtp_url = \"http://mail.contoso.com\"", "email.smtp_url", "expected smtp://"),
        ("smtp_url = \"smtp://mail.contoso.com:587\"", "smtp_url = \"smtp://mail.contoso.com:25\"\nstarttls = \"off\"", "email.starttls", "only for a loopback"),
        ("from = \"LeaverSweep <leaversweep@contoso.com>\"", "from = \"LeaverSweep leaversweep@contoso.com\"", "email.from", "invalid part before the @"),
        ("to = [\"identity-admins@contoso.com\"]", "to = []", "email.to", "non-empty"),
        ("to = [\"identity-admins@contoso.com\"]", "to = [\"identity-admins@contoso.com\"]\nsend = \"daily\"", "email.send", "on_drift"),
        ("password_env = \"LEAVERSWEEP_SMTP_PASSWORD\"", "password = \"hunter2\"", "email.password", "not accepted"),
        ("username = \"leaversweep@contoso.com\"\n", "", "email.username", "no username"),
    ])
    func namesTheKeyOfAnEmailMistake(replace: String, with: String, key: String, fragment: String) throws {
        let error = try #require(parseError(valid + Self.email.replacingOccurrences(of: replace, with: with)))
        #expect(error.key == key, "\(error)")
        #expect(error.description.contains(fragment), "\(error)")
        #expect(error.line != nil)
        #expect(!error.description.contains("hunter2"))
    }

    // MARK: blast radius and grace

    @Test func parsesTheSafetyPolicyWithConservativeDefaults() throws {
        let defaults = try Configuration.parse(valid).policy
        #expect(defaults.maxActions == 1000)
        #expect(defaults.maxNewlyDisabledFraction == 0.05)
        #expect(defaults.deviceGrace == 0)
        let text = valid.replacingOccurrences(of: "mode = \"report\"", with: "mode = \"report\"\nmax_actions = 50\nmax_newly_disabled_fraction = 0.02\ndevice_grace = \"1d12h\"")
        let policy = try Configuration.parse(text).policy
        #expect(policy.maxActions == 50)
        #expect(policy.maxNewlyDisabledFraction == 0.02)
        #expect(policy.deviceGrace == 36 * 3600)
    }

    @Test(arguments: [
        ("max_actions = -1", "policy.max_actions"),
        ("max_actions = \"1000\"", "policy.max_actions"),
        ("max_newly_disabled_fraction = 5.0", "policy.max_newly_disabled_fraction"),
        ("device_grace = \"tomorrow\"", "policy.device_grace"),
        ("device_grace = 24", "policy.device_grace"),
    ])
    func namesTheKeyOfABadSafetySetting(line: String, key: String) throws {
        let error = try #require(parseError(valid.replacingOccurrences(of: "mode = \"report\"", with: "mode = \"report\"\n" + line)))
        #expect(error.key == key)
        #expect(error.line == 10)
    }

    @Test func excludedGroupsAreNamedByObjectIdBecauseNamesAreNotUnique() throws {
        let good = valid.replacingOccurrences(of: "mode = \"report\"", with: "mode = \"report\"\nexclude_groups = [\"6f9c1d2e-1111-2222-3333-444455556666\"]")
        #expect(try Configuration.parse(good).policy.excludeGroups == ["6f9c1d2e-1111-2222-3333-444455556666"])
        let byName = valid.replacingOccurrences(of: "mode = \"report\"", with: "mode = \"report\"\nexclude_groups = [\"Break Glass\"]")
        let error = try #require(parseError(byName))
        #expect(error.key == "policy.exclude_groups")
        #expect(error.message.contains("\"Break Glass\" is not one"))
    }
}
