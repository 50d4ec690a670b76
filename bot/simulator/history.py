"""A synthetic routing history (issues, people's overrides, executor runs with costs) bulk-loaded into a store,
for the dashboard's tests, its browser test and benchmark. Deterministic for a seed; plausible, not real."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import Engine, insert

from bot.store.tables import init_db
from bot.store.issue_rows import Dispatch, Override, RoutingRecord

COST = {"haiku": 0.003, "sonnet": 0.015, "opus": 0.03}  # per task at "standard"; only the shape matters
SCALE = {"trivial": 0.3, "simple": 0.6, "standard": 1.0, "complex": 2.5}
SUCCESS = {"haiku": 0.86, "sonnet": 0.93, "opus": 0.97}


def seed_history(engine: Engine, repos: list[str], issues: int, *, weeks: int = 12, end: datetime | None = None,
                 seed: int = 16, batch: int = 5000, number_offset: int = 0) -> None:
    """`issues` routed issues spread over `weeks` weeks before `end`, round-robin over `repos`."""
    init_db(engine)
    rng = random.Random(seed)
    end = end or datetime(2026, 11, 27, 12, 0)
    recs, ovs, runs = [], [], []

    def flush(force: bool = False) -> None:
        if recs and (force or len(recs) >= batch):
            with engine.begin() as conn:
                conn.execute(insert(RoutingRecord), recs)
                if ovs:
                    conn.execute(insert(Override), ovs)
                if runs:
                    conn.execute(insert(Dispatch), runs)
            recs.clear(), ovs.clear(), runs.clear()

    for i in range(issues):
        repo, number = repos[i % len(repos)], number_offset + i // len(repos) + 1
        when = end - timedelta(seconds=rng.randrange(weeks * 7 * 86400))
        tier = rng.choices(["haiku", "sonnet", "opus"], [0.5 + 0.02 * (when - end).days / 7, 0.43, 0.07])[0]
        complexity = rng.choice(list(SCALE))
        est = round(COST[tier] * SCALE[complexity], 6)
        base = round(COST["sonnet"] * SCALE[complexity], 6)
        rid = f"h{seed:03d}{number_offset + i:012d}"[-32:]
        recs.append(dict(routing_id=rid, repo=repo, number=number, tier=tier, model=f"claude-{tier}", complexity=complexity,
                         strategy="rules", confidence=0.8, estimated_cost_usd=est, baseline_cost_usd=base,
                         auto_tier=tier, source="auto", decision={}, created_at=when, updated_at=when))
        if rng.random() < 0.04:
            ovs.append(dict(repo=repo, number=number, field="tier", old=tier, new="sonnet", by="someone",
                            created_at=when + timedelta(minutes=5)))
        attempt, run_tier = 1, tier
        while rng.random() < 0.8:  # most issues get a run; failures escalate one tier up
            ok = rng.random() < SUCCESS[run_tier]
            runs.append(dict(dispatch_id=f"{rid}.{attempt}", key=f"{repo}#{number}:{attempt}", repo=repo, number=number,
                             routing_id=rid, mode="execute", tier=run_tier, model=f"claude-{run_tier}",
                             complexity=complexity, attempt=attempt, estimated_cost_usd=est,
                             status="success" if ok else "failure", by="model-router", run_id=i * 10 + attempt,
                             run_url=f"https://github.com/{repo}/actions/runs/{i * 10 + attempt}",
                             actual_cost_usd=round(COST[run_tier] * SCALE[complexity] * rng.uniform(0.5, 1.3), 6),
                             created_at=when + timedelta(minutes=10 * attempt),
                             completed_at=when + timedelta(minutes=10 * attempt + 7)))
            if ok or run_tier == "opus":
                break
            attempt, run_tier = attempt + 1, {"haiku": "sonnet", "sonnet": "opus"}[run_tier]
        flush()
    flush(force=True)
