"""The five measures (Haiku first-try success, savings, Haiku share, average task cost, routing accuracy).

Every measure is a ratio of additive counts (`Tally`), so per-issue facts can be summed anywhere (SQL
GROUP BY, a week, a tier) and the ratios are taken last, here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.measures.targets import Targets
from bot.models import Tier

TIERS = tuple(t.value for t in Tier)  # the catalog's tiers, lowest first: the counts and charts per tier
HAIKU = Tier.haiku.value  # the tier the Haiku measures (share, first-try success) are about
FINISHED = ("success", "failure")  # a run with an outcome of its agent's: every measure and learning count these
# a dispatched run that ended before its agent ran (the executor refused an edited issue, the runner failed, no or
# an unreadable execution file): recorded, but no tier's success or failure (bot.runs.finished.judge)
NO_AGENT = "no_agent"
# why a run is NO_AGENT, its recorded conclusion: it left no execution file, or none with a result message (the
# executor refused an edited issue, the runner failed); or the executor itself failed before the model did any
# work, as it would for every tier: claude-code-action's step failed without writing an execution file (no
# ANTHROPIC_API_KEY secret, the install failed), or the CLI reported an error at no cost (an invalid API key)
NO_FILE, NO_RESULT = "no execution file", "no result message"
SETUP_FAILED, API_REFUSED = "executor failed", "API error, no usage"
EXECUTOR_FAULTS = (SETUP_FAILED, API_REFUSED)  # the repository's executor setup to fix, then `/dispatch`
ENDED = (*FINISHED, NO_AGENT)  # a run recorded as over: a redelivery records it no second time
DISPATCH_ERROR = "error"  # GitHub refused a run's dispatch (bot.runs.executor): no workflow started, no agent ran
# an issue's first try is its first executor run not in these: the first whose agent could have run
NOT_A_TRY = (NO_AGENT, DISPATCH_ERROR)


def a_try(status: object) -> bool:
    """Whether a run with this status was a try, its agent could have run (not NOT_A_TRY): the one rule for the
    first try, the escalations counted and a run's attempt number (bot.runs.report_step); the SQL rollup says
    `status NOT IN NOT_A_TRY`, held equal by tests/test_measures.py."""
    return status not in NOT_A_TRY

# a run whose pull request is still open and not failing (bot.runs.truth's states): pending, neither success nor
# failure; an open PR whose checks fail or that a writer sent back is a failure (its escalation has started)
OPEN_PR = ("claimed", "checks_passed")


def settled(run: dict[str, Any]) -> bool:
    """A finished run whose outcome is settled: no pull request still open (docs/dashboard.md, what success means)."""
    return run.get("status") in FINISHED and run.get("truth") not in OPEN_PR
NAMES = {
    "haiku_success": "Haiku first-try success",
    "savings": "Savings vs no routing",
    "haiku_share": "Haiku share",
    "average_cost": "Average task cost",
    "routing_accuracy": "Routing accuracy",
}


def savings(cost: float, baseline: float) -> float | None:
    """THE savings figure, defined once: the share of the no-routing baseline (Sonnet, then Opus) not spent, 1 − cost / baseline
    (None without a baseline). Shown through `fmt("savings", …)` wherever it is shown: the demo, `report`, the
    dashboard, the Action's report and the sticky comment."""
    return 1 - cost / baseline if baseline else None


def met_mark(met: bool | None) -> str:
    """How a measure stands against its target, in words (text output has no colours)."""
    return "met" if met else "not enough data" if met is None else "MISSES its target"


def fmt(key: str, value: float | None) -> str:
    """A measure as people read it: dollars for the average cost, percentages for the rest."""
    if value is None:
        return "—"
    return f"${value:.4f}" if key == "average_cost" else f"{value:.1%}"


@dataclass
class Tally:
    """Additive counts over routed issues (one issue = `classify(record)`)."""

    issues: int = 0
    tiers: dict[str, int] = field(default_factory=dict)  # issues per tier their routing (after any person's change) is on
    haiku_first_runs: int = 0  # issues whose first executor run was on Haiku and finished
    haiku_first_successes: int = 0
    judged: int = 0  # issues with a finished first run, or re-routed by a person
    accurate: int = 0  # judged, first run succeeded, and nobody re-routed
    overridden: int = 0  # issues a person re-routed (tier or complexity)
    overrides: int = 0  # people's changes
    escalations: int = 0  # executor runs after the first (attempt > 1) that were tries (`a_try`)
    estimated_usd: float = 0.0  # the router's estimate, summed
    baseline_usd: float = 0.0  # no routing's (Sonnet, then Opus; the other phases on Sonnet), summed
    actual_issues: int = 0  # issues with at least one run that reported its cost
    actual_usd: float = 0.0  # reported run costs of those issues
    actual_baseline_usd: float = 0.0  # baseline of those issues
    spend_usd: float = 0.0  # actual where reported, else the estimate; plus the classifier's spend
    classifier_usd: float = 0.0  # what asking the LLM classifier cost (every call, re-routings included)
    classified: int = 0  # issues whose routing paid for a classifier call
    actual_classifier_usd: float = 0.0  # the classifier's spend on the issues with an actual cost
    rated_runs: int = 0  # executor runs a person scored (`/rate`)
    score_sum: int = 0  # their scores (1–5), summed

    def __add__(self, other: "Tally") -> "Tally":
        # __dict__ holds the fields in declaration order (a plain dataclass): the fast way to add them
        tiers = dict(self.tiers)
        for tier, n in other.tiers.items():
            tiers[tier] = tiers.get(tier, 0) + n
        return Tally(*(tiers if k == "tiers" else v + other.__dict__[k] for k, v in self.__dict__.items()))

    def tier_count(self, tier: str) -> int:
        return self.tiers.get(tier, 0)


def tier_counts(tier: Any, n: int = 1) -> dict[str, int]:
    """`Tally.tiers` for `n` issues routed to `tier` (nothing for a name the catalog does not know)."""
    name = getattr(tier, "value", tier)
    return {name: n} if n and name in TIERS else {}


def classify(record: dict[str, Any]) -> Tally:
    """One routed issue (a store record with its `overrides` and `dispatches`) as counts: the reference
    definition the store's SQL rollup is tested against."""
    overrides = record.get("overrides") or []
    runs = record.get("dispatches") or []
    executed = sorted((d for d in runs if (d.get("mode") or "execute") == "execute"), key=lambda d: d.get("id") or 0)
    first = next((d for d in executed if a_try(d.get("status"))), None)  # the first try
    first_done = first is not None and settled(first)
    costs = [d["actual_cost_usd"] for d in runs if d.get("actual_cost_usd") is not None]
    scores = [int(d["score"]) for d in runs if d.get("score") is not None]
    est, base = float(record.get("estimated_cost_usd") or 0.0), float(record.get("baseline_cost_usd") or 0.0)
    tier = record.get("tier")
    asked = float(record.get("classifier_usd") or 0.0)  # records from before it was kept: nothing
    return Tally(
        issues=1,
        tiers=tier_counts(tier),
        haiku_first_runs=int(first_done and first.get("tier") == HAIKU),
        haiku_first_successes=int(first_done and first.get("tier") == HAIKU and first.get("status") == "success"),
        judged=int(bool(overrides) or first_done),
        accurate=int(not overrides and first_done and first.get("status") == "success"),
        overridden=int(bool(overrides)),
        overrides=len(overrides),
        escalations=sum(1 for d in executed if (d.get("attempt") or 1) > 1 and a_try(d.get("status"))),
        estimated_usd=est,
        baseline_usd=base,
        actual_issues=int(bool(costs)),
        actual_usd=float(sum(costs)),
        actual_baseline_usd=base if costs else 0.0,
        spend_usd=(float(sum(costs)) if costs else est) + asked,
        classifier_usd=asked,
        classified=int(asked > 0),
        actual_classifier_usd=asked if costs else 0.0,
        rated_runs=len(scores),
        score_sum=sum(scores),
    )


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def average_score(t: Tally) -> float | None:
    """THE human quality score, defined once: the mean `/rate` score (1–5) of the rated runs (None: none rated).
    Not one of the five numbers (no target); shown beside them through `score_text`."""
    return _ratio(t.score_sum, t.rated_runs)


def score_text(average: float | None, rated: int) -> str:
    """The average score as every surface shows it: `3.7/5 (12 rated runs)`, or `—` when nobody rated a run."""
    return "—" if average is None else f"{average:.1f}/5 ({rated} rated run{'' if rated == 1 else 's'})"


def measure(t: Tally, targets: Targets | None = None) -> dict[str, Any]:
    """The five numbers, each with its basis, its target and whether it is met (None: not enough data).

    Routing's cost includes what asking the LLM classifier cost; the no-routing baseline asks nobody."""
    targets = targets or Targets()
    estimated = t.estimated_usd + t.classifier_usd
    if t.actual_issues:
        actual = t.actual_usd + t.actual_classifier_usd
        saved, savings_basis = savings(actual, t.actual_baseline_usd), "actual"
        avg_cost, cost_basis = actual / t.actual_issues, "actual"
        no_routing = t.actual_baseline_usd / t.actual_issues
    else:
        saved, savings_basis = savings(estimated, t.baseline_usd), "estimated"
        avg_cost, cost_basis = _ratio(estimated, t.issues), "estimated"
        no_routing = _ratio(t.baseline_usd, t.issues)
    versus = f", {avg_cost / no_routing:.2f}× no routing" if avg_cost is not None and no_routing else ""
    values = {
        "haiku_success": (_ratio(t.haiku_first_successes, t.haiku_first_runs), f"{t.haiku_first_runs} first runs on Haiku"),
        "savings": (saved, f"{savings_basis}, vs no routing"),
        "haiku_share": (_ratio(t.tier_count(HAIKU), t.issues), f"{t.tier_count(HAIKU)} of {t.issues} issues"),
        "average_cost": (avg_cost, f"{cost_basis}, per issue{versus}"),
        "routing_accuracy": (_ratio(t.accurate, t.judged), f"{t.judged} issues with an outcome"),
    }
    out = {}
    for key, (value, basis) in values.items():
        target = targets.for_measure(key)
        reference = no_routing if key == "average_cost" else None
        out[key] = {"value": value, "basis": basis, "target": target.text, "met": target.met(value, reference)}
    out["savings"]["estimated"] = savings(estimated, t.baseline_usd)
    out["savings"]["label"] = savings_basis
    out["average_cost"]["label"] = cost_basis
    return out


def summary(t: Tally, targets: Targets | None = None) -> dict[str, Any]:
    """Counts and measures together (what the JSON and CSV reports print per group)."""
    m = measure(t, targets)
    return {
        "issues": t.issues,
        "tiers": {tier: t.tier_count(tier) for tier in TIERS},
        **{k: v["value"] for k, v in m.items()},
        "savings_basis": m["savings"]["label"],
        "average_cost_basis": m["average_cost"]["label"],
        "estimated_usd": round(t.estimated_usd, 6),
        "actual_usd": round(t.actual_usd, 6),
        "spend_usd": round(t.spend_usd, 6),
        "classifier_usd": round(t.classifier_usd, 6),
        "classified": t.classified,
        "baseline_usd": round(t.baseline_usd, 6),
        "escalations": t.escalations,
        "overrides": t.overrides,
        "overridden_issues": t.overridden,
        "average_score": None if (score := average_score(t)) is None else round(score, 2),
        "rated_runs": t.rated_runs,
    }


def runs(counted: list[dict[str, Any]]) -> dict[str, Any]:
    """Executor runs per tier by true outcome — success, failure, pending (a PR still open and not failing) — and the
    claimed-vs-true gap: of the runs the agent reported as successes whose PR has said what they achieved, how many
    truly failed (checks failed, closed unmerged, reverted, no PR). `counted`: rows of (tier, status, truth,
    conclusion, n), as the store's `run_outcomes` groups them."""
    tiers = {tier: {"success": 0, "failure": 0, "pending": 0} for tier in TIERS}
    claimed = truly_failed = 0
    for row in counted:
        n, truth = int(row["n"]), row.get("truth")
        verdict = "pending" if truth in OPEN_PR else row["status"]
        tiers.setdefault(row["tier"], {"success": 0, "failure": 0, "pending": 0})[verdict] += n
        if row.get("conclusion") == "success" and truth is not None and truth not in OPEN_PR:
            claimed += n
            truly_failed += n if row["status"] == "failure" else 0
    return {"tiers": tiers, "claimed_successes": claimed, "claimed_but_failed": truly_failed}


def gap_text(r: dict[str, Any]) -> str:
    """The claimed-vs-true gap as every surface shows it."""
    if not r["claimed_successes"]:
        return "no run's pull request has settled yet"
    return (f"{r['claimed_but_failed']} of {r['claimed_successes']} runs the agent reported as successes truly failed "
            f"({r['claimed_but_failed'] / r['claimed_successes']:.0%})")
