"""Webhook service benchmarks (numbers go to the README, never into tests).

1. Acknowledgement: signed `issues.opened` deliveries (a new issue each) over loopback to gunicorn (2 workers),
   against a bare Flask app answering 204 under the same gunicorn settings, interleaved in the same run; sent
   by `wrk` with precomputed distinct signed bodies (`ack_wrk.py`), or `--client python` (threads, client-bound).
2. Latency: delivery → labels and sticky comment on the (simulated) GitHub, median of sequential issues.
3. Burst: 60 new issues across 20 installations at once; time to all commented, secondary-limit hits.

GitHub is the offline simulator with `--latency` per call (default 0.1 s, like a fast real API).
Usage: .venv/bin/python benchmarks/bench_webhook.py [--client wrk|python] [--seconds 10] [--concurrency N]…
       [--rounds R] [--requests 2000] [--latency 0.1]
       [--ack-only] [--sqlite-synchronous FULL|NORMAL] [--database-url postgresql://...] [--compare CHECKOUT]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import http.client
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import ack_wrk  # noqa: E402

from bot.app import gunicorn_conf  # noqa: E402
from bot.simulator.local import example as _examples, free_port as _port, http as _http, keypair as _keypair, wait_for  # noqa: E402

SECRET = "bench-secret"
BARE = "from flask import Flask\napp = Flask('bare')\n@app.post('/webhook')\ndef hook():\n    return '', 204\n"


def signed(payload: dict, delivery: str) -> tuple[bytes, dict]:
    body = json.dumps(payload).encode()
    sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-GitHub-Event": "issues", "X-GitHub-Delivery": delivery, "X-Hub-Signature-256": sig,
                  "Content-Type": "application/json"}


def load(port: int, total: int, concurrency: int, make) -> tuple[float, list[float]]:
    """Send `total` requests from `concurrency` keep-alive connections; (requests/s, latencies)."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        for i in counter:
            body, headers = make(i)
            t = time.perf_counter()
            conn.request("POST", "/webhook", body, headers)
            resp = conn.getresponse()
            resp.read()
            mine.append(time.perf_counter() - t)
            assert resp.status in (202, 204), resp.status
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return total / (time.perf_counter() - start), latencies


def gunicorn(app: str, port: int, env: dict, cwd: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", "--config", "python:bot.app.gunicorn_conf", "--bind",
           f"127.0.0.1:{port}", "--workers", os.environ.get("BENCH_WORKERS", "2"), app]
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: _http("GET", f"http://127.0.0.1:{port}/healthz")[0] in (200, 404, 405), 60, app)
    return proc


@contextlib.contextmanager
def throwaway_schema(url: str | None):
    """PostgreSQL: a fresh schema for this run (dropped after), named in the URL's search_path; else the URL."""
    if not url or not url.startswith("postgres"):
        yield url
        return
    from urllib.parse import quote

    from sqlalchemy import text

    from bot.store.db import make_engine

    schema, admin = f"bench_{uuid.uuid4().hex[:10]}", make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def cpu_seconds(proc: subprocess.Popen) -> float:
    """CPU time (user + system) of a gunicorn master and its workers so far, from /proc (Linux; else 0)."""
    pids, total = [proc.pid], 0.0
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, action="append", help="connections (repeatable; default 8 16 32 64)")
    ap.add_argument("--rounds", type=int, help="interleaved rounds (default 2 with wrk, 5 with the Python client)")
    ap.add_argument("--client", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python")
    ap.add_argument("--seconds", type=float, default=10, help="wrk: seconds per server, level and round")
    ap.add_argument("--max-rate", type=int, default=5000, help="wrk: deliveries prepared per second of a service run")
    ap.add_argument("--latency", type=float, default=0.1, help="simulated GitHub latency per call (s)")
    ap.add_argument("--sqlite-synchronous", default=None, choices=("FULL", "NORMAL"), help="default: the service's")
    ap.add_argument("--ack-only", action="store_true", help="measure only the acknowledgement throughput")
    ap.add_argument("--database-url", default=None, help="store for the acknowledgement (default: a temp SQLite file)")
    ap.add_argument("--compare", action="append", default=[], metavar="CHECKOUT",
                    help="also run the service from another checkout (e.g. a worktree of an older commit), "
                         "interleaved (repeatable)")
    a = ap.parse_args()
    a.rounds = a.rounds or (2 if a.client == "wrk" else 5)
    example = _examples("issues", "opened")
    with tempfile.TemporaryDirectory(prefix="bench-webhook-") as d, throwaway_schema(a.database_url) as ack_db:
        tmp = Path(d)
        (tmp / "bare_app.py").write_text(BARE)
        private, public = _keypair(tmp)
        repos = [{"full_name": f"bench/repo{i}", "installation_id": i + 1,
                  "issues": [{"number": n, "title": "x"} for n in [*range(1, 11), *range(100, 160)]]}
                 for i in range(20)]
        (tmp / "seed.json").write_text(json.dumps({"repos": repos}))
        gh_port = _port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "ANTHROPIC_", "DATABASE_URL"))}
        env.update(GITHUB_APP_ID="1", GITHUB_APP_PRIVATE_KEY=private, GITHUB_WEBHOOK_SECRET=SECRET,
                   GITHUB_API_URL=f"http://127.0.0.1:{gh_port}", MODEL_ROUTER_LOG_LEVEL="WARNING",
                   MODEL_ROUTER_JOB_POLL_SECONDS="0.1", PYTHONPATH=str(ROOT))
        if a.sqlite_synchronous:
            env["MODEL_ROUTER_SQLITE_SYNCHRONOUS"] = a.sqlite_synchronous
        sim = subprocess.Popen([sys.executable, "-m", "bot.simulator.github", "--port", str(gh_port), "--seed",
                                str(tmp / "seed.json"), "--app-public-key", str(public), "--latency", str(a.latency)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs = [sim]
        try:
            gh = f"http://127.0.0.1:{gh_port}"
            wait_for(lambda: _http("GET", f"{gh}/_sim/state")[0] == 200, 30, "simulator")

            numbers = itertools.count(10_000)  # a new issue per request: the service drops a body it has seen

            def make(i: int):
                p = dict(example, issue=dict(example["issue"], number=next(numbers)), installation={"id": 1})
                p["repository"] = dict(example["repository"], full_name="bench/repo0")
                return signed(p, f"ack-{i}-{time.time_ns()}")

            # 1. acknowledgement: the job threads are off here (a separate `model-router worker` would run them)
            # Both servers run at once and the load alternates between them in rounds, so a noisy neighbour
            # on this shared machine slows both alike instead of skewing the ratio. Throughput is a capacity:
            # each server is offered 8..64 concurrent connections and compared at its own best level.
            servers = {}
            variants = [("bare Flask 204", "bare_app:app", {}),
                        ("model-router", "bot.app:create_app()",
                         {"DATABASE_URL": ack_db or f"sqlite:///{tmp / 'ack.db'}", "MODEL_ROUTER_WORKER_THREADS": "0"})]
            for i, checkout in enumerate(a.compare):  # the other checkout's code first on the path; its own file
                variants.append((f"{Path(checkout).name} (compared)", "bot.app:create_app()",
                                 {"DATABASE_URL": f"sqlite:///{tmp / f'cmp{i}.db'}", "MODEL_ROUTER_WORKER_THREADS": "0",
                                  "PYTHONPATH": str(Path(checkout).resolve())}))
            for name, app, extra in variants:
                port = _port()
                servers[name] = (port, gunicorn(app, port, dict(env, **extra), tmp))
            if a.client == "wrk":
                bodies = ack_wrk.Bodies(example, SECRET)
                try:
                    ack_wrk.compare(servers, a.concurrency or [8, 16, 32], a.rounds, a.seconds, bodies, cpu_seconds,
                                    a.max_rate, "bare Flask 204", str(tmp))
                finally:
                    bodies.close()
                    for _port_, proc in servers.values():
                        proc.terminate()
                        proc.wait(30)
                if a.ack_only:
                    return 0
                servers = {}
            if servers:  # the Python client
                for port, _proc in servers.values():
                    load(port, min(200, a.requests), 8, make)  # warm-up
                levels = a.concurrency or [8, 16, 32, 64]
                stats = {(name, c): [0.0, []] for name in servers for c in levels}
                cpu = dict.fromkeys(servers, 0.0)  # the servers' own CPU time: a cost per request load cannot skew much
                per_round = a.requests // a.rounds
                for _ in range(a.rounds):
                    for c in levels:
                        for name, (port, proc) in servers.items():
                            before = cpu_seconds(proc)
                            rps, lat = load(port, per_round, c, make)
                            stats[name, c][0] += per_round / rps
                            stats[name, c][1].extend(lat)
                            cpu[name] += cpu_seconds(proc) - before
                for _port_, proc in servers.values():
                    proc.terminate()
                    proc.wait(30)
                rps = {key: per_round * a.rounds / secs for key, (secs, _lat) in stats.items()}
                print(f"Acknowledgement (gunicorn, 2 workers, gthread x{gunicorn_conf.threads}; "
                      f"{per_round * a.rounds} requests per server and level, {a.rounds} interleaved rounds)")
                print(f"  {'connections':>11}  {'bare req/s':>10}  {'p99 ms':>6}  {'router req/s':>12}  {'p50 ms':>6}  {'p99 ms':>6}  ratio")
                for c in levels:
                    bare, mine = stats["bare Flask 204", c], stats["model-router", c]
                    print(f"  {c:>11}  {rps['bare Flask 204', c]:>10.0f}  {pct(bare[1], .99):>6.1f}  "
                          f"{rps['model-router', c]:>12.0f}  {pct(mine[1], .5):>6.1f}  {pct(mine[1], .99):>6.1f}  "
                          f"{rps['model-router', c] / rps['bare Flask 204', c]:.2f}x"
                          + "".join(f"  | {name.removesuffix(' (compared)')}: {rps[name, c] / rps['bare Flask 204', c]:.2f}x "
                                    f"p99 {pct(stats[name, c][1], .99):.1f}" for name in list(servers)[2:]))
                best = {name: max(levels, key=lambda c: rps[name, c]) for name in servers}
                bare_c = best["bare Flask 204"]
                sent = per_round * a.rounds * len(levels)
                print("  server CPU per request: " + ", ".join(f"{name} {cpu[name] / sent * 1e6:.0f} us" for name in servers))
                for name in [n for n in servers if n != "bare Flask 204"]:
                    mine_c = best[name]
                    print(f"  peak vs peak ({name}): {rps[name, mine_c]:.0f} req/s ({mine_c} connections, "
                          f"p99 {pct(stats[name, mine_c][1], .99):.1f} ms) vs {rps['bare Flask 204', bare_c]:.0f} req/s "
                          f"({bare_c} connections): {rps[name, mine_c] / rps['bare Flask 204', bare_c]:.2f}x the bare app")
                if a.ack_only:
                    return 0

            # 2 + 3: the full service with its embedded job threads
            port = _port()
            procs.append(gunicorn("bot.app:create_app()", port, dict(env, DATABASE_URL=f"sqlite:///{tmp / 'svc.db'}"), tmp))

            def commented(repo: str, numbers: set[int]) -> set[int]:
                state = json.loads(_http("GET", f"{gh}/_sim/state")[1])
                comments = state["repos"][repo]["comments"].values()
                return {c["issue_number"] for c in comments} & numbers

            def post(repo_i: int, number: int, title: str):
                p = dict(example, issue=dict(example["issue"], number=number, title=title, body=""),
                         installation={"id": repo_i + 1})
                p["repository"] = dict(example["repository"], full_name=f"bench/repo{repo_i}")
                body, headers = signed(p, f"svc-{repo_i}-{number}")
                status, _ = _http("POST", f"http://127.0.0.1:{port}/webhook", body, headers)
                assert status == 202, status

            waits = []
            for n in range(1, 11):
                t = time.perf_counter()
                post(0, n, "Fix typo in README")
                wait_for(lambda: commented("bench/repo0", {n}), 30, f"issue {n}")
                waits.append(time.perf_counter() - t)
            print(f"\nLatency, delivery -> labelled and commented (GitHub latency {a.latency * 1000:.0f} ms/call, 10 issues):")
            print(f"  median {statistics.median(waits):.2f} s, max {max(waits):.2f} s")

            t = time.perf_counter()
            burst = [(i % 20, 100 + i) for i in range(60)]
            for repo_i, number in burst:
                post(repo_i, number, ["Fix typo in docs", "Design the cache layer", "Auth bypass in login"][number % 3])
            posted = time.perf_counter() - t

            def all_done():
                return all(commented(f"bench/repo{r}", {n}) for r, n in burst[-20:]) and all(
                    commented(f"bench/repo{r}", {n}) for r, n in burst)

            wait_for(all_done, 120, "the burst")
            state = json.loads(_http("GET", f"{gh}/_sim/state")[1])
            print("\nBurst: 60 new issues across 20 installations")
            print(f"  all labelled and commented in {time.perf_counter() - t:.1f} s (posting took {posted:.1f} s); "
                  f"secondary-limit responses: {state['secondary_limit_hits']}; violations: {len(state['violations'])}")
        finally:
            for p in reversed(procs):
                p.terminate()
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
