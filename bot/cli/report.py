"""`model-router report`: how the routing experiment is going, from the experiments store."""

from __future__ import annotations

import argparse
import json
import os
from collections import defaultdict

from bot.cli import UsageError

HAIKU_SUCCESS_TARGET = 0.85


def compute(records: list[dict]) -> dict:
    """Pure: the report's numbers from IssueStore.records()."""
    n = len(records)
    tiers = defaultdict(int)
    runs: dict[str, dict[str, int]] = defaultdict(lambda: {"runs": 0, "success": 0})
    overridden = 0
    baseline = cost = 0.0
    actual_costs: list[float] = []
    for rec in records:
        tiers[rec["tier"]] += 1
        overridden += bool(rec["overrides"])
        finished = [d for d in rec["dispatches"] if d["status"] in ("success", "failure")]
        for d in finished:
            runs[d["tier"]]["runs"] += 1
            runs[d["tier"]]["success"] += d["status"] == "success"
        known = [d["actual_cost_usd"] for d in finished if d.get("actual_cost_usd") is not None]
        if known:
            actual_costs.append(sum(known))
        baseline += rec["baseline_cost_usd"] or 0.0
        cost += sum(known) if known else (rec["estimated_cost_usd"] or 0.0)
    per_tier = {
        t: {**runs[t], "success_rate": (runs[t]["success"] / runs[t]["runs"]) if runs[t]["runs"] else None}
        for t in ("haiku", "sonnet", "opus")
    }
    haiku_rate = per_tier["haiku"]["success_rate"]
    return {
        "issues": n,
        "tiers": {t: tiers.get(t, 0) for t in ("haiku", "sonnet", "opus")},
        "haiku_share": tiers["haiku"] / n if n else None,
        "success_by_tier": per_tier,
        "haiku_success_target": HAIKU_SUCCESS_TARGET,
        "haiku_target_met": None if haiku_rate is None else haiku_rate >= HAIKU_SUCCESS_TARGET,
        "average_estimated_cost_usd": (sum(r["estimated_cost_usd"] or 0.0 for r in records) / n) if n else None,
        "average_actual_cost_usd": (sum(actual_costs) / len(actual_costs)) if actual_costs else None,
        "issues_with_actual_cost": len(actual_costs),
        "baseline_all_sonnet_usd": round(baseline, 6),
        "cost_usd": round(cost, 6),
        "savings_vs_all_sonnet_usd": round(baseline - cost, 6),
        "savings_pct": ((baseline - cost) / baseline) if baseline > 0 else None,
        "overridden_issues": overridden,
        "routing_accuracy": (1 - overridden / n) if n else None,
    }


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def render(r: dict, repo: str | None) -> str:
    scope = repo or "all repositories"
    if not r["issues"]:
        return f"model-router report ({scope}): no routed issues recorded yet."
    rates = []
    for tier, s in r["success_by_tier"].items():
        rate = f"{_pct(s['success_rate'])} ({s['success']}/{s['runs']})" if s["runs"] else "— (no runs)"
        if tier == "haiku" and r["haiku_target_met"] is not None:
            rate += f" {'meets' if r['haiku_target_met'] else 'BELOW'} target ≥ {r['haiku_success_target']:.0%}"
        elif tier == "haiku":
            rate += f" (target ≥ {r['haiku_success_target']:.0%})"
        rates.append(f"{tier} {rate}")
    actual = (
        f"${r['average_actual_cost_usd']:.4f} actual over {r['issues_with_actual_cost']} issue(s) with runs; "
        if r["average_actual_cost_usd"] is not None
        else ""
    )
    return "\n".join(
        [
            f"model-router report ({scope}): {r['issues']} routed issue(s)",
            f"  Haiku share:            {_pct(r['haiku_share'])} ({r['tiers']['haiku']} of {r['issues']}; "
            f"sonnet {r['tiers']['sonnet']}, opus {r['tiers']['opus']})",
            f"  Success rate by tier:   {'; '.join(rates)}",
            f"  Average task cost:      {actual}${r['average_estimated_cost_usd']:.4f} estimated",
            f"  Savings vs all-Sonnet:  ${r['savings_vs_all_sonnet_usd']:.4f} ({_pct(r['savings_pct'])}) "
            f"of ${r['baseline_all_sonnet_usd']:.4f}",
            f"  Routing accuracy:       {_pct(r['routing_accuracy'])} (1 − override rate; "
            f"{r['overridden_issues']} of {r['issues']} overridden)",
        ]
    )


def review_summary(reviews: list[dict], overrides: list[dict]) -> dict:
    """Pure: the Opus review gate's records in a few numbers."""
    by = defaultdict(int)
    for r in reviews:
        by[r["verdict"]] += 1
    return {
        "reviews": len(reviews),
        "pull_requests": len({(r["repo"], r["number"]) for r in reviews}),
        "verdicts": dict(sorted(by.items())),
        "incremental": sum(r["base_sha"] is not None for r in reviews),
        "overrides": len(overrides),
    }


def review_line(s: dict) -> str:
    verdicts = ", ".join(f"{n} {v}" for v, n in s["verdicts"].items()) or "none"
    return (f"  Opus reviews:           {s['reviews']} on {s['pull_requests']} PR(s) ({verdicts}); "
            f"{s['incremental']} incremental; {s['overrides']} override(s)")


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.store.db import DEFAULT_URL, make_engine
    from bot.store.issues import IssueStore

    url = args.database_url or os.environ.get("DATABASE_URL") or DEFAULT_URL
    missing = _missing_sqlite_file(url)
    if missing:  # reading must not leave an empty store behind
        print(f"model-router report: no experiments store at {missing}: no routed issues recorded yet.")
        return 0
    try:
        store = IssueStore(make_engine(url))
        data = compute(store.records(args.repo))
        reviews = review_summary(store.reviews(args.repo), store.review_overrides(args.repo))
    except (SQLAlchemyError, ValueError) as exc:
        raise UsageError(f"cannot read the experiments store: {str(exc).splitlines()[0]}") from None
    if args.json:
        print(json.dumps({"repo": args.repo, **data, "reviews": reviews}, indent=2, sort_keys=True))
    else:
        print(render(data, args.repo) + ("\n" + review_line(reviews) if reviews["reviews"] or reviews["overrides"] else ""))
    return 0


def _missing_sqlite_file(url: str) -> str | None:
    """The path of a SQLite store that does not exist yet (None for other stores or in-memory ones)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return None  # make_engine reports the bad URL
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:" or path.startswith("file:"):
        return None
    return None if os.path.exists(path) else path


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="routing experiment report: haiku share, success per tier, cost, savings, accuracy")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--repo", metavar="OWNER/NAME", help="only this repository")
    p.add_argument("--database-url", metavar="URL", help="store URL (default: $DATABASE_URL, else sqlite:///model-router.db)")
    p.set_defaults(func=run)
