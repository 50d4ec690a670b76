"""#36: `/metrics` reports Anthropic spend from a per-process tally brought up to date by the rows written since the
last scrape (indexed time columns), not by summing the run and review tables on every scrape."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import event, text

from tests.plugins.app import METRICS_AUTH
from tests.test_ops_observability import samples

SPEND = "model_router_anthropic_spend_usd"
TABLES = ("executor_dispatches", "review_records")
T0 = datetime(2026, 11, 20, 10, 0)


def _run(store, n, tier, cost):
    row, _ = store.claim_dispatch(key=f"o/r#{n}:{tier}", repo="o/r", number=n, tier=tier, mode="execute",
                                  model="m", complexity="simple", estimated_cost_usd=0.0, attempt=1, by="x")
    store.record_outcome(row.dispatch_id, run_id=n, success=True, actual_cost_usd=cost)


def _review(store, n, cost):
    store.record_review("o/r", n, head_sha="a" * 40, model="m", verdict="pass", state="success", trigger="push",
                        cost_usd=cost)


def _spend(client):
    got = samples(client.get("/metrics", headers=METRICS_AUTH).get_data(as_text=True))
    return {(dict(labels)["tier"], dict(labels)["source"]): round(v, 6) for (name, labels), v in got.items()
            if name == SPEND}


def _full_scans(engine, statements):
    """The statements (with their parameters) whose SQLite plan walks a whole run or review table."""
    scans = []
    with engine.connect() as conn:
        for sql, params in statements:
            plan = " | ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
            if any(f"SCAN {t}" in plan and f"USING INDEX" not in plan.split(f"SCAN {t}")[1][:60] for t in TABLES):
                scans.append((sql, plan))
    return scans


def test_a_scrape_reads_what_changed_not_the_tables(client, runtime):
    now = [T0]
    runtime.store.clock = lambda: now[0]
    tally = client.application.extensions.get("model_router_spend")
    if tally is not None:
        tally.clock = lambda: now[0]
    _run(runtime.store, 1, "haiku", 0.5)
    _review(runtime.store, 1, 2.0)
    assert _spend(client)[("haiku", "executor")] == 0.5 and _spend(client)[("opus", "review")] == 2.0
    now[0] += timedelta(hours=1)
    _run(runtime.store, 2, "haiku", 0.25)
    _run(runtime.store, 3, "sonnet", 1.0)
    _review(runtime.store, 2, 3.0)
    statements = []

    def seen(conn, cursor, sql, params, context, executemany):
        if any(t in sql for t in TABLES):
            statements.append((sql, params))

    event.listen(runtime.engine, "before_cursor_execute", seen)
    try:
        spend = _spend(client)
    finally:
        event.remove(runtime.engine, "before_cursor_execute", seen)
    assert spend[("haiku", "executor")] == 0.75 and spend[("sonnet", "executor")] == 1.0
    assert spend[("opus", "review")] == 5.0
    assert statements and _full_scans(runtime.engine, statements) == []
    now[0] += timedelta(hours=1)  # the rows written an hour ago are folded into the kept totals once
    assert _spend(client) == spend
