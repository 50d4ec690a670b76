"""Real per-issue outcomes for `eval --replay`: public SWE-bench Pro runs of Claude Haiku 4.5, Sonnet 4.5 and
Opus 4.1, one line per task all three attempted, every tier's `success` and `cost_usd`.

Source (not bundled: the repository publishes no licence): `data/agent_runs_data.csv` of
https://github.com/nilenso/swe-bench-pro-cost-token-time-analysis at commit adde7ee (removed from the tree
later), Scale AI's SWE-bench Pro leaderboard runs (SWE-agent), one row per run: instance id, model, resolved,
turns. Get it with

    git clone https://github.com/nilenso/swe-bench-pro-cost-token-time-analysis nilenso
    git -C nilenso show adde7ee:data/agent_runs_data.csv > agent_runs_data.csv

The file has turns, not dollars. Cost of a run = turns × the tier's USD per turn, where a turn is the mean
Sonnet 4.5 call of the same runs (34,705 input and 227 output tokens: the repository's docs/report.txt)
at the tier's list price per MTok (TURN_USD below; no prompt caching). Haiku and Sonnet ran with a 250-turn
limit; Opus 4.1's runs are the SWE-bench Pro paper's (about 50 turns), so Opus resolves less here than
Sonnet. `--opus-turn-usd 0.1792` prices Opus 4.1's outcomes at Opus 4.5's list price ($5/$25), where the
top tier costs less per task than the middle one: a what-if, labelled as such.

Run: .venv/bin/python benchmarks/real_outcomes.py agent_runs_data.csv > real.jsonl
     .venv/bin/python benchmarks/bench_replay.py --stream real.jsonl
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import defaultdict
from typing import Any, Iterable, TextIO

MODELS = {  # tier → the CSV's metadata.model_name
    "haiku": "Claude 4.5 Haiku -- 10222025",
    "sonnet": "Claude 4.5 Sonnet - 10132025",
    "opus": "Claude Opus 4.1 - paper",
}
_IN, _OUT = 34_705e-6, 227e-6  # MTok per turn (one mean call)
TURN_USD = {  # list price per MTok (input, output): Haiku 4.5 $1/$5, Sonnet 4.5 $3/$15, Opus 4.1 $15/$75
    "haiku": round(1 * _IN + 5 * _OUT, 5),
    "sonnet": round(3 * _IN + 15 * _OUT, 5),
    "opus": round(15 * _IN + 75 * _OUT, 5),
}
_INSTANCE = re.compile(r"^instance_(.+?)__(.+?)-([0-9a-f]{7,40})(?:-v|$)")


def repo_of(instance_id: str) -> tuple[str, str]:
    """(owner/name, short commit) from an id like instance_tutao__tutanota-fb32e5f9…-vc4e4…."""
    m = _INSTANCE.match(instance_id)
    if not m:
        return "unknown/unknown", instance_id[-12:]
    return f"{m.group(1)}/{m.group(2)}", m.group(3)[:8]


def convert(rows: Iterable[dict[str, str]], models: dict[str, str] | None = None,
            turn_usd: dict[str, float] | None = None) -> list[dict[str, Any]]:
    """One replay line per instance every tier's model ran, in the CSV's first-seen order."""
    models, turn_usd = models or MODELS, turn_usd or TURN_USD
    tier_of = {name: tier for tier, name in models.items()}
    runs: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        tier = tier_of.get(row["metadata.model_name"])
        if tier is None or tier in runs[row["metadata.instance_id"]]:
            continue
        turns = int(row["metadata.turns"] or 0)
        runs[row["metadata.instance_id"]][tier] = {
            "success": row["metadata.resolved"].strip().lower() == "true",
            "cost_usd": round(turns * turn_usd[tier], 6)}
    out = []
    for instance, outcomes in runs.items():
        if len(outcomes) != len(models):
            continue
        repo, commit = repo_of(instance)
        out.append({"id": instance, "title": f"{repo} task at {commit}", "body": "", "labels": [], "repo": repo,
                    "outcomes": {t: outcomes[t] for t in models}, "category": repo})
    return out


def main(argv: list[str] | None = None, stdout: TextIO = sys.stdout) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv", help="data/agent_runs_data.csv of the source above")
    ap.add_argument("--opus-turn-usd", type=float, help=f"USD per Opus turn (default {TURN_USD['opus']})")
    args = ap.parse_args(argv)
    turn_usd = {**TURN_USD, **({"opus": args.opus_turn_usd} if args.opus_turn_usd is not None else {})}
    with open(args.csv, newline="", encoding="utf-8") as f:
        lines = convert(csv.DictReader(f), turn_usd=turn_usd)
    for line in lines:
        stdout.write(json.dumps(line) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
