"""The acknowledgement benchmark's load generator: `wrk` (native, 2 threads) sending distinct signed deliveries.

The Python client of `bench_webhook.load` shares the two cores with the servers and is itself the limit, so
both servers look alike. Here each request is a new issue as GitHub sends it: N bodies and their
`X-Hub-Signature-256` are computed beforehand into one file per wrk thread (a line per delivery: id, signature,
body), which the Lua script reads one line per request. A service run gets a fresh file (it answers a body it
has already seen with 200 `duplicate`, a cheaper path); if a thread runs out it starts over and the run says so.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

THREADS = 2
LUA = r"""
local counter, threads = 0, {}
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  f = assert(io.open(args[1] .. "." .. id, "rb"))
  wrapped = 0
end
function request()
  local line = f:read("*l")
  if line == nil then
    f:seek("set", 0)
    wrapped = wrapped + 1
    line = f:read("*l")
  end
  local delivery, sig, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
  return wrk.format("POST", "/webhook", {["X-GitHub-Event"] = "issues", ["X-GitHub-Delivery"] = delivery,
    ["X-Hub-Signature-256"] = sig, ["Content-Type"] = "application/json"}, body)
end
function done(summary, latency, requests)
  local w = 0
  for _, t in ipairs(threads) do w = w + t:get("wrapped") end
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %d, "us": %d, "p50": %d, "p99": %d, "socket_errors": %d, ' ..
    '"non_2xx": %d, "wrapped": %d}\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status, w))
end
"""


class Bodies:
    """Files of distinct signed `issues.opened` deliveries for wrk's threads (in /dev/shm when there is one)."""

    def __init__(self, example: dict, secret: str):
        self.dir = Path(tempfile.mkdtemp(prefix="bench-wrk-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
        self.secret = secret.encode()
        p = dict(example, issue=dict(example["issue"], number=987654321), installation={"id": 1})
        p["repository"] = dict(example["repository"], full_name="bench/repo0")
        self.template = json.dumps(p).encode()
        self.script = self.dir / "deliveries.lua"
        self.script.write_text(LUA)
        self._next = 10_000_000

    def make(self, count: int) -> str:
        """`count` new deliveries split over the threads' files; returns the files' prefix for the script."""
        prefix = self.dir / uuid.uuid4().hex[:8]
        files = [open(f"{prefix}.{t}", "wb") for t in range(THREADS)]
        for i in range(count):
            self._next += 1
            body = self.template.replace(b"987654321", str(self._next).encode(), 1)
            sig = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
            files[i % THREADS].write(b"%d\t%s\t%s\n" % (self._next, sig.encode(), body))
        for f in files:
            f.close()
        return str(prefix)

    def drop(self, prefix: str) -> None:
        for t in range(THREADS):
            Path(f"{prefix}.{t}").unlink(missing_ok=True)

    def close(self) -> None:
        for f in self.dir.iterdir():
            f.unlink()
        self.dir.rmdir()


def run(port: int, connections: int, seconds: float, bodies: Bodies, prefix: str) -> dict:
    """One wrk run: requests/s, p50 and p99 (ms, wrk's own histogram), errors, and whether bodies repeated."""
    out = subprocess.run(["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
                          "-s", str(bodies.script), f"http://127.0.0.1:{port}/webhook", "--", prefix],
                         capture_output=True, text=True, timeout=seconds + 60)
    m = re.search(r"^RESULT (\{.*\})$", out.stdout, re.M)
    if m is None:
        raise RuntimeError(f"wrk failed: {out.stdout[-500:]} {out.stderr[-500:]}")
    r = json.loads(m.group(1))
    return {"rps": r["requests"] / (r["us"] / 1e6), "requests": r["requests"], "p50": r["p50"] / 1000,
            "p99": r["p99"] / 1000, "errors": r["socket_errors"] + r["non_2xx"], "wrapped": r["wrapped"]}


def switches(pid: int) -> int:
    """Voluntary context switches so far of every thread of a gunicorn master and its workers (Linux; else 0):
    how often a thread blocked — on a lock, the GIL, a socket or the disk — per request, the hand-offs' count."""
    pids, total = [pid], 0
    with contextlib.suppress(OSError, ValueError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{p}/task").iterdir():
                with contextlib.suppress(OSError, ValueError):
                    total += int(re.search(r"^voluntary_ctxt_switches:\s+(\d+)", (task / "status").read_text(), re.M)[1])
    return total


def fsync_ms(directory: str, count: int = 20) -> float:
    """Median wall time (ms) of appending 4 KiB and `fdatasync` in `directory`: what the disk charges a commit
    right now. The service answers only after an fsynced commit, one commit at a time per SQLite file, so when
    other work on the machine makes this grow (0.13 ms idle, ~3 ms under neighbours' writes here) its rate falls
    whatever its CPU cost."""
    fd, path = tempfile.mkstemp(dir=directory, prefix="fsync-probe-")
    times, sync = [], getattr(os, "fdatasync", os.fsync)
    try:
        for _ in range(count):
            os.write(fd, b"x" * 4096)
            start = time.perf_counter()
            sync(fd)
            times.append(time.perf_counter() - start)
    finally:
        os.close(fd)
        os.unlink(path)
    return sorted(times)[len(times) // 2] * 1000


def compare(servers: dict, levels: list[int], rounds: int, seconds: float, bodies: Bodies, cpu_seconds,
            max_rate: int, bare: str, store_dir: str | None = None) -> None:
    """Each server at each level for `seconds`, interleaved in `rounds`; prints rates, latencies, CPU/request."""
    bare_prefix = bodies.make(20_000)  # the bare app keeps nothing: its deliveries may repeat
    for port, _proc in servers.values():  # warm-up
        run(port, 8, 2, bodies, bare_prefix)
    runs: dict[tuple[str, int], list[dict]] = {(name, c): [] for name in servers for c in levels}
    probes = []  # the disk's fsync latency, before each round
    for _ in range(rounds):
        probes.append(fsync_ms(store_dir or tempfile.gettempdir()))
        for c in levels:
            for name, (port, proc) in servers.items():
                prefix = bare_prefix if name == bare else bodies.make(int(max_rate * seconds))
                before, blocked = cpu_seconds(proc), switches(proc.pid)
                r = run(port, c, seconds, bodies, prefix)
                r["cpu"], r["switches"] = cpu_seconds(proc) - before, switches(proc.pid) - blocked
                runs[name, c].append(r)
                if prefix != bare_prefix:
                    bodies.drop(prefix)
    total = {key: (sum(r["requests"] for r in rs), sum(r["requests"] / r["rps"] for r in rs), max(r["p99"] for r in rs),
                   max(r["p50"] for r in rs), sum(r["cpu"] for r in rs), sum(r["errors"] for r in rs),
                   sum(r["wrapped"] for r in rs), sum(r["switches"] for r in rs)) for key, rs in runs.items()}
    rps = {key: n / secs for key, (n, secs, *_rest) in total.items()}
    print(f"Acknowledgement with wrk ({THREADS} threads, a distinct signed delivery per request; {seconds:g} s per server "
          f"and level, {rounds} interleaved rounds; p50/p99 from wrk's histogram, the worse round)")
    others = [n for n in servers if n != bare]
    print(f"  {'connections':>11}  {'bare req/s':>10}  {'p99 ms':>6}  " + "  ".join(
        f"{n[:14]:>14} req/s  p50 ms  p99 ms  ratio" for n in others))
    for c in levels:
        print(f"  {c:>11}  {rps[bare, c]:>10.0f}  {total[bare, c][2]:>6.1f}  " + "  ".join(
            f"{rps[n, c]:>20.0f}  {total[n, c][3]:>6.1f}  {total[n, c][2]:>6.1f}  {rps[n, c] / rps[bare, c]:.2f}x"
            for n in others))
    for name in servers:
        n = sum(total[name, c][0] for c in levels)
        errors, wrapped = sum(total[name, c][5] for c in levels), sum(total[name, c][6] for c in levels)
        print(f"  {name}: server CPU per request {sum(total[name, c][4] for c in levels) / n * 1e6:.0f} us "
              f"(gunicorn master + workers, /proc), {sum(total[name, c][7] for c in levels) / n:.1f} threads blocked "
              f"(voluntary context switches); {n} requests, {errors} errors or unexpected statuses"
              + (f"; deliveries repeated {wrapped} time(s)" if wrapped and name != bare else ""))
    print(f"  disk under the store: fdatasync of 4 KiB {min(probes):.2f}-{max(probes):.2f} ms (median of 20, before "
          f"each round); machine load average {os.getloadavg()[0]:.1f} at the end")
    best = {name: max(levels, key=lambda c: rps[name, c]) for name in servers}
    for name in others:
        print(f"  peak vs peak ({name}): {rps[name, best[name]]:.0f} req/s ({best[name]} connections, p99 "
              f"{total[name, best[name]][2]:.1f} ms) vs {rps[bare, best[bare]]:.0f} req/s ({best[bare]} connections): "
              f"{rps[name, best[name]] / rps[bare, best[bare]]:.2f}x the bare app")
