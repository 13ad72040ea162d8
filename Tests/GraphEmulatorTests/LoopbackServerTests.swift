import Foundation
import Testing
@testable import GraphEmulator

@Suite struct LoopbackServerTests {
    @Test func refusesToBindNonLoopbackAddresses() {
        let emulator = GraphEmulator(tenant: EmulatedTenant())
        #expect(throws: LoopbackServerError.self) { try emulator.start(host: "0.0.0.0") }
        #expect(throws: LoopbackServerError.self) { try emulator.start(host: "192.168.1.10") }
    }

    @Test func keepAliveServesManyRequestsOnOneConnection() throws {
        let harness = try Harness()
        let token = try harness.token()
        for _ in 0..<20 { #expect(try harness.graph("/v1.0/users?$top=1", token: token).status == 200) }
    }

    @Test func answersExpect100ContinueBeforeTheBody() throws {
        let harness = try Harness()
        let form = Harness.form
        let head = "POST /contoso.onmicrosoft.com/oauth2/v2.0/token HTTP/1.1\r\nHost: x\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nExpect: 100-continue\r\nContent-Length: \(form.utf8.count)\r\n\r\n"
        let interim = try harness.client.raw(head, until: "\r\n\r\n")
        #expect(interim.hasPrefix("HTTP/1.1 100 Continue"))
        let final = try harness.client.raw(form, until: "access_token")
        #expect(final.hasPrefix("HTTP/1.1 200 OK"))
    }

    @Test func acceptsChunkedRequestBodies() throws {
        let harness = try Harness()
        let token = try harness.token()
        let body = #"{"accountEnabled":false}"#
        let split = body.index(body.startIndex, offsetBy: 10)
        let first = String(body[..<split]), second = String(body[split...])
        let request = "PATCH /v1.0/devices/\(Fixture.bobWindows) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + "\(String(first.utf8.count, radix: 16))\r\n\(first)\r\n\(String(second.utf8.count, radix: 16))\r\n\(second)\r\n0\r\n\r\n"
        let response = try harness.client.raw(request)
        #expect(response.hasPrefix("HTTP/1.1 204"))
        #expect(harness.emulator.recordedWrites().last?.body == body)
    }

    @Test func controlEndpointsExposeRecordingFaultsAndManifest() throws {
        let (tenant, manifest) = TenantGenerator.generate(TenantSpec(users: 50, now: Date()))
        let harness = try Harness(tenant: tenant)
        harness.emulator.setManifest(manifest)
        _ = try harness.token()
        let requests = try harness.client.send("GET", "/_emulator/requests")
        let list = try #require(try JSONSerialization.jsonObject(with: requests.body) as? [[String: Any]])
        #expect(list.count == 1 && list[0]["tokenEndpoint"] as? Bool == true)
        let set = try harness.client.send("POST", "/_emulator/faults", body: #"{"throttleEveryNth": 1, "retryAfterSeconds": 2}"#)
        #expect(set.status == 200)
        #expect(try harness.graph("/v1.0/users", token: try harness.token()).status == 429)
        let served = try harness.client.send("GET", "/_emulator/manifest").json
        #expect(Set(served["expectedRevocations"] as? [String] ?? []) == manifest.expectedRevocations)
    }
}
