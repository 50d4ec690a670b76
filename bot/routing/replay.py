"""The replay benchmark: a stream of issues with what each tier would have done, routed in order. Pure.

Each line carries `outcomes` per tier (RouterBench-style). In file order every policy routes an issue
with only what it has learned so far, "runs" its tier, escalates on failure along
`executor.escalation` up to `executor.max_attempts` as the App does, adds the costs, and (the learning
router) learns from each attempt. Baselines escalate exactly the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.config import RepoConfig
from bot.models import IssueInput, RoutingDecision, Tier
from bot.routing.engine import route
from bot.routing.hindsight import Hindsight
from bot.routing.kinds import features
from bot.routing.ladder_stats import show
from bot.routing.learning import Knowledge, Observation

_TIER_NAMES = ", ".join(t.value for t in Tier)


class TierOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    success: bool
    cost_usd: float = Field(ge=0, allow_inf_nan=False)


class ReplayLine(BaseModel):
    """One issue of the stream; `category` and `true_success` are what a generator knows (optional)."""

    model_config = ConfigDict(extra="ignore")

    id: str | int
    title: str = Field(min_length=1)
    body: str = ""
    labels: list[str] = Field(default_factory=list)
    repo: str = Field(min_length=1)
    outcomes: dict[str, TierOutcome]
    category: str | None = None
    true_success: dict[Tier, float] | None = None

    @field_validator("outcomes")
    @classmethod
    def _every_tier(cls, v: dict[str, TierOutcome]) -> dict[str, TierOutcome]:
        unknown = [k for k in v if k not in Tier._value2member_map_]
        if unknown:
            raise ValueError(f"unknown tier {unknown[0]!r} (tiers are {_TIER_NAMES})")
        missing = [t.value for t in Tier if t.value not in v]
        if missing:
            raise ValueError(f"missing tier {missing[0]!r} (every tier needs an outcome)")
        return v


def parse_line(obj: Any, where: str) -> ReplayLine:
    """A replay line, or ValueError with one line naming where and what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    try:
        return ReplayLine.model_validate(obj)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "line"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "greater_than_equal":
            msg = f"must not be negative (got {err['input']!r})"
        raise ValueError(f"{where}: {loc}: {msg}") from None


@dataclass
class Tally:
    """One policy's running totals."""

    issues: int = 0
    cost: float = 0.0
    successes: int = 0
    first_try: int = 0
    escalations: int = 0
    first_tiers: Counter[Tier] = field(default_factory=Counter)
    first_tier_success: Counter[Tier] = field(default_factory=Counter)

    def summary(self) -> dict[str, Any]:
        n = self.issues
        haiku = self.first_tiers[Tier.haiku]
        return {
            "issues": n,
            "cost_usd": round(self.cost, 6),
            "success_rate": _ratio(self.successes, n),
            "first_try_success_rate": _ratio(self.first_try, n),
            "haiku_share": _ratio(haiku, n),
            "haiku_success_rate": _ratio(self.first_tier_success[Tier.haiku], haiku),
            "escalations": self.escalations,
            "cost_per_resolved_usd": _ratio(self.cost, self.successes, 6),
        }


def _ratio(a: float, b: float, digits: int = 4) -> float | None:
    return round(a / b, digits) if b else None


def run_ladder(line: ReplayLine, first: Tier, config: RepoConfig, tally: Tally,
               learn: Callable[[Tier, TierOutcome, tuple[Tier, ...]], None] | None = None,
               order: list[Tier] | None = None) -> None:
    """Attempt `first`, then escalate on failure as the App does (along `order`, a decision's learned
    ladder, when given); add it all to `tally`."""
    ladder = list(config.executor.escalation)
    rest = iter((order or [])[1:])
    tier: Tier | None = first
    tally.issues += 1
    tally.first_tiers[first] += 1
    attempt = 0
    failed: list[Tier] = []
    while tier is not None and attempt < config.executor.max_attempts:
        attempt += 1
        outcome = line.outcomes[tier.value]
        tally.cost += outcome.cost_usd
        if learn is not None:
            learn(tier, outcome, tuple(failed))
        failed.append(tier)
        if outcome.success:
            tally.successes += 1
            if attempt == 1:
                tally.first_try += 1
                tally.first_tier_success[tier] += 1
            return
        tier = next(rest, None) if order else tier.up(ladder)
        if tier is not None and attempt < config.executor.max_attempts:
            tally.escalations += 1


class Replay:
    """Feeds lines to the learning router and the baselines side by side."""

    def __init__(self, config: RepoConfig) -> None:
        self.config = config
        self.knowledge = Knowledge(note="the replay has not run an issue yet")
        self.router = Tally()
        self.baselines = {name: Tally() for name in
                          ("always_sonnet", "always_haiku_escalating", "rules_only", "oracle")}
        self.hindsight = Hindsight(config.executor.max_attempts)
        self.learned_ladders: dict[str, str] = {}  # kind → the ladder last chosen without exploring
        self.learned_changes = 0

    def add(self, line: ReplayLine) -> RoutingDecision:
        issue = IssueInput(title=line.title, body=line.body, labels=line.labels)
        config = self.config
        rules = route(issue, config)
        decision = route(issue, config, knowledge=self.knowledge, repo=line.repo)
        feats = features(issue)
        self.learned_changes += decision.tier is not rules.tier

        def learn(tier: Tier, outcome: TierOutcome, failed: tuple[Tier, ...]) -> None:
            self.knowledge.add(Observation(line.repo, decision.kind, decision.complexity.value, tier,
                                           outcome.success, outcome.cost_usd, failed, feats))

        if decision.ladder and not decision.explored:
            self.learned_ladders[decision.kind or "unmatched"] = show(tuple(decision.ladder))
        run_ladder(line, decision.tier, config, self.router, learn, decision.ladder)
        b = self.baselines
        run_ladder(line, Tier.sonnet, config, b["always_sonnet"])
        run_ladder(line, Tier.haiku, config, b["always_haiku_escalating"])
        run_ladder(line, rules.tier, config, b["rules_only"])
        winners = [t for t in Tier if line.outcomes[t.value].success]
        run_ladder(line, winners[0] if winners else config.executor.escalation[0], config, b["oracle"])
        self.hindsight.add({t: (o.success, o.cost_usd) for t, o in
                            ((t, line.outcomes[t.value]) for t in Tier)}, line.category)
        return decision

    def report(self) -> dict[str, Any]:
        out = self.router.summary()
        baselines: dict[str, dict[str, Any]] = {
            name: {"cost_usd": round(t.cost, 6), "success_rate": _ratio(t.successes, t.issues),
                   "cost_per_resolved_usd": _ratio(t.cost, t.successes, 6)} for name, t in self.baselines.items()}
        baselines.update(self.hindsight.report())
        out["baselines"] = baselines
        out["learned_ladders"] = dict(sorted(self.learned_ladders.items()))
        out["learned_reroutes"] = self.learned_changes
        return out


def render(r: dict[str, Any]) -> str:
    pct = lambda x: "n/a" if x is None else f"{x * 100:.1f}%"  # noqa: E731
    usd = lambda x: "n/a" if x is None else f"${x:,.4f}"  # noqa: E731
    lines = [
        f"Issues replayed:        {r['issues']}",
        f"Cost (learning router): ${r['cost_usd']:,.2f}",
        f"Success:                {pct(r['success_rate'])} (first try {pct(r['first_try_success_rate'])}), "
        f"{r['escalations']} escalations",
        f"Haiku share:            {pct(r['haiku_share'])}, haiku first-try success {pct(r['haiku_success_rate'])}",
        f"Rerouted by learning:   {r['learned_reroutes']} issues",
        "",
        f"Cost per resolved:      {usd(r['cost_per_resolved_usd'])}",
        "",
        f"{'baseline':26} {'cost':>10} {'vs router':>10} {'success':>8} {'per resolved':>13}",
    ]
    for name, b in r["baselines"].items():
        ratio = f"{r['cost_usd'] / b['cost_usd']:.2f}x" if b["cost_usd"] else "n/a"
        lines.append(f"{name:26} ${b['cost_usd']:>9,.2f} {ratio:>10} {pct(b['success_rate']):>8} "
                     f"{usd(b['cost_per_resolved_usd']):>13}" + (f"  {b['ladder']}" if "ladder" in b else ""))
    if r["learned_ladders"]:
        lines += ["", "Learned ladder per kind:"] + [f"  {k}: {v}" for k, v in r["learned_ladders"].items()]
    return "\n".join(lines)
