import Foundation
import Testing
@testable import GraphEmulator

@Suite struct TokenEndpointTests {
    @Test func issuesBearerTokenForClientCredentials() throws {
        let harness = try Harness()
        let result = try harness.requestToken()
        #expect(result.status == 200)
        #expect(result.json["token_type"] as? String == "Bearer")
        #expect(result.json["expires_in"] as? Int == 3599)
        #expect(result.json["ext_expires_in"] as? Int == 3599)
        #expect((result.json["access_token"] as? String)?.isEmpty == false)
    }

    @Test func acceptsTenantGUIDAndHTTPBasicCredentials() throws {
        let harness = try Harness()
        let basic = Data("11111111-2222-3333-4444-555555555555:emulator-secret".utf8).base64EncodedString()
        let result = try harness.requestToken(
            form: "scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&grant_type=client_credentials",
            tenant: "9188040d-6c67-4c5b-b112-36a304b66dad", headers: ["Authorization": "Basic \(basic)"])
        #expect(result.status == 200)
        #expect(harness.emulator.recordedRequests().last?.tokenEndpoint == true)
    }

    struct Failure: CustomTestStringConvertible, Sendable {
        let name: String, tenant: String, form: String, status: Int, error: String, code: Int
        var testDescription: String { name }
    }

    static let failures: [Failure] = [
        Failure(name: "unknown tenant", tenant: "fabrikam.onmicrosoft.com", form: Harness.form, status: 400,
                error: "invalid_request", code: 90002),
        Failure(name: "wrong secret", tenant: "contoso.onmicrosoft.com",
                form: Harness.form.replacingOccurrences(of: "emulator-secret", with: "nope"), status: 401,
                error: "invalid_client", code: 7000215),
        Failure(name: "unknown client", tenant: "contoso.onmicrosoft.com",
                form: Harness.form.replacingOccurrences(of: "11111111-2222", with: "99999999-2222"), status: 400,
                error: "unauthorized_client", code: 700016),
        Failure(name: "scope without .default", tenant: "contoso.onmicrosoft.com",
                form: Harness.form.replacingOccurrences(of: "%2F.default", with: "%2FUser.Read.All"), status: 400,
                error: "invalid_scope", code: 1002012),
        Failure(name: "wrong grant type", tenant: "contoso.onmicrosoft.com",
                form: Harness.form.replacingOccurrences(of: "client_credentials", with: "password"), status: 400,
                error: "unsupported_grant_type", code: 70003),
    ]

    @Test(arguments: failures)
    func rejectsBadTokenRequestsLikeEntra(_ failure: Failure) throws {
        let harness = try Harness()
        let result = try harness.requestToken(form: failure.form, tenant: failure.tenant)
        #expect(result.status == failure.status)
        #expect(result.json["error"] as? String == failure.error)
        #expect(result.json["error_codes"] as? [Int] == [failure.code])
        #expect((result.json["error_description"] as? String)?.hasPrefix("AADSTS\(failure.code):") == true)
        #expect(result.json["trace_id"] is String && result.json["correlation_id"] is String && result.json["timestamp"] is String)
    }

    @Test func graphCallsWithoutValidTokenGet401() throws {
        let harness = try Harness()
        let missing = try harness.client.send("GET", "/v1.0/users")
        #expect(missing.status == 401)
        #expect(missing.errorCode == "InvalidAuthenticationToken")
        #expect(missing.errorMessage == "Access token is empty.")
        let bogus = try harness.graph("/v1.0/users", token: "not-a-token")
        #expect(bogus.status == 401)
        #expect(bogus.errorMessage == "Invalid token")
    }

    @Test func expiredTokenGets401UntilANewTokenIsFetched() throws {
        var options = EmulatorOptions()
        options.tokenLifetimeSeconds = 0
        let harness = try Harness(options: options)
        let result = try harness.graph("/v1.0/users", token: try harness.token())
        #expect(result.status == 401)
        #expect(result.errorCode == "InvalidAuthenticationToken")
        #expect(result.errorMessage == "Lifetime validation failed, the token is expired.")
    }

    @Test func expireTokensFaultInvalidatesThePresentedTokenForGood() throws {
        var options = EmulatorOptions()
        options.faults.expireTokensEveryNth = 3
        let harness = try Harness(options: options)
        let token = try harness.token()
        #expect(try harness.graph("/v1.0/users", token: token).status == 200)
        #expect(try harness.graph("/v1.0/users", token: token).status == 200)
        let expired = try harness.graph("/v1.0/users", token: token)
        #expect(expired.status == 401)
        #expect(expired.errorMessage == "Lifetime validation failed, the token is expired.")
        #expect(try harness.graph("/v1.0/users", token: token).status == 401)
        #expect(try harness.graph("/v1.0/users", token: try harness.token()).status == 200)
    }
}
