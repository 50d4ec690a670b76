"""`make demo`: the routing table of the sample issues, then the real App service against an offline GitHub.

Part 2 starts the offline GitHub simulator and `model-router serve` (gunicorn, SQLite) as
subprocesses on loopback, with a throwaway App key, delivers the sample issues as signed real issue
events, prints the labels and sticky comments the service posted, records simulated executor outcomes
and prints the five numbers. Part 3 runs a convoy in-process (`/plan` →
five sub-issues → runs in dependency order → an escalation → the Opus review of the whole) and prints
the parent's checklist. No credentials, no network.
"""

from __future__ import annotations

import sys

from bot.measures.definitions import fmt, savings
from bot.simulator.demo_service import run_service_demo
from bot.simulator.samples import load_samples, route_samples

__all__ = ["load_samples", "main", "render", "route_samples"]


def render(rows: list[tuple[dict, object]]) -> str:
    header = (f"{'tier':7} {'complexity':10} {'conf':>4} {'strategy':16} {'phases':27} "
              f"{'est $':>8} {'sec':3}  title")
    lines = [header, "-" * len(header)]
    total = baseline = 0.0
    for sample, d in rows:
        total += d.estimated_cost_usd
        baseline += d.baseline_cost_usd
        title = sample["title"] if len(sample["title"]) <= 60 else sample["title"][:59] + "…"
        phases = " > ".join(f"{p.role.value[0].upper()}:{p.tier.value}" for p in d.phases)
        lines.append(f"{d.tier.value:7} {d.complexity.value:10} {d.confidence:4.2f} "
                     f"{d.strategy.value:16} {phases:27} {d.estimated_cost_usd:8.4f} "
                     f"{'yes' if d.security_sensitive else '':3}  {title}")
    lines.append("-" * len(header))
    lines.append("phases: P plan, E execute, R review; est $: every phase, execute at its ladder's expected cost, escalation included")
    lines.append(f"{len(rows)} issues: estimated ${total:.4f} as routed vs ${baseline:.4f} without routing (Sonnet, then "
                 f"Opus; the other phases on Sonnet): savings vs no routing (estimated) {fmt('savings', savings(total, baseline))}.")
    return "\n".join(lines)


def main() -> int:
    print("model-router demo: routing the bundled sample issues (rules only, embedded defaults)\n")
    print(render(route_samples()))
    print("\nTry: .venv/bin/model-router explain --title 'Fix typo in the OAuth docs' --label model:haiku")
    from bot.simulator.convoy_demo import run_convoy_demo

    code = run_convoy_demo(sys.stdout)
    # last: the service part ends with the dashboard's URL and keeps the service up (until Enter, a timeout,
    # or at once without a terminal / under CI)
    return run_service_demo(sys.stdout) or code


if __name__ == "__main__":
    sys.exit(main())
