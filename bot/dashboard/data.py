"""What a dashboard page shows, as plain data: the five measures, weekly series, latest routings, per-repo rows.

Shared by the App's /dashboard and `model-router report --html`; reads the store through its rollup only.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Engine

from bot.measures import Targets, measure
from bot.measures.breakdown import Group, fold, total, weekly
from bot.measures.definitions import NAMES, average_score, fmt, gap_text, runs, score_text, summary
from bot.store.rollup import latest, rollup, run_outcomes

def cards(m: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The five numbers as the page prints them: name, value, label, target, met (True/False/None)."""
    out = []
    for key, name in NAMES.items():
        v = m[key]
        label = f" ({v['label']})" if "label" in v else ""
        out.append({"key": key, "name": name + label, "value": fmt(key, v["value"]), "target": v["target"],
                    "met": v["met"], "basis": v["basis"]})
    return out


def _run_rows(engine: Engine, repos: list[str] | None, since: datetime | None, cached: list[dict] | None) -> list[dict]:
    if cached is not None:
        return cached
    return run_outcomes(engine, repos=repos, since=since) if repos is None or repos else []


def build(engine: Engine, repos: list[str] | None, *, title: str, targets: Targets, web_url: str = "https://github.com",
          since: datetime | None = None, latest_limit: int = 50, per_repo: bool = False,
          groups: list[Group] | None = None, run_rows: list[dict] | None = None) -> dict[str, Any]:
    """Page data for the routings of `repos` (None: every repository in the store); `groups` and `run_rows`: a
    cached rollup and cached run counts (bot.store.rollup_cache)."""
    if groups is None:
        groups = rollup(engine, repos=repos, since=since) if repos is None or repos else []
    t = total(groups)
    rows = latest(engine, repos, latest_limit) if repos is None or repos else []
    for r in rows:
        r["issue_url"] = f"{web_url}/{r['repo']}/issues/{r['number']}"
        r["created_at"] = r["created_at"].strftime("%Y-%m-%d %H:%M") if r["created_at"] else ""
    data = {
        "title": title,
        "generated_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "issues": t.issues,
        "cards": cards(measure(t, targets)),
        "score": {"text": score_text(average_score(t), t.rated_runs), "average": average_score(t),
                  "rated_runs": t.rated_runs},  # people's `/rate` scores: beside the five numbers, not one of them
        "runs": (outcomes := runs(_run_rows(engine, repos, since, run_rows))),
        "gap": gap_text(outcomes),  # what the agents claimed against what their pull requests showed
        "weekly": weekly(groups, targets),
        "latest": rows,
        "repos": [],
    }
    if per_repo:
        for repo, rt in fold(groups, "repo").items():
            s = summary(rt, targets)
            data["repos"].append({"repo": repo, "issues": rt.issues,
                                  "values": [fmt(k, s[k]) for k in NAMES], "met": [measure(rt, targets)[k]["met"] for k in NAMES]})
    return data
