"""Reliability and scale-out benchmarks (numbers go to docs/benchmarks.md, never into tests).

The simulator enforces GitHub's secondary limits per installation: 80 writes in any minute, 10 in any second
(403 + Retry-After beyond). The service runs with its default pacing unless said otherwise.

1. Burst (`--part burst`): 35 new issues in ONE installation, posted alternately to two `model-router serve`
   replicas (1 gunicorn worker, 8 job threads each (the default)) on PostgreSQL + Redis. Reported: secondary-limit 403s,
   issues labelled / commented other than once, and the last issue's time against (writes ÷ 80) min + 20 s.
2. Recovery under faults (`--part recovery`): 30 issues over 3 installations acknowledged by gunicorn (2
   workers, SQLite, job threads inside); GitHub answers six writes with 502 and three with 403 + Retry-After: 1
   (half before, half after the kill), and the worker process running a job is killed with SIGKILL. Reported:
   time from the kill to the last delivery handled (target <= 30 s), each exactly once.
3. Replicas (`--part replicas`): two `model-router serve` replicas (1 gunicorn worker each) and one `model-router worker` on
   PostgreSQL + Redis; 60 new issues over 20 installations posted to both; then again with one replica killed
   (its whole process group) half-way. Reported: time to all labelled and commented, secondary-limit 403s,
   duplicates.

GitHub is the offline simulator (`--latency` per call, default 0.1 s). Parts 1 and 3 need PostgreSQL and Redis
(default 127.0.0.1; a throwaway schema and key prefix are used and removed).
Usage: .venv/bin/python benchmarks/bench_scaleout.py [--part burst|recovery|replicas|all] [--latency 0.1]
       [--database-url postgresql://127.0.0.1:5432/test] [--redis-url redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_webhook import gunicorn, signed, throwaway_schema  # noqa: E402

from bot.issues.render import MARKER  # noqa: E402
from bot.simulator.local import example, free_port, http, keypair, wait_for  # noqa: E402

BIN = Path(sys.executable).parent
TITLES = ["Fix typo in docs", "Design the cache layer", "Auth bypass in login"]


class Sim:
    """The GitHub simulator in its own process, seeded with `installations` repos of issues."""

    def __init__(self, tmp: Path, env: dict, installations: int, numbers: range, latency: float):
        private, public = keypair(tmp)
        self.private, self.port = private, free_port()
        repos = [{"full_name": f"bench/repo{i}", "installation_id": i + 1,
                  "issues": [{"number": n, "title": "x"} for n in numbers]} for i in range(installations)]
        (tmp / "seed.json").write_text(json.dumps({"repos": repos}))
        self.proc = subprocess.Popen([sys.executable, "-m", "bot.simulator.github", "--port", str(self.port), "--seed",
                                      str(tmp / "seed.json"), "--app-public-key", str(public), "--latency", str(latency)],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}"
        wait_for(lambda: http("GET", f"{self.url}/_sim/state")[0] == 200, 30, "simulator")

    def state(self) -> dict:
        return json.loads(http("GET", f"{self.url}/_sim/state")[1])

    def stickies(self, state: dict, repo_i: int, number: int) -> int:
        comments = state["repos"][f"bench/repo{repo_i}"]["comments"].values()
        return sum(1 for c in comments if c["issue_number"] == number and MARKER in c["body"])


def delivery(repo_i: int, number: int, delivery_id: str) -> tuple[bytes, dict]:
    p = example("issues", "opened")
    p = dict(p, issue=dict(p["issue"], number=number, title=TITLES[number % 3], body=""),
             installation={"id": repo_i + 1}, repository=dict(p["repository"], full_name=f"bench/repo{repo_i}"))
    return signed(p, delivery_id)


def base_env(sim: Sim) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "ANTHROPIC_", "DATABASE_URL", "REDIS_URL", "MODEL_ROUTER_"))}
    env.update(GITHUB_APP_ID="1", GITHUB_APP_PRIVATE_KEY=sim.private, GITHUB_WEBHOOK_SECRET="bench-secret",
               GITHUB_API_URL=sim.url, MODEL_ROUTER_LOG_LEVEL="WARNING", PYTHONPATH=CODE[0])
    env.update(SETTINGS)  # --set NAME=VALUE: e.g. the pacing or lease of an earlier default, for a before/after
    return env


SETTINGS: dict[str, str] = {}
CODE = [str(ROOT)]  # --code CHECKOUT: the service from another tree (e.g. a worktree of main) for a before/after


def done(sim: Sim, burst: list[tuple[int, int]]) -> tuple[bool, int]:
    """(every issue commented and labelled, how many were commented or labelled other than once)."""
    state = sim.state()
    counts = [(sim.stickies(state, r, n), _models(state, r, n)) for r, n in burst]
    return all(c and m for c, m in counts), sum(1 for c, m in counts if c != 1 or m != 1)


def _models(state: dict, repo_i: int, number: int) -> int:
    issue = state["repos"][f"bench/repo{repo_i}"]["issues"][str(number)]
    return sum(1 for lb in issue["labels"] if lb.startswith("model:"))


def writes(sim: Sim) -> tuple[int, dict]:
    """(content-creating requests GitHub accepted, count of every write answer by status)."""
    statuses: dict[int, int] = {}
    for r in json.loads(http("GET", f"{sim.url}/_sim/requests")[1]):
        if r["method"] in ("POST", "PATCH", "PUT", "DELETE") and not r["path"].startswith("/app/"):
            statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    return sum(n for s, n in statuses.items() if s < 300), statuses


def fail(sim: Sim, path_regex: str, status: int, times: int, retry_after: str | None = None) -> None:
    rule = {"method": "POST", "path_regex": path_regex, "status": status, "times": times}
    if retry_after:
        rule.update(headers={"Retry-After": retry_after}, body={"message": "You have exceeded a secondary rate limit."})
    http("POST", f"{sim.url}/_sim/fail", json.dumps(rule).encode(), {"Content-Type": "application/json"})


def recovery(a, tmp: Path) -> None:
    burst = [(i % a.installations, 100 + i) for i in range(a.issues)]
    sim = Sim(tmp, os.environ.copy(), a.installations, range(100, 100 + a.issues), a.latency)
    procs = [sim.proc]
    try:
        env = dict(base_env(sim), DATABASE_URL=f"sqlite:///{tmp / 'svc.db'}", MODEL_ROUTER_JOB_POLL_SECONDS="0.1")
        port = free_port()
        procs.append(gunicorn("bot.app:create_app()", port, env, tmp))
        acked = 0
        fail(sim, r"/comments$", 502, 2)  # half the faults during the burst
        fail(sim, r"/issues/\d+/labels$", 502, 1)
        for repo_i, number in burst:
            body, headers = delivery(repo_i, number, f"rec-{repo_i}-{number}-{uuid.uuid4().hex[:6]}")
            acked += http("POST", f"http://127.0.0.1:{port}/webhook", body, headers)[0] == 202
        db = sqlite3.connect(tmp / "svc.db")
        row = wait_for(lambda: db.execute("select worker from jobs where status='running' limit 1").fetchone(), 30,
                       "a job to be running")
        pid = int(row[0].split(":")[1])
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        fail(sim, r"/comments$", 502, 2)  # the other half while the service recovers
        fail(sim, r"/issues/\d+/labels$", 502, 1)
        fail(sim, r"/issues/\d+/labels$", 403, 3, retry_after="1")
        wait_for(lambda: done(sim, burst)[0], 180, "every issue after the kill", poll=0.2)
        last = time.monotonic() - killed
        _all, dupes = done(sim, burst)
        wait_for(lambda: not db.execute("select 1 from jobs where status in ('queued', 'running')").fetchone(), 30,
                 "the last job to be marked done")
        states = dict(db.execute("select status, count(*) from jobs group by status").fetchall())
        reaped = db.execute("select count(*) from jobs where lane like '%/orphan:%'").fetchone()[0]
        _ok, answers = writes(sim)
        print(f"Recovery: {a.issues} issues over {a.installations} installations acknowledged ({acked} x 202), "
              f"gunicorn worker {pid} killed (SIGKILL) mid-job; GitHub's answers to writes {answers}")
        print(f"  last delivery handled {last:.1f} s after the kill (target <= 30 s); jobs {states}; "
              f"reaped and retried {reaped}; issues commented or labelled other than once: {dupes}; "
              f"secondary-limit 403s (beyond the injected ones): {sim.state()['secondary_limit_hits']}")
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(30)


def burst(a, tmp: Path) -> None:
    """`--burst` (35) new issues in one installation through two replicas on PostgreSQL + Redis, default pacing."""
    issues = [(0, 100 + i) for i in range(a.burst)]
    sim = Sim(tmp, os.environ.copy(), 1, range(100, 100 + a.burst), a.latency)
    with replica_set(a, sim, tmp) as (ports, _procs):
        t = time.monotonic()
        acked = sum(http("POST", f"http://127.0.0.1:{ports[i % 2]}/webhook", *delivery(r, n, f"b-{i}-{uuid.uuid4().hex[:6]}"))[0]
                    == 202 for i, (r, n) in enumerate(issues))
        wait_for(lambda: done(sim, issues)[0], max(170, 2 * a.burst), "every issue", poll=0.2)
        took = time.monotonic() - t
        _all, wrong = done(sim, issues)
        accepted, answers = writes(sim)
        print(f"Burst: {a.burst} new issues in one installation, {acked} x 202 from 2 x `serve` on PostgreSQL + Redis; "
              f"GitHub's answers to writes {answers}")
        print(f"  last issue labelled and commented {took:.1f} s after the first delivery (target: {accepted} writes "
              f"/ 80 per min + 20 s = {accepted / 80 * 60 + 20:.1f} s); secondary-limit 403s: "
              f"{sim.state()['secondary_limit_hits']}; issues labelled or commented other than once: {wrong}")


@contextlib.contextmanager
def replica_set(a, sim: Sim, tmp: Path, worker_threads: int | None = None):
    """Two `serve` replicas (1 gunicorn worker, default job threads each; and a `worker` when asked) on a throwaway
    PostgreSQL schema and Redis key prefix, ready; yields (ports, processes); stops them and cleans up."""
    import redis

    procs, prefix = [], f"bench-{uuid.uuid4().hex[:8]}:"
    try:
        with throwaway_schema(a.database_url) as db_url:
            env = dict(base_env(sim), DATABASE_URL=db_url, REDIS_URL=a.redis_url, MODEL_ROUTER_REDIS_PREFIX=prefix,
                       MODEL_ROUTER_JOB_POLL_SECONDS="0.1")
            ports = [free_port(), free_port()]
            procs += [serve(port, env, tmp) for port in ports]
            if worker_threads:
                procs.append(subprocess.Popen([str(BIN / "model-router"), "worker", "--threads", str(worker_threads)],
                                              env=env, cwd=tmp, start_new_session=True, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL))
            for port in ports:
                wait_for(lambda: http("GET", f"http://127.0.0.1:{port}/readyz")[0] == 200, 60, "a replica")
            yield ports, procs
    finally:
        stop(procs, sim)
        client = redis.Redis.from_url(a.redis_url)
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)


def serve(port: int, env: dict, tmp: Path) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "model-router"), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                            env=env, cwd=tmp, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(procs: list[subprocess.Popen], sim: Sim) -> None:
    for p in reversed(procs):
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        p.wait(30)
    sim.proc.terminate()
    sim.proc.wait(30)


def replicas(a, tmp: Path, kill: bool) -> None:
    burst = [(i % 20, 100 + i) for i in range(60)]
    sim = Sim(tmp, os.environ.copy(), 20, range(100, 160), a.latency)
    with replica_set(a, sim, tmp, worker_threads=4) as (ports, procs):
        t = time.perf_counter()
        acked = 0
        for i, (repo_i, number) in enumerate(burst):
            if kill and i == len(burst) // 2:
                os.killpg(procs[0].pid, signal.SIGKILL)
            port = ports[1] if kill and i >= len(burst) // 2 else ports[i % 2]
            body, headers = delivery(repo_i, number, f"rep-{i}-{uuid.uuid4().hex[:6]}")
            acked += http("POST", f"http://127.0.0.1:{port}/webhook", body, headers)[0] == 202
        wait_for(lambda: done(sim, burst)[0], 180, "every issue")
        took = time.perf_counter() - t
        _all, dupes = done(sim, burst)
        print(f"Replicas: 2 x `serve` + 1 x `worker`, PostgreSQL + Redis; 60 issues over 20 installations, "
              f"{acked} x 202" + ("; one replica killed (SIGKILL) after 30" if kill else ""))
        print(f"  all labelled and commented in {took:.1f} s" + ("" if kill else " (target <= 15 s)") + "; secondary-limit 403s: "
              f"{sim.state()['secondary_limit_hits']}; issues labelled or commented other than once: {dupes}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=("burst", "recovery", "replicas", "all"), default="all")
    ap.add_argument("--latency", type=float, default=0.1, help="simulated GitHub latency per call (s)")
    ap.add_argument("--issues", type=int, default=30, help="recovery: issues in the burst")
    ap.add_argument("--burst", type=int, default=35, help="burst: new issues in the one installation")
    ap.add_argument("--installations", type=int, default=3, help="recovery: installations (lanes) they spread over")
    ap.add_argument("--database-url", default="postgresql://127.0.0.1:5432/test")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a service setting for every part, e.g. GITHUB_MIN_WRITE_INTERVAL=0 (repeatable)")
    ap.add_argument("--code", help="run the service from this checkout (the simulator stays this one's)")
    a = ap.parse_args()
    CODE[0] = str(Path(a.code).resolve()) if a.code else CODE[0]
    SETTINGS.update(kv.split("=", 1) for kv in a.set)
    with tempfile.TemporaryDirectory(prefix="bench-scaleout-") as d:
        if a.part in ("burst", "all"):
            (Path(d) / "b").mkdir()
            burst(a, Path(d) / "b")
        if a.part in ("recovery", "all"):
            (Path(d) / "r").mkdir()
            recovery(a, Path(d) / "r")
        if a.part in ("replicas", "all"):
            for kill in (False, True):
                (Path(d) / f"s{kill}").mkdir()
                replicas(a, Path(d) / f"s{kill}", kill)
    return 0


if __name__ == "__main__":
    sys.exit(main())
