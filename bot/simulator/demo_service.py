"""The service half of `make demo`: offline GitHub simulator + gunicorn + the bundled samples as signed issue events."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

from bot.measures.definitions import fmt, met_mark, savings
from bot.simulator.demo_outcomes import FAILS, record_outcomes
from bot.simulator.local import EXAMPLES, example, free_port, http, keypair, wait_for
from bot.simulator.samples import load_samples, route_samples

REPO = "Codertocat/Hello-World"
VIEWER = "demo-viewer"  # who the simulated github.com has signed in; may read the demo repository
WAIT_SECONDS = 600
ISSUES = [{k: s.get(k, d) for k, d in (("title", ""), ("body", ""), ("labels", []))} for s in load_samples()]


def run_service_demo(out: IO[str]) -> int:
    if not EXAMPLES.exists():
        print("\n(service demo skipped: bot/simulator/data is not present in this installation)", file=out)
        return 0
    print("\nmodel-router demo, part 2: the App service (gunicorn + SQLite) against an offline GitHub simulator\n", file=out)
    with tempfile.TemporaryDirectory(prefix="model-router-demo-") as tmpdir:
        tmp = Path(tmpdir)
        private, public = keypair(tmp)
        gh_port, app_port, secret, token = free_port(), free_port(), secrets.token_hex(16), secrets.token_hex(16)
        env = _environment(tmp, gh_port, private, secret, token)
        procs = [
            subprocess.Popen([sys.executable, "-m", "bot.simulator.github", "--port", str(gh_port), "--seed",
                              str(tmp / "seed.json"), "--app-public-key", str(public)],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        ]
        try:
            gh = f"http://127.0.0.1:{gh_port}"
            wait_for(lambda: http("GET", f"{gh}/_sim/state")[0] == 200, 30, "the GitHub simulator")
            with (tmp / "service.log").open("w") as log:  # the child keeps its own copy of the descriptor
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "bot", "serve", "--bind", f"127.0.0.1:{app_port}", "--workers", "2"],
                    env=env, stdout=subprocess.DEVNULL, stderr=log))
            app = f"http://127.0.0.1:{app_port}"
            wait_for(lambda: http("GET", f"{app}/readyz")[0] == 200, 60, "the service")
            print(f"GitHub simulator on {gh}, service on {app} (gunicorn, 2 workers, SQLite)", file=out)
            started = time.monotonic()
            _deliver(app, secret, out)
            try:
                final = wait_for(lambda: _all_commented(gh), 60, "the sticky comments")
            except TimeoutError:
                print((tmp / "service.log").read_text()[-3000:], file=out)
                raise
            print(f"  all {len(ISSUES)} issues labelled and commented {time.monotonic() - started:.1f} s after delivery\n", file=out)
            _show_issues(final["repos"][REPO.lower()], out)
            if final.get("violations"):
                print(f"GitHub API violations: {final['violations']}", file=out)
                return 1
            print("Every GitHub request was checked against GitHub's OpenAPI description: no violations.", file=out)
            if _numbers(app, token) is None:
                wait_for(lambda: _numbers(app, token), 15, "the routing records")
            _simulate_runs(env["DATABASE_URL"], out)
            show_dashboard(app, token, out)
            return 0
        finally:
            _stop(procs)


def _stop(procs: list[subprocess.Popen]) -> None:
    """The service, then the simulator: terminate, wait, kill what did not stop."""
    for p in reversed(procs):
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


def _environment(tmp: Path, gh_port: int, private: str, secret: str, token: str) -> dict[str, str]:
    """The seed file for the simulator and the service's environment (nothing of the caller's GitHub setup)."""
    seed = {"oauth_login": VIEWER, "repos": [{"full_name": REPO, "installation_id": 1, "permissions": {VIEWER: "read"},
                       "issues": [{"number": n, **issue} for n, issue in enumerate(ISSUES, 1)]}]}
    (tmp / "seed.json").write_text(json.dumps(seed))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "ANTHROPIC_", "DATABASE_URL"))}
    env.update(GITHUB_APP_ID="1", GITHUB_APP_PRIVATE_KEY=private, GITHUB_WEBHOOK_SECRET=secret,
               GITHUB_API_URL=f"http://127.0.0.1:{gh_port}", DATABASE_URL=f"sqlite:///{tmp / 'demo.db'}",
               MODEL_ROUTER_JOB_POLL_SECONDS="0.1", MODEL_ROUTER_LOG_LEVEL="WARNING",
               # the dashboard: sign-in through the simulator's OAuth pages (it plays github.com too)
               MODEL_ROUTER_GITHUB_WEB_URL=f"http://127.0.0.1:{gh_port}", GITHUB_CLIENT_ID="Iv1.simulated",
               GITHUB_CLIENT_SECRET="simulated-client-secret", MODEL_ROUTER_DASHBOARD_TOKEN=token)
    return env


def _label(template: dict, name: str, index: int) -> dict:
    """A label object shaped like GitHub's (the webhook's schema is checked at the door)."""
    return {**template, "id": template["id"] + index, "node_id": f"{template['node_id']}{index}", "name": name,
            "url": template["url"].rsplit("/", 1)[0] + "/" + name, "default": False, "description": None}


def _deliver(app: str, secret: str, out: IO[str]) -> None:
    """One signed `issues.opened` per demo issue (GitHub's own example payload with the sample's text and labels)."""
    for number, issue in enumerate(ISSUES, 1):
        payload = example("issues", "opened")
        template = payload["issue"]["labels"][0]
        labels = [_label(template, name, i) for i, name in enumerate(issue["labels"], 1)]
        payload["issue"].update(number=number, title=issue["title"], body=issue["body"], labels=labels)
        payload["installation"] = {"id": 1}
        body = json.dumps(payload).encode()
        sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        status, _ = http("POST", f"{app}/webhook", body, {
            "X-GitHub-Event": "issues", "X-GitHub-Delivery": f"demo-{number}",
            "X-Hub-Signature-256": sig, "Content-Type": "application/json"})
        if number == 1:
            print("  (each one GitHub's own example payload of issues.opened, with the sample's text and labels, "
                  "signed)", file=out)
        print(f"  delivered issues.opened #{number:<2} -> HTTP {status}: {issue['title'][:70]}", file=out)


def _all_commented(gh: str) -> dict | None:
    """The simulator's state once every demo issue has its comment."""
    s = json.loads(http("GET", f"{gh}/_sim/state")[1] or b"{}")
    repo = (s.get("repos") or {}).get(REPO.lower()) or {}
    commented = {c["issue_number"] for c in (repo.get("comments") or {}).values()}
    return s if len(commented) == len(ISSUES) else None


def _show_issues(repo: dict, out: IO[str]) -> None:
    """Every issue's labels on one line; the whole sticky comment of the first haiku and first security issue."""
    comments = {c["issue_number"]: c["body"] for c in (repo.get("comments") or {}).values()}
    haiku = [n for n in range(1, len(ISSUES) + 1) if "model:haiku" in repo["issues"][str(n)]["labels"]]
    security = [n for n in range(1, len(ISSUES) + 1) if "Security-sensitive" in comments.get(n, "")]
    shown = sorted(set(haiku[:1] + security[:1]))
    for number in range(1, len(ISSUES) + 1):
        issue = repo["issues"][str(number)]
        routed = ", ".join(x for x in issue["labels"] if x.lower().startswith(("model:", "complexity:")))
        print(f"#{number:<2} {routed:<36} {issue['title'][:60]}", file=out)
    print(file=out)
    for number in shown:
        issue = repo["issues"][str(number)]
        print(f"#{number} {issue['title']}", file=out)
        print(f"  labels: {', '.join(issue['labels'])}", file=out)
        for c in (repo.get("comments") or {}).values():
            if c["issue_number"] == number:
                print(f"  comment by {c['user']}:", file=out)
                for line in c["body"].splitlines():
                    if line.strip() and not line.startswith(("<!--", "<details", "</details", "|---")):
                        print(f"    {line}", file=out)
        print(file=out)


def _numbers(app: str, token: str, outcomes: bool = False) -> dict | None:
    """The dashboard's numbers once every demo issue's routing record (and, with `outcomes`, run) is counted."""
    status, body = http("GET", f"{app}/dashboard/api/{REPO}", headers={"Authorization": f"Bearer {token}"})
    data = json.loads(body) if status == 200 else None
    if not data or data["issues"] < len(ISSUES):
        return None
    return data if not outcomes or all(c["value"] != "—" for c in data["cards"]) else None


def _simulate_runs(database_url: str, out: IO[str]) -> None:
    """Deterministic executor outcomes in the service's store (bot/simulator/demo_outcomes.py)."""
    from sqlalchemy import create_engine

    from bot.store.issues import IssueStore

    store = IssueStore(create_engine(database_url))
    try:
        done = record_outcomes(store, REPO, {n: issue["title"] for n, issue in enumerate(ISSUES, 1)})
    finally:
        store.close()
    failing = "; ".join(f"{title!r} on {tier}" for title, tier in sorted(FAILS))
    print(f"\nsimulated executor: {done.runs} runs on {len(ISSUES)} issues, {len(done.escalations)} escalation"
          f"{'s' if len(done.escalations) != 1 else ''} ({', '.join(done.escalations) or 'none'}): every run's pull request "
          f"merges with its checks passing but {failing}'s, whose agent reported success while its checks failed; the "
          "runs report outcomes, not costs.", file=out)


def _unlike_the_table() -> str:
    """What the App routed differently from the samples table: a new issue has no changed-file count."""
    table, app = route_samples(), route_samples(files=False)
    saved = fmt("savings", savings(sum(d.estimated_cost_usd for _, d in table), sum(d.baseline_cost_usd for _, d in table)))
    moved = [f"#{n} {a.tier.value} not {t.tier.value}" for n, ((_, t), (_, a)) in enumerate(zip(table, app), 1)
             if a.tier is not t.tier]
    if not moved:
        return "the same routing as the samples table above"
    return (f"the samples table above saves {saved}: it routed with the samples' changed-file counts, which a new issue "
            f"does not have: {', '.join(moved)}")


def show_dashboard(app: str, token: str, out: IO[str], wait: float | None = None) -> None:
    """Print the demo's numbers and the dashboard URL, then keep the service up until Enter or a timeout
    (not at all without a terminal or under CI, so `make demo` never hangs a pipeline)."""
    try:
        data = wait_for(lambda: _numbers(app, token, outcomes=True), 15, "the dashboard")
        cards = data["cards"]
    except TimeoutError as exc:
        print(f"dashboard: {exc}", file=out)
        return
    print("\nThe five numbers for the demo's issues (savings and average cost are the router's estimates: the "
          "simulated runs report no cost):", file=out)
    for c in cards:
        print(f"  {c['name']:<36} {c['value']:>8}  target {c['target']:<19} {met_mark(c['met'])}", file=out)
    print(f"  ({_unlike_the_table()})", file=out)
    if data.get("gap"):
        print(f"  Claimed vs true: {data['gap']}", file=out)
    print(f"\nDashboard: {app}/dashboard/{REPO}", file=out)
    print(f"  (open it in a browser: the simulated GitHub signs you in as {VIEWER}, who may read {REPO})", file=out)
    wait = WAIT_SECONDS if wait is None else wait
    if os.environ.get("CI") or not sys.stdin.isatty() or wait <= 0:
        return
    print(f"Press Enter to stop the demo (it stops by itself after {wait:.0f} s).", file=out, flush=True)
    import select

    if select.select([sys.stdin], [], [], wait)[0]:
        sys.stdin.readline()
