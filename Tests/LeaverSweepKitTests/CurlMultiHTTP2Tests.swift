import Foundation
import Testing
@testable import LeaverSweepKit

/// Concurrent requests to an HTTPS server that speaks HTTP/2 (Node's `http2` module, on 127.0.0.1
/// with a throwaway certificate) share one connection as multiplexed streams.
@Suite struct CurlMultiHTTP2Tests {
    @Test func concurrentHTTPSRequestsAreMultiplexedOverOneConnection() throws {
        let tls = try makeLoopbackCertificate()
        defer { try? FileManager.default.removeItem(at: tls.directory) }
        let server = try CountingServer(interpreter: "node", script: countingHTTP2ServerScript,
                                        arguments: [tls.certificate, tls.key], scheme: "https")
        defer { server.stop() }
        let address = server.address
        // A host limit of 2 would cap HTTP/1.1 at two requests in flight; streams are not connections.
        let transport = try CurlHTTPTransport(options: .init(caInfoPath: tls.certificate, maxConnectionsPerHost: 2))
        let callers = 24

        let outcomes = onSeparateThreads(callers) { index in
            outcome(of: transport, CurlMultiTransportTests.tagged(address, index, holdMilliseconds: 300))
        }

        for (index, result) in outcomes.enumerated() {
            #expect(try HoldReply(result.get()) == CurlMultiTransportTests.expectedReply(index, version: "2"))
        }
        let counts = try server.counts()
        #expect(counts.requests == callers)
        #expect(counts.connections == 1, "PIPEWAIT: every transfer waits for the first connection and multiplexes on it")
        #expect(counts.max_in_flight > 2, "more streams in flight than the per-host connection limit")
        #expect(transport.connectionsOpened == 1)
    }

    @Test func verificationStillRejectsAnUntrustedHTTP2Server() throws {
        let tls = try makeLoopbackCertificate()
        defer { try? FileManager.default.removeItem(at: tls.directory) }
        let server = try CountingServer(interpreter: "node", script: countingHTTP2ServerScript,
                                        arguments: [tls.certificate, tls.key], scheme: "https")
        defer { server.stop() }
        let transport = try CurlHTTPTransport()  // system trust store: the throwaway certificate is unknown

        let error = #expect(throws: TransportError.self) {
            try transport.perform(HTTPRequest(method: "GET", url: server.url("/hold?ms=0&id=0")))
        }

        guard case .network(let code, _, _) = error else { Issue.record("expected a network error, got \(String(describing: error))"); return }
        #expect(code == 60)  // CURLE_PEER_FAILED_VERIFICATION
        #expect(try server.counts().requests == 0)
    }
}

/// HTTP/2 only (no HTTP/1.1 fallback, so a successful reply proves HTTP/2 was negotiated). Arguments:
/// certificate and key paths. Same protocol and `/hold` replies as the Python server, with version "2".
private let countingHTTP2ServerScript = #"""
const http2 = require('node:http2');
const fs = require('node:fs');
const readline = require('node:readline');
const [certificate, key] = process.argv.slice(1);
const counts = { connections: 0, open_connections: 0, requests: 0, max_in_flight: 0 };
let inFlight = 0;

const server = http2.createSecureServer({ cert: fs.readFileSync(certificate), key: fs.readFileSync(key) });
server.on('connection', (socket) => {
  counts.connections++;
  counts.open_connections++;
  socket.on('close', () => counts.open_connections--);
});
server.on('tlsClientError', () => {});  // a client refusing the certificate is what one test wants
server.on('sessionError', () => {});
server.on('stream', (stream, headers) => {
  stream.on('error', () => {});
  counts.requests++;
  const url = new URL(headers[':path'], 'https://127.0.0.1');
  const chunks = [];
  stream.on('data', (chunk) => chunks.push(chunk));
  stream.on('end', () => {
    inFlight++;
    counts.max_in_flight = Math.max(counts.max_in_flight, inFlight);
    setTimeout(() => {
      inFlight--;
      if (stream.destroyed) return;
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end(JSON.stringify({
        id: url.searchParams.get('id') ?? '', header: headers['x-request-id'] ?? '', method: headers[':method'],
        body: Buffer.concat(chunks).toString(), version: '2',
      }));
    }, Number(url.searchParams.get('ms') ?? '200'));
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
readline.createInterface({ input: process.stdin })
  .on('line', (line) => { if (line.trim() === 'stats') console.log(JSON.stringify(counts)); })
  .on('close', () => process.exit(0));
"""#
