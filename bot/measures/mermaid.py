"""The report as GitHub-flavoured markdown with Mermaid charts (GitHub renders ```mermaid blocks): for the
Action's job summary and the monthly report issue. Pure: grouped counts in, text out."""

from __future__ import annotations

from typing import Any

from bot.measures.breakdown import Group, fold, total
from bot.measures.definitions import NAMES, TIERS, average_score, fmt, measure, score_text
from bot.measures.targets import Targets

def measures_table(m: dict[str, dict[str, Any]]) -> list[str]:
    lines = ["| Measure | Value | Target | |", "|---|---|---|---|"]
    for key, name in NAMES.items():
        v = m[key]
        label = f" ({v['label']})" if "label" in v else ""
        mark = {True: "✅ met", False: "❌ missed", None: "— no data yet"}[v["met"]]
        lines.append(f"| {name}{label} | {fmt(key, v['value'])} | {v['target']} | {mark} |")
    return lines


def _pie(title: str, parts: dict[str, int]) -> list[str]:
    lines = ["```mermaid", f'pie showData title {title}']
    lines += [f'    "{name}" : {n}' for name, n in parts.items() if n]
    return lines + ["```"]


def _xy(title: str, weeks: list[str], series: dict[str, list[float]], y_label: str) -> list[str]:
    top = max([v for s in series.values() for v in s] + [0.0001])
    lines = ["```mermaid", "xychart-beta", f'    title "{title}"',
             "    x-axis [" + ", ".join(f'"{w[5:]}"' for w in weeks) + "]",
             f'    y-axis "{y_label}" 0 --> {top * 1.1:.4g}']
    for kind, values in series.items():
        lines.append(f"    {kind} [" + ", ".join(f"{v:.4g}" for v in values) + "]")
    return lines + ["```"]


def report_markdown(groups: list[Group], *, title: str, targets: Targets | None = None, weeks: int = 12) -> str:
    """The five numbers, a pie of issues per tier, and weekly spend (bars: actual or estimated; line: the
    no-routing baseline) for the last `weeks` weeks."""
    t = total(groups)
    lines = [f"### {title}", ""]
    if not t.issues:
        return "\n".join(lines + ["No routed issues found in this repository's history yet.", ""])
    lines += [f"{t.issues} routed issues.", "", *measures_table(measure(t, targets)), ""]
    if t.rated_runs:  # people's `/rate` scores, beside the five numbers
        lines += [f"Human quality score (`/rate`): {score_text(average_score(t), t.rated_runs)}.", ""]
    lines += _pie("Issues per tier", {tier: t.tier_count(tier) for tier in TIERS}) + [""]
    by_week = list(fold(groups, "week").items())[-weeks:]
    labels = [w for w, _ in by_week]
    spend = [x.spend_usd for _, x in by_week]
    lines += _xy("Weekly spend (USD): bars as spent, line no-routing baseline", labels,
                 {"bar": spend, "line": [x.baseline_usd for _, x in by_week]}, "USD")
    lines += ["", "_Spend is the runs' actual cost where they reported one, else the router's estimate; "
                  "definitions in docs/dashboard.md._", ""]
    return "\n".join(lines)
