import Foundation
import Testing
@testable import LeaverSweepKit

// Support for CurlMultiTransportTests and CurlMultiHTTP2Tests: loopback servers that count what the
// concurrent transport does to them, and a way to call it from many real threads at once.

/// What a counting server has seen so far.
struct ServerCounts: Decodable, Equatable {
    /// TCP connections accepted.
    var connections: Int
    /// Connections accepted and not yet closed.
    var open_connections: Int
    var requests: Int
    /// Most `/hold` requests being held at the same moment.
    var max_in_flight: Int
}

/// What a counting server's `/hold?ms=N&id=X` endpoint answers, so each caller can check it got its own response.
struct HoldReply: Decodable, Equatable {
    var id: String
    /// The X-Request-Id header as received.
    var header: String
    var method: String
    var body: String
    /// "HTTP/1.1", or "2" from the HTTP/2 server.
    var version: String

    init(id: String, header: String, method: String, body: String, version: String) {
        self.id = id
        self.header = header
        self.method = method
        self.body = body
        self.version = version
    }

    init(_ response: HTTPResponse) throws {
        self = try JSONDecoder().decode(HoldReply.self, from: response.body)
    }
}

/// Runs a counting server (a script given inline to python3 or node) on 127.0.0.1 for one test.
///
/// The script prints its port as the first line, answers a `stats` line on stdin with one JSON line
/// of `ServerCounts`, and exits when stdin closes, so a test that dies does not leave it running.
///
/// `@unchecked Sendable`: a `stats` question and its answer happen under `lock`, so any thread may ask.
final class CountingServer: @unchecked Sendable {
    private let lock = NSLock()
    private let process = Process()
    private let stdin = Pipe()
    private let stdout = Pipe()
    private var pending = Data()
    private(set) var port = 0
    let scheme: String

    init(interpreter: String, script: String, arguments: [String] = [], scheme: String = "http") throws {
        self.scheme = scheme
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [interpreter, interpreter == "node" ? "-e" : "-c", script] + arguments
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        guard let line = readLine(), let port = Int(line) else {
            stop()
            throw CountingServerFailedToStart()
        }
        self.port = port
    }

    /// The Python HTTP/1.1 server, with `/hold` and `/big` endpoints.
    static func http() throws -> CountingServer {
        try CountingServer(interpreter: "python3", script: countingHTTP1ServerScript)
    }

    var address: ServerAddress { ServerAddress(scheme: scheme, port: port) }

    func url(_ path: String) -> String { address.url(path) }

    func counts() throws -> ServerCounts {
        let line = lock.withLock { () -> String? in
            stdin.fileHandleForWriting.write(Data("stats\n".utf8))
            return readLine()
        }
        guard let line else { throw CountingServerFailedToStart() }
        return try JSONDecoder().decode(ServerCounts.self, from: Data(line.utf8))
    }

    /// Asks again, up to about ten seconds, until `condition` holds, for what the server notices on its
    /// own threads (a closed connection, a request arriving). Returns the last counts either way.
    func counts(eventually condition: (ServerCounts) -> Bool) throws -> ServerCounts {
        var latest = try counts()
        for _ in 0..<200 where !condition(latest) {
            Thread.sleep(forTimeInterval: 0.05)
            latest = try counts()
        }
        return latest
    }

    /// Closing stdin alone stops the server; SIGTERM is the backup.
    func stop() {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    private func readLine() -> String? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line.trimmingCharacters(in: .whitespaces)
            }
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            pending.append(chunk)
        }
    }
}

struct CountingServerFailedToStart: Error {}

/// Where a counting server listens; a value, so request-building closures on other threads can capture it.
struct ServerAddress: Sendable {
    var scheme: String
    var port: Int

    func url(_ path: String) -> String { "\(scheme)://127.0.0.1:\(port)\(path)" }
}

/// Calls `body` once per index, each on its own thread (not a pool's: a two-core pool would run two
/// at a time), all started before any is waited for. Results come back in index order.
func onSeparateThreads<Value: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> Value) -> [Value] {
    let results = IndexedResults<Value>()
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread {
            results.set(index, body(index))
            group.leave()
        }.start()
    }
    group.wait()
    return (0..<count).map { results.value(at: $0)! }
}

private final class IndexedResults<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int: Value] = [:]
    func set(_ index: Int, _ value: Value) { lock.withLock { storage[index] = value } }
    func value(at index: Int) -> Value? { lock.withLock { storage[index] } }
}

/// `perform` as a value, so results from many threads can be compared afterwards.
func outcome(of transport: CurlHTTPTransport, _ request: HTTPRequest) -> Result<HTTPResponse, TransportError> {
    do {
        return .success(try transport.perform(request))
    } catch let error as TransportError {
        return .failure(error)
    } catch {
        return .failure(.network(code: -1, message: "unexpected error type: \(error)", url: request.url))
    }
}

/// A self-signed certificate for 127.0.0.1 in a fresh directory (the transport tests, HTTP/1.1 and HTTP/2, share it);
/// the caller removes the directory.
func makeLoopbackCertificate() throws -> (directory: URL, certificate: String, key: String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("multi-tls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let certificate = directory.appendingPathComponent("cert.pem").path
    let key = directory.appendingPathComponent("key.pem").path
    let openssl = Process()
    openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    openssl.arguments = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                         "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=127.0.0.1",
                         "-addext", "subjectAltName=IP:127.0.0.1"]
    openssl.standardError = FileHandle.nullDevice
    try openssl.run()
    openssl.waitUntilExit()
    try #require(openssl.terminationStatus == 0)
    return (directory, certificate, key)
}

/// HTTP/1.1 with keep-alive. `/hold?ms=N&id=X` holds the request N ms, counting how many are held at
/// once, then answers a `HoldReply`; `/big?bytes=N` sends N bytes (`&length=0`: no Content-Length).
private let countingHTTP1ServerScript = #"""
import json, os, signal, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

lock = threading.Lock()
counts = {"connections": 0, "open_connections": 0, "requests": 0, "max_in_flight": 0}
in_flight = 0

class Server(ThreadingHTTPServer):
    request_queue_size = 128  # the stdlib backlog of 5 drops connections under concurrency
    daemon_threads = True
    def handle_error(self, request, client_address):
        # Clients that time out or abort on purpose (the tests do both) are not errors here.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def setup(self):
        super().setup()
        with lock:
            counts["connections"] += 1
            counts["open_connections"] += 1
    def finish(self):
        try:
            super().finish()
        finally:
            with lock:
                counts["open_connections"] -= 1
    def handle_any(self):
        global in_flight
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        with lock:
            counts["requests"] += 1
        if url.path == "/hold":
            with lock:
                in_flight += 1
                counts["max_in_flight"] = max(counts["max_in_flight"], in_flight)
            time.sleep(int(query.get("ms", "200")) / 1000)
            with lock:
                in_flight -= 1
            reply = {"id": query.get("id", ""), "header": self.headers.get("X-Request-Id", ""), "method": self.command,
                     "body": body.decode("utf-8", "replace"), "version": self.request_version}
            self.reply(json.dumps(reply).encode())
        elif url.path == "/big":
            size = int(query.get("bytes", "0"))
            if query.get("length") == "0":
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                self.wfile.write(b"x" * size)
            else:
                self.reply(b"x" * size)
        else:
            self.send_error(404)
    def reply(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = handle_any

def answer_stats_until_stdin_closes():
    for line in sys.stdin:
        if line.strip() == "stats":
            with lock:
                snapshot = dict(counts)
            print(json.dumps(snapshot), flush=True)
    os._exit(0)

# Swift's threads may block SIGTERM, and a child inherits the mask; Process.terminate() needs it.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=answer_stats_until_stdin_closes, daemon=True).start()
server.serve_forever()
"""#
