#!/usr/bin/env python3
"""Loopback HTTP server for CurlHTTPTransportTests.

Binds 127.0.0.1 on a free port and prints the port as the first line of stdout. Exits when
stdin closes, so a test that dies without terminating it does not leave it running.
With two arguments, CERT.pem and KEY.pem, it speaks HTTPS instead.

Endpoints (any method):
  /status/NNN         responds with status NNN
  /slow?ms=N          waits N ms, then 200
  /big?bytes=N        N bytes of "x"; add &length=0 to omit Content-Length (close-delimited)
  /retry-after        429 with Retry-After: 7
  /headers            200 with custom and repeated headers
  /interim            a "100 Continue" block with its own header, then the 200
  anything else       200 echoing method, path, headers, body and client port as JSON
"""
import json
import os
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Server(ThreadingHTTPServer):
    # The stdlib backlog of 5 drops connections when tests run in parallel.
    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Clients that time out or abort on purpose (the tests do both) are not errors here.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, ssl.SSLError)):
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so the client can reuse its connection

    def log_message(self, *args):
        pass  # quiet: stdout carries the port, stderr would clutter test output

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        path = url.path

        if path.startswith("/status/"):
            self.reply(int(path.rsplit("/", 1)[1]), b"status body")
        elif path == "/slow":
            time.sleep(int(query.get("ms", "1000")) / 1000)
            self.reply(200, b"slow body")
        elif path == "/big":
            size = int(query.get("bytes", "0"))
            if query.get("length") == "0":
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                chunk = b"x" * 65536
                remaining = size
                try:
                    while remaining > 0:
                        self.wfile.write(chunk[: min(remaining, len(chunk))])
                        remaining -= len(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client aborted, as intended
            else:
                self.reply(200, b"x" * size)
        elif path == "/retry-after":
            self.reply(429, b'{"error":"throttled"}', [("Retry-After", "7")])
        elif path == "/headers":
            self.reply(200, b"ok", [("X-Custom-Header", "custom value"), ("X-Repeated", "one"), ("X-Repeated", "two"),
                                    ("content-language", "en")])
        elif path == "/interim":
            self.send_response_only(100)
            self.send_header("X-Interim", "yes")
            self.end_headers()
            self.reply(200, b"final", [("X-Final", "yes")])
        else:
            echo = {
                "method": self.command,
                "path": self.path,
                "headers": [[k, v] for k, v in self.headers.items()],
                "body": body.decode("utf-8", "replace"),
                "client_port": self.client_address[1],
            }
            self.reply(200, json.dumps(echo).encode(), [("Content-Type", "application/json")])

    def reply(self, status, body, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = handle_any


def exit_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


if __name__ == "__main__":
    # A child inherits its parent thread's signal mask; Swift's worker threads may block SIGTERM,
    # which would make Process.terminate() a no-op.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    server = Server(("127.0.0.1", 0), Handler)
    if len(sys.argv) == 3:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    server.serve_forever()
