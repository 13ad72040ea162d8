#!/usr/bin/env python3
"""Measures LeaverSweep's nightly run against the Graph emulator and prints one table.

Per run: tenant size, wall time, requests sent (by kind), peak RSS and CPU time of the
leaversweep process. Runs a first night (empty state) and a second night (nothing changed) on the same tenant.
Only ever talks to 127.0.0.1. Usage: Benchmarks/nightly_benchmark.py [--users N] [--latency-ms MS]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release")


def start_emulator(args):
    command = [os.path.join(BIN, "leaversweep-emulator"), "--port", "0", "--users", str(args.users),
               "--disabled-fraction", str(args.disabled_fraction), "--latency-ms", str(args.latency_ms),
               "--seed", "1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    line = process.stdout.readline().split()
    if len(line) < 2 or line[0] != "listening":
        process.kill()
        sys.exit(f"emulator did not start: {line}")
    fields = dict(part.split("=", 1) for part in line[2:] if "=" in part)
    return process, line[1], fields


def control(base, method, path):
    request = urllib.request.Request(base + "/_emulator/" + path, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
    return json.loads(body) if body else None


def run_night(config, secret):
    environment = {"PATH": "/usr/bin:/bin", "LEAVERSWEEP_CLIENT_SECRET": secret}
    started = time.monotonic()
    process = subprocess.Popen([os.path.join(BIN, "leaversweep"), "run", "--config", config, "--quiet"],
                               env=environment, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    return os.waitstatus_to_exitcode(status), wall, usage


def describe(requests):
    kinds = {}
    for request in requests:
        if request.get("tokenEndpoint"):
            kind = "token"
        else:
            segments = [s for s in request["path"].split("/") if s][1:]
            resource = segments[0] if segments else "?"
            kind = f"{request['method']} {resource}" + ("/…" if len(segments) > 1 else "")
        kinds[kind] = kinds.get(kind, 0) + 1
    return ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items(), key=lambda item: -item[1]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--disabled-fraction", type=float, default=0.01)
    parser.add_argument("--latency-ms", type=int, default=50)
    args = parser.parse_args()

    emulator, base, fields = start_emulator(args)
    try:
        with tempfile.TemporaryDirectory(prefix="leaversweep-bench-") as directory:
            config = os.path.join(directory, "config.toml")
            with open(config, "w") as handle:
                handle.write(f"""[tenant]
id = "{fields.get('tenant', 'contoso.onmicrosoft.com')}"
[auth]
client_id = "{fields['client_id']}"
client_secret_env = "LEAVERSWEEP_CLIENT_SECRET"
authority = "{base}"
[graph]
endpoint = "{base}"
[state]
database = "{directory}/state.sqlite"
[report]
json = "{directory}/report.json"
""")
            rows = []
            for night in ("first night", "second night (no change)"):
                control(base, "POST", "reset")
                status, wall, usage = run_night(config, fields["client_secret"])
                requests = control(base, "GET", "requests")
                rows.append((night, status, wall, len(requests), describe(requests),
                             usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime))
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)

    print(f"LeaverSweep nightly benchmark — {args.users} users, {fields.get('devices', '?')} devices, "
          f"{args.disabled_fraction:.0%} disabled, {args.latency_ms} ms per Graph round trip (emulator, loopback)")
    print(f"{'run':<26} {'exit':>4} {'wall s':>8} {'requests':>9} {'peak RSS MB':>12} {'CPU s':>7}  requests by kind")
    for night, status, wall, count, kinds, rss, cpu in rows:
        print(f"{night:<26} {status:>4} {wall:>8.2f} {count:>9} {rss:>12.1f} {cpu:>7.2f}  {kinds}")


if __name__ == "__main__":
    main()
