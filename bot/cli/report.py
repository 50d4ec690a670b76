"""`model-router report`: the five measures against their targets, broken down, as text, JSON, CSV or HTML."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections import defaultdict
from datetime import datetime, timezone

from bot.cli import UsageError, add_output_flags
from bot.cli.db import missing_sqlite_file
from bot.measures.breakdown import BY


def _since(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None
    return when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when


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


def render_text(report: dict, scope: str) -> str:
    """The five numbers with their targets, then the breakdown table when one was asked for."""
    from bot.measures.definitions import NAMES, TIERS, fmt, gap_text, score_text

    if not report["issues"]:
        return f"model-router report ({scope}): no routed issues recorded yet."
    t = report["tiers"]
    lines = [f"model-router report ({scope}): {report['issues']} routed issue(s) "
             f"({', '.join(f'{tier} {t[tier]}' for tier in TIERS)})"]
    for key, name in NAMES.items():
        m = report["measures"][key]
        label = f" ({m['label']})" if "label" in m else ""
        verdict = {True: "meets", False: "MISSES", None: "no data for"}[m["met"]]
        lines.append(f"  {(name + label + ':'):<40} {fmt(key, m['value']):>8}  {verdict} target {m['target']} · {m['basis']}")
    s = report["summary"]
    lines.append(f"  {'LLM classifier:':<40} {'$' + format(s['classifier_usd'], '.4f'):>8}  on {s['classified']} of "
                 f"{report['issues']} issues · counted in savings and average cost (no routing asks nobody)")
    lines.append(f"  {'Human score (/rate):':<40} {score_text(s['average_score'], s['rated_runs'])}")
    if r := report.get("runs"):
        per = "; ".join(f"{tier} {c['success']} ok / {c['failure']} failed / {c['pending']} pending"
                        for tier, c in r["tiers"].items() if any(c.values()))
        lines.append(f"  {'Runs (true outcomes):':<40} {per or 'none finished'}")
        lines.append(f"  {'Claimed vs true:':<40} {gap_text(r)}")
    if report.get("by"):
        by = report["by"]
        widths = _tier_widths(TIERS)
        lines += ["", f"  {by:<12} {'issues':>6} {_tier_cells(dict(zip(TIERS, TIERS)), widths)} {'success':>8} "
                      f"{'savings':>8} {'avg $':>8} {'accuracy':>8} {'spend $':>9}"]
        for row in report["groups"]:
            lines.append(f"  {str(row[by]):<12} {row['issues']:>6} {_tier_cells(row['tiers'], widths)} "
                         f"{fmt('x', row['haiku_success']):>8} {fmt('x', row['savings']):>8} "
                         f"{fmt('average_cost', row['average_cost']):>8} {fmt('x', row['routing_accuracy']):>8} "
                         f"{row['spend_usd']:>9.4f}")
    return "\n".join(lines)


def _tier_widths(tiers) -> dict[str, int]:
    """A column per tier, at least as wide as its name: 6 characters, 5 for the last one."""
    return {t: max(5, len(t)) if i == len(tiers) - 1 else max(6, len(t)) for i, t in enumerate(tiers)}


def _tier_cells(counts: dict, widths: dict[str, int]) -> str:
    return " ".join(f"{counts[t]:>{w}}" for t, w in widths.items())


def _csv(report: dict, out) -> None:
    from bot.measures.definitions import TIERS

    by = report.get("by") or "scope"
    rows = report["groups"] if report.get("by") else [{"scope": report["repo"] or "all", **report["summary"]}]
    cols = [by, "issues", *TIERS, "haiku_success", "savings", "savings_basis", "haiku_share",
            "average_cost", "average_cost_basis", "routing_accuracy", "estimated_usd", "actual_usd", "spend_usd",
            "classifier_usd", "classified", "baseline_usd", "escalations", "overrides", "overridden_issues",
            "average_score", "rated_runs"]
    w = csv.writer(out, lineterminator="\n")
    w.writerow(cols)
    for row in rows:
        flat = {**row, **row["tiers"]}
        w.writerow(["" if flat.get(c) is None else flat.get(c) for c in cols])


def build_report(engine, repo: str | None, since: datetime | None, by: str | None, targets) -> dict:
    from bot.measures import measure
    from bot.measures.breakdown import table, total
    from bot.measures.definitions import summary
    from bot.measures.definitions import runs
    from bot.store.rollup import rollup, run_outcomes

    groups = rollup(engine, repo=repo, since=since)
    t = total(groups)
    s = summary(t, targets)
    return {"repo": repo, "since": since.isoformat() if since else None, "by": by, "issues": t.issues,
            "tiers": s["tiers"], "measures": measure(t, targets), "summary": s,
            "runs": runs(run_outcomes(engine, repo=repo, since=since)),
            "groups": table(groups, by, targets) if by else []}


def _url(args) -> str:
    from bot.store.db import DEFAULT_URL

    return args.database_url or os.environ.get("DATABASE_URL") or DEFAULT_URL


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.measures.targets import TargetsError, load_targets
    from bot.store.db import make_engine
    from bot.store.issues import IssueStore
    from bot.store.outcomes import phase_totals, phases_text

    try:
        targets = load_targets(args.targets)
    except TargetsError as exc:
        raise UsageError(str(exc)) from None
    url = _url(args)
    missing = missing_sqlite_file(url)
    if missing:  # reading must not leave an empty store behind: report on an empty one in memory
        url = "sqlite://"
    try:
        engine = make_engine(url)
        store = IssueStore(engine)
        report = build_report(engine, args.repo, args.since, args.by, targets)
        report["phases"] = phase_totals(engine, args.repo, args.since)
        reviews = review_summary(store.reviews(args.repo), store.review_overrides(args.repo))
        if args.html:
            from bot.dashboard.data import build
            from bot.dashboard.page import render

            data = build(engine, [args.repo] if args.repo else None, title=args.repo or "all repositories",
                         targets=targets, since=args.since, per_repo=not args.repo)
            with open(args.html, "w", encoding="utf-8") as fh:
                fh.write(render(data))
    except (SQLAlchemyError, ValueError) as exc:
        raise UsageError(f"cannot read the experiments store: {str(exc).splitlines()[0]}") from None
    except OSError as exc:
        raise UsageError(f"cannot write {args.html}: {exc.strerror}") from None
    if args.format == "json":
        store_info = {"store": "missing" if missing else "ok"}
        print(json.dumps({**report, "reviews": reviews, **store_info}, indent=2, sort_keys=True, default=str))
    elif args.format == "csv":
        _csv(report, sys.stdout)
    else:
        text = render_text(report, args.repo or "all repositories")
        if missing:
            text = f"model-router report: no experiments store at {missing}: no routed issues recorded yet."
        if report["phases"] and not missing:
            text += f"\n  Phases (estimated):     {phases_text(report['phases'])}"
        print(text + ("\n" + review_line(reviews) if reviews["reviews"] or reviews["overrides"] else ""))
        if args.html:
            print(f"wrote {args.html} (self-contained: open it in any browser, offline)")
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="the five measures against their targets, by week/tier/complexity/repo",
                       description="Haiku first-try success, savings vs no routing, Haiku share, average task cost and "
                                   "routing accuracy (docs/dashboard.md defines them), from the experiments store.")
    add_output_flags(p, default="text", csv=True)  # JSON even with no store; CSV: one row per group (or the scope)
    p.add_argument("--html", metavar="FILE", help="also write the dashboard page, self-contained (charts inlined)")
    p.add_argument("--repo", metavar="owner/name", help="only this repository")
    p.add_argument("--since", metavar="DATE", type=_since, help="only issues routed on or after DATE (YYYY-MM-DD)")
    p.add_argument("--by", choices=BY, help="break the numbers down by week, tier, complexity or repo")
    p.add_argument("--targets", metavar="FILE", help="targets YAML (default: $MODEL_ROUTER_TARGETS, else built in)")
    p.add_argument("--database-url", metavar="URL", help="store URL (default: $DATABASE_URL, else sqlite:///model-router.db)")
    p.set_defaults(func=run)
