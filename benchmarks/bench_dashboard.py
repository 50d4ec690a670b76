"""Dashboard benchmark: GET /dashboard/<repo> (and the index) with 100,000 routing records in the store.

Target (issue #16): the dashboard answers in < 200 ms. The store is SQLite (the default), filled by
bot.simulator.history (issues with runs, escalations and overrides over 12 weeks); requests go through
the real Flask app (bearer token) in process, so the figure is the server's time, no network.
Run: .venv/bin/python benchmarks/bench_dashboard.py [--records N] [--json] [--postgres URL]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_S = 0.200
TOKEN = "bench-dashboard-token"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--records", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()

    from bot.app import create_app
    from bot.app.resources import EXTENSION
    from bot.settings import ServiceSettings as Settings
    from bot.simulator.history import seed_history
    from bot.models import Complexity, RoutingDecision, Strategy, Tier
    from bot.store.db import make_engine
    from bot.store.issues import IssueStore

    DECISION = RoutingDecision(tier=Tier.haiku, model="claude-haiku", complexity=Complexity.simple, confidence=0.9,
                               strategy=Strategy.pattern, rationale="bench", estimated_cost_usd=0.002,
                               baseline_cost_usd=0.009, savings_usd=0.007)

    with tempfile.TemporaryDirectory() as tmp:
        url = a.database_url or f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        t0 = time.perf_counter()
        repos = ["acme/api", "acme/web", "acme/docs", "other/tool"]
        # 100,000 records: most in one repository (the worst page), the rest spread
        seed_history(engine, repos[:1], int(a.records * 0.7), seed=1)
        seed_history(engine, repos[1:], a.records - int(a.records * 0.7), seed=2, number_offset=10**6)
        seeded = time.perf_counter() - t0
        settings = Settings(github_token="unused", github_webhook_secret="unused", database_url=url,
                            worker_threads=0, dashboard_token=TOKEN, log_level="WARNING", _env_file=None)
        app = create_app({"SETTINGS": settings, "ENGINE": engine})
        client = app.test_client()
        headers = {"Authorization": f"Bearer {TOKEN}"}
        store = IssueStore(engine)
        t = time.perf_counter()
        assert client.get("/dashboard/acme/api", headers=headers).status_code == 200
        cold = time.perf_counter() - t  # the process's first view: the full rollup over every record
        results = {}
        n = iter(range(1, 10**6))

        def route_one() -> None:  # a new issue routed just before the view: its day is recomputed
            store.record_decision("acme/api", 5_000_000 + next(n), DECISION)

        for name, path, before in (
            ("repo page (70,000 issues)", "/dashboard/acme/api", None),
            ("repo page, 1 write before each", "/dashboard/acme/api", route_one),
            ("index (all 4 repos)", "/dashboard/", None),
            ("repo JSON", "/dashboard/api/acme/api", None),
        ):
            times = []
            for i in range(a.repeat + 2):
                if before:
                    before()
                t = time.perf_counter()
                r = client.get(path, headers=headers)
                dt = time.perf_counter() - t
                assert r.status_code == 200, (path, r.status_code)
                if i >= 2:  # warm-up
                    times.append(dt)
            results[name] = {"median_ms": round(statistics.median(times) * 1000, 1),
                             "p90_ms": round(sorted(times)[int(0.9 * len(times)) - 1] * 1000, 1)}
        app.extensions[EXTENSION].close()
        engine.dispose()
    ok = all(v["median_ms"] < TARGET_S * 1000 for v in results.values())
    if a.json:
        print(json.dumps({"records": a.records, "seed_s": round(seeded, 1), "first_view_ms": round(cold * 1000),
                          "results": results, "target_ms": 200, "ok": ok}, indent=2))
    else:
        print(f"dashboard with {a.records:,} routing records ({'sqlite' if not a.database_url else a.database_url.split(':')[0]}; "
              f"seeded in {seeded:.1f} s)")
        print(f"  first view after start (full rollup, then kept up to date): {cold * 1000:.0f} ms")
        for name, v in results.items():
            print(f"  {name:<28} median {v['median_ms']:7.1f} ms   p90 {v['p90_ms']:7.1f} ms")
        print(f"target < 200 ms: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
