"""Routing economics: the learning router on synthetic replay streams (benchmarks/gen_replay.py), against its
baselines, and the bundled samples against all-Sonnet. Targets are issue #11's.

Run: .venv/bin/python benchmarks/bench_replay.py [--issues N] [--seeds 1,2,3] [--json] (default: ten seeds)
(the same numbers for one stream: `model-router eval --replay FILE.jsonl --json`)
"""

from __future__ import annotations

import argparse
import runpy
import json
import statistics
import sys
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[1]


def _generator():
    """benchmarks/gen_replay.py's functions (the benchmarks folder is not a package)."""
    return SimpleNamespace(**runpy.run_path(str(REPO / "benchmarks" / "gen_replay.py")))


def replay(issues: int, seed: int) -> dict:
    from bot.config import RepoConfig
    from bot.routing.replay import Replay, parse_line

    r = Replay(RepoConfig())
    for i, obj in enumerate(_generator().generate(issues, seed)):
        r.add(parse_line(obj, f"line {i + 1}"))
    return r.report()


def checks(r: dict) -> dict[str, bool]:
    b = r["baselines"]
    return {
        "cost within 5% of category_oracle": r["cost_usd"] <= 1.05 * b["category_oracle"]["cost_usd"],
        "cost below rules_only": r["cost_usd"] < b["rules_only"]["cost_usd"],
        "cost below 0.85 x always_sonnet": r["cost_usd"] < 0.85 * b["always_sonnet"]["cost_usd"],
        "success >= always_sonnet - 2 points": r["success_rate"] >= b["always_sonnet"]["success_rate"] - 0.02,
        "haiku first-try success >= 85%": (r["haiku_success_rate"] or 0) >= 0.85,
        "haiku share >= 40%": (r["haiku_share"] or 0) >= 0.40,
    }


def samples() -> dict:
    from bot.models import Tier
    from bot.simulator.samples import route_samples

    rows = route_samples()
    routed = sum(d.estimated_cost_usd for _, d in rows)
    baseline = sum(d.baseline_cost_usd for _, d in rows)
    return {
        "issues": len(rows), "routed_usd": round(routed, 4), "all_sonnet_usd": round(baseline, 4),
        "ratio": round(routed / baseline, 3),
        "security_on_haiku": sum(d.security_sensitive and d.tier is Tier.haiku for _, d in rows),
        "seed_tier_in_phases": sum(Tier(s["expected_tier"]) in {p.tier for p in d.phases} for s, d in rows),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--issues", type=int, default=4000)
    ap.add_argument("--seeds", default="1,2,3,5,11,21,22,23,24,25")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    runs = {int(s): replay(args.issues, int(s)) for s in args.seeds.split(",")}
    out = {"samples": samples(), "replay": runs}
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    s = out["samples"]
    print(f"samples   {s['issues']} issues: ${s['routed_usd']:.4f} routed vs ${s['all_sonnet_usd']:.4f} all-Sonnet "
          f"= {s['ratio']:.2f}x (target <= 0.75x); security-sensitive on haiku: {s['security_on_haiku']}; "
          f"seed tier among the phases: {s['seed_tier_in_phases']} of {s['issues']}")
    print(f"replay    {args.issues} issues per stream, seeds {args.seeds}")
    head = f"{'seed':>4} {'vs cat.oracle':>13} {'vs sonnet':>9} {'vs rules':>8} {'success':>8} {'sonnet ok':>9} " \
           f"{'haiku share':>11} {'haiku 1st ok':>12}  targets"
    print(head)
    ratios = []
    for seed, r in runs.items():
        b = r["baselines"]
        ratio = r["cost_usd"] / b["category_oracle"]["cost_usd"]
        ratios.append(ratio)
        met = checks(r)
        print(f"{seed:>4} {ratio:>13.3f} {r['cost_usd'] / b['always_sonnet']['cost_usd']:>9.3f} "
              f"{r['cost_usd'] / b['rules_only']['cost_usd']:>8.3f} {r['success_rate']:>8.1%} "
              f"{b['always_sonnet']['success_rate']:>9.1%} {r['haiku_share']:>11.1%} {r['haiku_success_rate']:>12.1%}  "
              f"{sum(met.values())}/{len(met)}" + ("" if all(met.values()) else
                                                   " (missed: " + "; ".join(k for k, v in met.items() if not v) + ")"))
    print(f"median cost vs category_oracle: {statistics.median(ratios):.3f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
