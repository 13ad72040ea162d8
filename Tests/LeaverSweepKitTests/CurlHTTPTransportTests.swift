import Foundation
import Testing
@testable import LeaverSweepKit

/// Runs `Fixtures/http_test_server.py` on 127.0.0.1 for one test. Nothing here contacts another host.
private final class LoopbackTestServer {
    private let process = Process()
    /// Kept open while the server runs; the script exits when it closes, even if `stop()` is never reached.
    private let stdin = Pipe()
    private(set) var port = 0

    /// `arguments`: optionally a certificate and key path, to serve HTTPS.
    init(arguments: [String] = []) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/http_test_server.py")
        let stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path] + arguments
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            stop()
            throw TestServerFailedToStart()
        }
        self.port = port
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Closing stdin alone stops the server; SIGTERM is the backup.
    func stop() {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

private struct TestServerFailedToStart: Error {}

/// What the server's echo endpoint saw.
private struct Echo: Decodable {
    var method: String
    var headers: [[String]]
    var body: String
    var client_port: Int

    func header(_ name: String) -> String? {
        headers.first { $0[0].lowercased() == name.lowercased() }?[1]
    }

    init(_ response: HTTPResponse) throws {
        self = try JSONDecoder().decode(Echo.self, from: response.body)
    }
}

@Suite struct CurlHTTPTransportTests {
    @Test func getReachesTheServerWithItsHeadersAndNoBody() throws {
        let server = try LoopbackTestServer()
        defer { server.stop() }
        let transport = try CurlHTTPTransport()

        let response = try transport.perform(HTTPRequest(method: "GET", url: server.url("/echo?$skiptoken=abc"),
                                                         headers: [("X-Test", "one"), ("X-Empty", "")]))

        #expect(response.status == 200)
        let echo = try Echo(response)
        #expect(echo.method == "GET")
        #expect(echo.header("X-Test") == "one")
        #expect(echo.header("X-Empty") == "")
        #expect(echo.header("User-Agent") == "LeaverSweep/0.1")
        #expect(echo.header("Content-Length") == nil)
        #expect(echo.body.isEmpty)
    }

    @Test(arguments: ["POST", "PATCH", "PUT", "DELETE"])
    func bodyMethodsArriveWithMethodHeadersAndBody(method: String) throws {
        let server = try LoopbackTestServer()
        defer { server.stop() }
        let transport = try CurlHTTPTransport()
        let body = #"{"accountEnabled":false}"#

        let response = try transport.perform(HTTPRequest(method: method, url: server.url("/echo"),
                                                         headers: [("Content-Type", "application/json")], body: Data(body.utf8)))

        let echo = try Echo(response)
        #expect(echo.method == method)
        #expect(echo.body == body)
        #expect(echo.header("Content-Type") == "application/json")
        #expect(echo.header("Expect") == nil)
    }

    @Test func bodylessPostSendsZeroLengthAndNoFormContentType() throws {
        let server = try LoopbackTestServer()
        defer { server.stop() }
        let transport = try CurlHTTPTransport()

        let echo = try Echo(transport.perform(HTTPRequest(method: "POST", url: server.url("/users/u1/revokeSignInSessions"))))

        #expect(echo.method == "POST")
        #expect(echo.header("Content-Length") == "0")
        #expect(echo.header("Content-Type") == nil)
    }

    @Test func getAfterPostOnTheSameTransportIsAPlainGetOverTheSameConnection() throws {
        let server = try LoopbackTestServer()
        defer { server.stop() }
        let transport = try CurlHTTPTransport()

        let post = try Echo(transport.perform(HTTPRequest(method: "PATCH", url: server.url("/echo"), body: Data("payload".utf8))))
        let get = try Echo(transport.perform(HTTPRequest(method: "GET", url: server.url("/echo"))))
        let delete = try Echo(transport.perform(HTTPRequest(method: "DELETE", url: server.url("/echo"))))

        #expect(post.method == "PATCH")
        #expect(get.method == "GET")
        #expect(get.body.isEmpty)
        #expect(get.header("Content-Length") == nil)
        #expect(get.header("Content-Type") == nil)
        #expect(delete.method == "DELETE")
        #expect(delete.body.isEmpty)
        #expect(get.client_port == post.client_port, "keep-alive: the reused handle should reuse its connection")
    }

    @Test func statusAndHeadersComeBackCaseInsensitively() throws {
        let server = try LoopbackTestServer()
        defer { server.stop() }
        let transport = try CurlHTTPTransport()

        let throttled = try transport.perform(HTTPRequest(method: "GET", url: server.url("/retry-after")))
        #expect(throttled.status == 429)
        #expect(throttled.headers["retry-after"] == "7")
        #expect(throttled.headers["RETRY-AFTER"] == "7")
        #expect(String(decoding: throttled.body, as: UTF8.self) == #"{"error":"throttled"}"#)

        let custom = try transport.perform(HTTPRequest(method: "GET", url: server.url("/headers")))
        #expect(custom.headers["x-custom-header"] == "custom value")
        #expect(custom.headers["Content-Language"] == "en")
        #expect(custom.headers["X-Repeated"] == "one, two")

        #expect(try transport.perform(HTTPRequest(method: "DELETE", url: server.url("/status/404"))).status == 404)
        #expect(try transport.perform(HTTPRequest(method: "GET", url: server.url("/status/503"))).status == 503)
    }

    @Test func onlyTheFinalHeaderBlockIsKept() throws {
        let server = try LoopbackTestServer()
        defer { server.stop() }

        let response = try CurlHTTPTransport().perform(HTTPRequest(method: "GET", url: server.url("/interim")))

        #expect(response.status == 200)
        #expect(response.headers["X-Final"] == "yes")
        #expect(response.headers["X-Interim"] == nil)
        #expect(String(decoding: response.body, as: UTF8.self) == "final")
    }

    /// None of these may reach the network; most would not even resolve or connect if tried.
    @Test(arguments: [
        "http://example.com/", "http://10.0.0.1/", "http://127.0.0.1.example.com/", "http://localhost.example.com/",
        "http://[::2]/", "ftp://127.0.0.1/", "file:///etc/passwd", "gopher://127.0.0.1/", "not a url", "",
    ])
    func refusesURLsOutsideThePolicyBeforeSendingAnything(url: String) throws {
        let transport = try CurlHTTPTransport()
        let error = #expect(throws: TransportError.self) {
            try transport.perform(HTTPRequest(method: "GET", url: url))
        }
        guard case .refusedURL = error else {
            Issue.record("expected refusedURL, got \(String(describing: error))")
            return
        }
    }

    @Test func plainHTTPToLoopbackCanBeDisabled() throws {
        let transport = try CurlHTTPTransport(options: .init(allowPlainHTTPToLoopback: false))
        let error = #expect(throws: TransportError.self) {
            try transport.perform(HTTPRequest(method: "GET", url: "http://127.0.0.1:9/"))
        }
        #expect(error.map { if case .refusedURL = $0 { true } else { false } } == true)
    }

    @Test(arguments: [
        ("127.0.0.1", true), ("127.255.0.9", true), ("localhost", true), ("LocalHost", true), ("[::1]", true),
        ("128.0.0.1", false), ("[::2]", false), ("[::ffff:127.0.0.1]", false), ("example.com", false), ("127.0.0.1.nip.io", false),
    ])
    func loopbackDetection(host: String, isLoopback: Bool) {
        #expect(CurlURLPolicy.isLoopback(host: host) == isLoopback)
    }

    @Test func timeoutIsATransientNetworkErrorWithCode28() throws {
        let server = try LoopbackTestServer()
        defer { server.stop() }
        let transport = try CurlHTTPTransport()

        let error = #expect(throws: TransportError.self) {
            try transport.perform(HTTPRequest(method: "GET", url: server.url("/slow?ms=3000"), timeoutSeconds: 1))
        }

        guard case .network(let code, _, _) = error else { Issue.record("expected a network error, got \(String(describing: error))"); return }
        #expect(code == 28)
        #expect(error?.isTransient == true)
    }

    @Test func refusedConnectionIsATransientNetworkError() throws {
        let server = try LoopbackTestServer()
        let closedPortURL = server.url("/echo")
        server.stop()  // nothing listens on that port any more

        let error = #expect(throws: TransportError.self) {
            try CurlHTTPTransport().perform(HTTPRequest(method: "GET", url: closedPortURL))
        }

        guard case .network(let code, let message, _) = error else { Issue.record("expected a network error, got \(String(describing: error))"); return }
        #expect(code == 7)
        #expect(!message.isEmpty)
        #expect(error?.isTransient == true)
    }

    /// With Content-Length the limit trips before the body (CURLE_FILESIZE_EXCEEDED); without it, in the write callback.
    @Test(arguments: ["/big?bytes=5000", "/big?bytes=5000&length=0", "/big?bytes=1001&length=0"])
    func bodiesOverTheLimitAreAborted(path: String) throws {
        let server = try LoopbackTestServer()
        defer { server.stop() }
        let transport = try CurlHTTPTransport(options: .init(maxResponseBytes: 1000))

        let error = #expect(throws: TransportError.self) {
            try transport.perform(HTTPRequest(method: "GET", url: server.url(path)))
        }

        #expect(error == .responseTooLarge(url: server.url(path), limitBytes: 1000))
        // The handle is still usable afterwards, and a body exactly at the limit is fine.
        #expect(try transport.perform(HTTPRequest(method: "GET", url: server.url("/big?bytes=1000&length=0"))).body.count == 1000)
    }

    @Test func tlsRejectsAnUntrustedCertificateAndAcceptsTheConfiguredCA() throws {
        let (directory, certificate, key) = try makeLoopbackCertificate()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try LoopbackTestServer(arguments: [certificate, key])
        defer { server.stop() }
        let request = HTTPRequest(method: "GET", url: "https://127.0.0.1:\(server.port)/echo")

        let error = #expect(throws: TransportError.self) { try CurlHTTPTransport().perform(request) }
        guard case .network(let code, _, _) = error else { Issue.record("expected a network error, got \(String(describing: error))"); return }
        #expect(code == 60)  // CURLE_PEER_FAILED_VERIFICATION
        #expect(error?.isTransient == false)

        let trusting = try CurlHTTPTransport(options: .init(caInfoPath: certificate))
        #expect(try trusting.perform(request).status == 200)
    }

    @Test func errorsNeverContainTheAuthorizationHeaderValue() throws {
        let secret = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-bearer-token"
        let headers = [("Authorization", "Bearer \(secret)")]
        let server = try LoopbackTestServer()
        defer { server.stop() }
        let transport = try CurlHTTPTransport(options: .init(maxResponseBytes: 10))
        let requests = [
            HTTPRequest(method: "GET", url: server.url("/slow?ms=2500"), headers: headers, timeoutSeconds: 1),
            HTTPRequest(method: "GET", url: server.url("/big?bytes=100"), headers: headers),
            HTTPRequest(method: "POST", url: "http://example.com/token", headers: headers, body: Data("client_secret=\(secret)".utf8)),
            HTTPRequest(method: "GET", url: server.url("/echo"), headers: [("Authorization", "Bearer \(secret)\r\nX-Injected: 1")]),
            HTTPRequest(method: "GET", url: "http://127.0.0.1:1/", headers: headers),
        ]

        for request in requests {
            let error = #expect(throws: TransportError.self) { try transport.perform(request) }
            let texts = [String(describing: error), String(reflecting: error), error?.description ?? ""]
            #expect(texts.allSatisfy { !$0.contains("secret-bearer-token") }, "leaked in: \(texts[0])")
        }
    }

    @Test func concurrentCallersAreSerialisedOverOneHandle() throws {
        let server = try LoopbackTestServer()
        defer { server.stop() }
        let transport = try CurlHTTPTransport()
        let statuses = StatusBox()
        let url = server.url("/echo")

        DispatchQueue.concurrentPerform(iterations: 16) { index in
            let status = (try? transport.perform(HTTPRequest(method: index.isMultiple(of: 2) ? "GET" : "POST", url: url)))?.status
            statuses.append(status ?? -1)
        }

        #expect(statuses.values == Array(repeating: 200, count: 16))
    }
}

private final class StatusBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int] = []
    func append(_ value: Int) { lock.lock(); storage.append(value); lock.unlock() }
    var values: [Int] { lock.lock(); defer { lock.unlock() }; return storage }
}
