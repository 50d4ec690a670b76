"""Routing economics: the learning router's ladders on replay streams (benchmarks/gen_replay.py) against the
no-routing policy (Sonnet, then Opus) and the policy that knows each kind's true rates; and the bundled
samples against no routing (the decisions' baselines). Targets are issue #22's.

Run: .venv/bin/python benchmarks/bench_replay.py [--seeds 1,2,3] [--stream FILE.jsonl [--orders 16]
[--known-joint]] [--json]
`--stream` replays a file of real per-issue outcomes in `eval --replay`'s format (e.g. the public SWE-bench Pro
runs benchmarks/real_outcomes.py converts) with the same checks as the `swe` profiles. The order of a stream
matters (the router learns as it goes), so `--orders K` also replays it in K shuffled orders
(`random.Random(k).shuffle`, k = 1..K) and counts the orders meeting the targets. `--known-joint` is a
diagnostic, not a policy: the router reads the stream's true per-tier outcome distribution in place of what it
learned, so what is left is the cost of the design itself (audits, exploration, bounds), not of learning.
(the same numbers for one stream: `model-router eval --replay FILE.jsonl --json`)
"""

from __future__ import annotations

import argparse
import json
import random
import runpy
import statistics
import sys
from contextlib import contextmanager, nullcontext
from pathlib import Path
from types import SimpleNamespace
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]
# profile → (generator arguments, issues per stream); swe streams are as long as SWE-bench Verified
PROFILES = {
    "swe": ({"profile": "swe"}, 500),
    "swe, opus cheaper than sonnet": ({"profile": "swe", "opus_cheap": True}, 500),
    "tiers": ({"profile": "tiers"}, 2000),
    "tiers, opus cheaper than sonnet": ({"profile": "tiers", "opus_cheap": True}, 2000),
}


def _generator():
    """benchmarks/gen_replay.py's functions (the benchmarks folder is not a package)."""
    return SimpleNamespace(**runpy.run_path(str(REPO / "benchmarks" / "gen_replay.py")))


def replay(lines: list[dict]) -> dict:
    from bot.config import RepoConfig
    from bot.routing.replay import Replay, parse_line

    r = Replay(RepoConfig())
    for i, obj in enumerate(lines):
        r.add(parse_line(obj, f"line {i + 1}"))
    return r.report()


def shuffled(lines: list[dict], orders: int) -> list[dict]:
    """The stream in `orders` shuffled orders: per order its cost against Sonnet→Opus, success gap, targets met."""
    out = []
    for k in range(1, orders + 1):
        order = list(lines)
        random.Random(k).shuffle(order)
        r = replay(order)
        sonnet = r["baselines"]["always_sonnet"]
        out.append({"order": k, "cost_vs_sonnet_then_opus": round(r["cost_usd"] / sonnet["cost_usd"], 4),
                    "success_gap_points": round((r["success_rate"] - sonnet["success_rate"]) * 100, 2),
                    "meets": all(checks(r, True).values())})
    return out


@contextmanager
def known_joint(lines: list[dict]) -> Iterator[dict[int, float]]:
    """Diagnostic: while open, every kind's joint is the stream's true one (the design's own cost, learning aside)."""
    from collections import Counter

    from bot.models import Tier
    from bot.routing import ladder_stats
    from bot.routing.replay import parse_line

    seen = Counter(sum(1 << Tier(t).rank for t, o in parse_line(x, "line").outcomes.items() if o.success)
                   for x in lines)
    true = {c: seen[c] / len(lines) for c in ladder_stats.CELLS}
    learned = ladder_stats.LadderStats.joint
    ladder_stats.LadderStats.joint = lambda self, scope: true  # type: ignore[method-assign]
    try:
        yield true
    finally:
        ladder_stats.LadderStats.joint = learned  # type: ignore[method-assign]


def checks(r: dict, vs_no_routing: bool) -> dict[str, bool]:
    b = r["baselines"]
    sonnet = b["always_sonnet"]
    out = {"success >= sonnet-then-opus - 1 point": r["success_rate"] >= sonnet["success_rate"] - 0.01}
    if vs_no_routing:
        out["cost <= 0.85 x sonnet-then-opus"] = r["cost_usd"] <= 0.85 * sonnet["cost_usd"]
    else:
        out["cost <= 1.10 x category_oracle"] = r["cost_usd"] <= 1.10 * b["category_oracle"]["cost_usd"]
    return out


def samples() -> dict:
    from bot.models import Tier
    from bot.simulator.samples import route_samples

    rows = route_samples()
    routed = sum(d.estimated_cost_usd for _, d in rows)
    baseline = sum(d.baseline_cost_usd for _, d in rows)
    return {
        "issues": len(rows), "routed_usd": round(routed, 4), "no_routing_usd": round(baseline, 4),
        "ratio": round(routed / baseline, 3),
        "security_on_haiku": sum(d.security_sensitive and d.tier is Tier.haiku for _, d in rows),
        "seed_tier_in_phases": sum(Tier(s["expected_tier"]) in {p.tier for p in d.phases} for s, d in rows),
    }


def row(name: str, r: dict, vs_no_routing: bool) -> str:
    b = r["baselines"]
    met = checks(r, vs_no_routing)
    vs_oracle = f"{r['cost_usd'] / b['category_oracle']['cost_usd']:.3f}" if "category_oracle" in b else "n/a"
    return (f"{name:>34} {r['cost_usd'] / b['always_sonnet']['cost_usd']:>9.3f} {vs_oracle:>9} "
            f"{r['success_rate']:>8.1%} {b['always_sonnet']['success_rate']:>9.1%} {r['haiku_share']:>6.1%}  "
            f"{sum(met.values())}/{len(met)}" + ("" if all(met.values()) else
                                                 " (missed: " + "; ".join(k for k, v in met.items() if not v) + ")"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="1,2,3,4,5")
    ap.add_argument("--stream", metavar="FILE.jsonl", help="real per-issue outcomes to replay as well")
    ap.add_argument("--orders", type=int, default=0, metavar="K", help="also replay the stream in K shuffled orders")
    ap.add_argument("--known-joint", action="store_true", help="diagnostic: the router knows the stream's joint")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    gen = _generator()
    seeds = [int(s) for s in args.seeds.split(",")]
    runs = {name: {seed: replay(gen.generate(n, seed, **kw)) for seed in seeds}
            for name, (kw, n) in PROFILES.items()}
    out: dict = {"samples": samples(), "replay": runs}
    if args.stream:
        lines = [json.loads(x) for x in Path(args.stream).read_text().splitlines() if x.strip()]
        with known_joint(lines) if args.known_joint else nullcontext():
            out["stream"] = replay(lines)
            if args.orders:
                out["orders"] = shuffled(lines, args.orders)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    s = out["samples"]
    print(f"samples   {s['issues']} issues: ${s['routed_usd']:.4f} routed vs ${s['no_routing_usd']:.4f} without routing "
          f"= {s['ratio']:.2f}x; security-sensitive on haiku: {s['security_on_haiku']}; "
          f"seed tier among the phases: {s['seed_tier_in_phases']} of {s['issues']}")
    print(f"generated streams (benchmarks/gen_replay.py), seeds {args.seeds}:")
    print(f"{'stream (seed)':>34} {'vs S→O':>9} {'vs oracle':>9} {'success':>8} {'S→O ok':>9} {'haiku':>6}  targets")
    for name, by_seed in runs.items():
        vs_no_routing = name.startswith("swe")  # generated `swe` streams are judged against Sonnet→Opus
        for seed, r in by_seed.items():
            print(row(f"{name} ({seed})", r, vs_no_routing))
        ratios = [r["cost_usd"] / r["baselines"]["always_sonnet"]["cost_usd"] for r in by_seed.values()]
        gaps = [r["success_rate"] - r["baselines"]["always_sonnet"]["success_rate"] for r in by_seed.values()]
        print(f"{'median':>34} {statistics.median(ratios):>9.3f} {'':>9} {statistics.median(gaps) * 100:>+7.1f}pt")
    if "stream" in out:
        print(f"per-issue outcomes read from {args.stream} (its source is the file's, e.g. real_outcomes.py):")
        print(row(Path(args.stream).name, out["stream"], True))
    if out.get("orders"):
        ratios = [o["cost_vs_sonnet_then_opus"] for o in out["orders"]]
        gaps = [o["success_gap_points"] for o in out["orders"]]
        print(f"{len(ratios)} shuffled orders{' (knowing the joint)' if args.known_joint else ''}: cost median "
              f"{statistics.median(ratios):.3f}x ({min(ratios):.3f}-{max(ratios):.3f}x), success {min(gaps):+.1f} to "
              f"{max(gaps):+.1f} pt, meeting the targets: {sum(o['meets'] for o in out['orders'])} of {len(ratios)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
