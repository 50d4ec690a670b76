"""What learning costs the Action (#21): API requests and time to read the routing history — numbers for docs, never tests.

    .venv/bin/python benchmarks/bench_action_history.py [--issues 100] [--latency 0,0.1,0.25] [--after 0] [--json]

Seeds the offline GitHub simulator (every request checked against GitHub's OpenAPI description) with N routed
issues, each with a human comment and the bot's signed sticky comment carrying one finished run, then routes a
new issue through the Action's entry point (in process, `bot.action.runner.run`) twice: cold (no cache file) and
warm (the cache the cold job wrote, after one more issue was routed). `--latency` adds that many seconds to every
simulated GitHub response (GitHub.com answers a REST read in roughly 0.1-0.3 s). `--after K` adds K more people's
comments to each issue after the sticky comment (a discussion that goes on once the issue is routed).
"""

from __future__ import annotations

import argparse
import copy
import gzip
import io
import json
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.action.runner import run  # noqa: E402
from bot.action.settings import ActionSettings  # noqa: E402
from bot.config import RepoConfig  # noqa: E402
from bot.issues.render import MARKER  # noqa: E402
from bot.issues.state import encode, issue_key  # noqa: E402
from bot.models import IssueInput  # noqa: E402
from bot.routing import route  # noqa: E402
from bot.simulator.github import FakeGitHub  # noqa: E402
from bot.simulator.openapi import DATA, DEFAULT_SPEC  # noqa: E402
from bot.store.records import RunState  # noqa: E402

REPO, KEY, BOT = "octo-org/bench", b"bench-state-key", "github-actions[bot]"
WHEN = datetime(2026, 3, 2, 10, 0)


def _seed(fake: FakeGitHub, n: int, after: int = 0) -> None:
    fake.add_repo(REPO)
    d = route(IssueInput(title="Fix typo in README"), RepoConfig())
    label = RepoConfig().labels.model_label(d.tier)
    for number in range(1, n + 1):
        r = RunState(dispatch_id=f"r{number}.1", tier=d.tier.value, model=d.model, complexity=d.complexity.value,
                     status="success", actual_cost_usd=0.03, created_at=WHEN, completed_at=WHEN)
        fake.add_issue(REPO, number, f"Fix typo {number}", labels=[label])
        human = fake.add_comment(REPO, number, "thanks", user="octocat")
        body = f"{MARKER}\n{encode(d, runs=[r], key=issue_key(KEY, REPO, number))}\nRouted."
        bot = fake.add_comment(REPO, number, body, user=BOT, user_type="Bot")
        later = [fake.add_comment(REPO, number, f"comment {k}", user="octocat") for k in range(after)]
        stamp = f"2026-03-02T{10 + number // 3600:02d}:{number // 60 % 60:02d}:{number % 60:02d}Z"  # routed before the jobs
        for cid in (human, bot, *later):
            fake.repo(REPO)["comments"][cid]["updated_at"] = stamp
        fake.repo(REPO)["issues"][number]["updated_at"] = stamp


def _job(fake: FakeGitHub, number: int, tmp: Path, cache: Path) -> tuple[float, float, Counter, str]:
    with gzip.open(DATA / "webhook-examples.json.gz", "rt", encoding="utf-8") as f:
        opened = next(e for e in json.load(f) if e["name"] == "issues")["examples"]
    payload = copy.deepcopy(next(e for e in opened if e.get("action") == "opened"))
    payload["issue"].update(number=number, title="Fix typo in CONTRIBUTING", body="", labels=[])
    payload["repository"].update(full_name=REPO, name="bench")
    fake.seed_payload(payload)
    event = tmp / f"event-{number}.json"
    event.write_text(json.dumps(payload))
    settings = ActionSettings(event_name="issues", event_path=event, api_url=fake.url, token="ghs_bench",
                              repository=REPO, state_key=KEY.decode(), history_cache=str(cache),
                              runner_temp=tmp, output_file=tmp / "out.txt")
    start, out = len(fake.requests), io.StringIO()
    t0 = time.perf_counter()
    assert run(settings, stream=out).exit_code == 0, out.getvalue()
    total = time.perf_counter() - t0
    log = out.getvalue()
    m = re.search(r"Learned from (\d+) recently routed issues \((\d+) runs[^;]*; (\w+ start), ([\d.]+) s\)", log)
    assert m, log
    return float(m.group(4)), total, Counter(r.operation_id for r in fake.requests[start:]), m.group(0)


def measure(n: int, latency: float, after: int = 0) -> dict:
    with FakeGitHub(DEFAULT_SPEC) as fake, tempfile.TemporaryDirectory() as tmp:
        _seed(fake, n, after)
        fake.latency = latency
        cache = Path(tmp) / "cache" / "history.json"
        out = {}
        for name, number in (("cold", n + 1), ("warm", n + 2)):
            history_s, total_s, ops, line = _job(fake, number, Path(tmp), cache)
            reads = sum(v for k, v in ops.items() if k in ("issues/list-for-repo", "issues/list-comments-for-repo",
                                                            "issues/get"))  # get: an issue routed since, its words
            reads += ops["issues/list-comments"] - 2  # the job's own issue: read before and after routing
            out[name] = {"history_s": round(history_s, 2), "job_s": round(total_s, 2), "history_requests": reads,
                         "job_requests": sum(ops.values()), "line": line}
        assert not fake.violations, fake.violations
        out["cache_bytes"] = cache.stat().st_size
        return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--issues", type=int, default=100)
    ap.add_argument("--latency", default="0,0.1,0.25")
    ap.add_argument("--after", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    rows = {lat: measure(a.issues, float(lat), a.after) for lat in a.latency.split(",")}
    if a.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{a.issues} routed issues | latency/request | start | history reads | history s | whole job s | job requests")
    for lat, r in rows.items():
        for name in ("cold", "warm"):
            x = r[name]
            print(f"| {lat} s | {name} | {x['history_requests']} | {x['history_s']} | {x['job_s']} | {x['job_requests']} |")
        print(f"cache file: {r['cache_bytes']} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
