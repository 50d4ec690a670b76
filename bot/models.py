"""Typed vocabulary shared by every surface: tiers, complexity, issue input and routing decisions."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.catalog_file import tier_names

MAX_TITLE_CHARS = 1_024
MAX_BODY_CHARS = 262_144  # longer bodies are truncated, never rejected: routing needs only the start


class _TierBase(str, Enum):
    """Claude tier, lowest first; the order is used for escalation and under-routing."""

    @property
    def rank(self) -> int:
        return _TIER_RANK[self]

    def next(self) -> "Tier | None":
        tiers = list(Tier)
        return tiers[self.rank + 1] if self.rank + 1 < len(tiers) else None

    def up(self, ladder) -> "Tier | None":
        """Escalation: the cheapest tier of `ladder` (a repository's `executor.escalation`) above this one."""
        higher = [Tier(t) for t in ladder if Tier(t).rank > self.rank]
        return min(higher, key=lambda t: t.rank) if higher else None


# The members are the catalog's tiers (bot/data/catalog-*.yaml `tiers:`), in its order: a new tier is data.
Tier = _TierBase("Tier", [(name, name) for name in tier_names()], module=__name__, qualname="Tier")
Tier.__doc__ = _TierBase.__doc__


class Complexity(str, Enum):
    trivial = "trivial"
    simple = "simple"
    standard = "standard"
    complex = "complex"

    @property
    def rank(self) -> int:
        return _COMPLEXITY_RANK[self]


_TIER_RANK = {t: i for i, t in enumerate(Tier)}
_COMPLEXITY_RANK = {c: i for i, c in enumerate(Complexity)}


class Strategy(str, Enum):
    """Which rule decided; in precedence order."""

    model_label = "model_label"
    complexity_label = "complexity_label"
    pattern = "pattern"
    file_count = "file_count"
    llm = "llm"
    default = "default"
    override = "override"  # a human (label change or slash-command) decided
    learned = "learned"  # recorded outcomes in this repository (or all of them) decided
    security = "security"  # evidence only (the security floor); never the deciding strategy


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bytes):
        v = v.decode("utf-8", errors="replace")
    if not isinstance(v, str):
        raise ValueError("must be a string")
    return v


class IssueInput(BaseModel):
    """What the router sees of a piece of work. Text is untrusted and only ever treated as data."""

    model_config = ConfigDict(extra="ignore")

    title: str = ""
    body: str = ""
    labels: list[str] = Field(default_factory=list)
    changed_files: int | None = Field(default=None, ge=0)
    changed_paths: list[str] = Field(default_factory=list)
    author_association: str | None = None

    # One validator per field that checks and truncates: every routed issue passes here.
    @field_validator("title", mode="before")
    @classmethod
    def _title(cls, v: object) -> str:
        return (v if type(v) is str else _text(v))[:MAX_TITLE_CHARS]

    @field_validator("body", mode="before")
    @classmethod
    def _body(cls, v: object) -> str:
        return (v if type(v) is str else _text(v))[:MAX_BODY_CHARS]

    @field_validator("labels", mode="before")
    @classmethod
    def _labels(cls, v: object) -> list[str]:
        """Accept label names or GitHub label objects ({"name": ...})."""
        if v is None:
            return []
        if isinstance(v, (str, bytes)) or not isinstance(v, (list, tuple)):
            raise ValueError("labels must be a list of strings")
        out: list[str] = []
        for item in v:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                out.append(item["name"])
            elif isinstance(item, str):
                out.append(item)
            else:
                raise ValueError(f"label {item!r} is not a string")
        return out


class Pins(NamedTuple):
    """What a person chose for an issue (by label or command): it weighs exactly like that label on the issue."""

    tier: Tier | None = None
    complexity: Complexity | None = None


class RuleMatch(BaseModel):
    """One piece of evidence in the rule trace (what `/why` and `explain` print)."""

    strategy: Strategy
    rule: str  # e.g. pattern name, label name, "files=3"
    tier: Tier | None = None
    complexity: Complexity | None = None
    detail: str = ""
    decided: bool = False


Confidence = Annotated[float, Field(ge=0.0, le=1.0)]


class ClassifierResult(BaseModel):
    """The only thing the LLM classifier can return: enums, booleans and numbers, no free text.

    `tier` is the cheapest tier that can *execute* the work (after a Sonnet plan when `needs_planning`)."""

    model_config = ConfigDict(extra="forbid")

    tier: Tier
    complexity: Complexity
    confidence: Confidence
    security_sensitive: bool = False
    well_defined: bool = True
    needs_planning: bool = False
    expected_files: int | None = Field(default=None, ge=0, le=10_000)


class Role(str, Enum):
    """What a phase of the work does: Sonnet plans, the cheapest adequate tier executes, Opus reviews."""

    plan = "plan"
    execute = "execute"
    review = "review"


class Phase(BaseModel):
    """One run of the work's plan, priced on its tier's model (immutable: the router shares them)."""

    model_config = ConfigDict(frozen=True)

    role: Role
    tier: Tier
    model: str
    estimated_cost_usd: float


class CostEstimate(BaseModel):
    input_tokens: int
    output_tokens: int
    usd: float


MAX_KIND = 200  # characters of a decision's kind: rule names and labels joined, clipped by the router


class RoutingDecision(BaseModel):
    """The router's answer for one issue; serialisable as the `decision` output everywhere."""

    tier: Tier
    model: str
    complexity: Complexity
    confidence: Confidence
    strategy: Strategy
    rationale: str
    matched_rules: list[RuleMatch] = Field(default_factory=list)
    pipeline: bool = False  # a plan phase: sonnet plans, a cheaper tier executes
    security_sensitive: bool = False
    estimated_cost_usd: float  # the sum of the phases; execute: its ladder's expected cost (estimate_ladder)
    baseline_cost_usd: float  # the same other phases on sonnet; execute: no routing's (sonnet, then opus)
    savings_usd: float
    notes: list[str] = Field(default_factory=list)  # e.g. classifier timeout, config error
    phases: list[Phase] = Field(default_factory=list)  # plan?, execute, review?; `tier` is the execute phase's
    # what kind of work this is, for learning from outcomes (e.g. "typo", "refactor+security"): a learning key the
    # router clips (bot.routing.finish.Choice), bounded where a state line is read
    kind: str = Field("", max_length=MAX_KIND)
    classifier_cost_usd: float = 0.0  # what asking the LLM classifier cost (0 when cached or not asked)
    # Ladders list each tier at most once, so no longer than the tiers there are: bounded where a state line is read
    ladder: list[Tier] = Field(default_factory=list, max_length=len(Tier))  # the learned escalation order (empty: executor.escalation)
    explored: bool = Field(default=False, exclude=True)  # the ladder explores or audits (not the learned one)
    estimate_ladder: list[Tier] = Field(default_factory=list, max_length=len(Tier))  # what the execute estimate prices, escalation included
    estimate_basis: Literal["tokens", "priors", "actuals"] = "tokens"  # public per-task priors, or this repo's costs

    def phase(self, role: "Role | str") -> Phase | None:
        role = Role(role)
        return next((p for p in self.phases if p.role is role), None)

    def summary(self) -> dict[str, object]:
        """The flat keys the CLI's JSONL and the Action's outputs promise."""
        return {
            "tier": self.tier.value,
            "model": self.model,
            "complexity": self.complexity.value,
            "confidence": round(self.confidence, 3),
            "strategy": self.strategy.value,
            "rationale": self.rationale,
            "estimated_cost_usd": round(self.estimated_cost_usd, 6),
            "baseline_cost_usd": round(self.baseline_cost_usd, 6),
            "savings_usd": round(self.savings_usd, 6),
            "pipeline": self.pipeline,
            "security_sensitive": self.security_sensitive,
            "phases": [{"role": p.role.value, "tier": p.tier.value, "model": p.model,
                        "estimated_cost_usd": round(p.estimated_cost_usd, 6)} for p in self.phases],
        }
