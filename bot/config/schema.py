"""The schema of a repository's .github/model-router.yml: pydantic models with defaults from bot/data."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from bot.models import Complexity, Tier

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=None)
def _data(name: str) -> Any:
    return yaml.load((resources.files("bot") / "data" / name).read_text(encoding="utf-8"), Loader=_Loader)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


def _merge_defaults(defaults: dict[str, Any], value: Any) -> Any:
    """Partial maps (e.g. one tier's colour) keep the other defaults."""
    if not isinstance(value, dict):
        return value
    merged = dict(defaults)
    for key, item in value.items():
        k = key.value if isinstance(key, (Tier, Complexity)) else key
        if isinstance(merged.get(k), dict) and isinstance(item, dict):
            merged[k] = {**merged[k], **item}
        else:
            merged[k] = item
    return merged


# ---- labels ---------------------------------------------------------------------------------------
class LabelSpec(_Strict):
    color: str = Field(pattern=r"^[0-9a-fA-F]{6}$", description="six hex digits (a leading '#' is dropped)",
                       json_schema_extra={"pattern": "^#?[0-9a-fA-F]{6}$"})  # the JSON Schema sees it before the strip
    description: str = Field(default="", max_length=100)  # GitHub's limit

    @field_validator("color", mode="before")
    @classmethod
    def _hash(cls, v: object) -> object:
        return v.lstrip("#") if isinstance(v, str) else v


def _partial(model: type[BaseModel]) -> dict:
    """`model`'s JSON Schema with nothing required: a partial entry keeps the defaults it leaves out (`_merge_defaults`)."""
    out = model.model_json_schema(mode="validation")
    out.pop("required", None)
    out.pop("title", None)
    return out


def _model_labels() -> dict[str, dict[str, str]]:
    """bot/data/labels.yaml's tier labels, one per tier of the catalog, in its order."""
    known = _data("labels.yaml")["model"]
    grey = {"color": "ededed", "description": ""}
    return {t.value: dict(known.get(t.value) or {**grey, "description": f"model-router: {t.value} tier"}) for t in Tier}


def _complexity_labels() -> dict[str, dict[str, str]]:
    known = _data("labels.yaml")["complexity"]
    return {c.value: dict(known[c.value]) for c in Complexity}


TIER, COMPLEXITY = "tier", "complexity"  # what a router label sets (also the override `field` names)


class LabelsConfig(_Strict):
    model_prefix: str = Field(default="model:", min_length=1)
    complexity_prefix: str = Field(default="complexity:", min_length=1)
    model: dict[Tier, LabelSpec] = Field(default_factory=_model_labels,
                                         json_schema_extra={"additionalProperties": _partial(LabelSpec)})
    complexity: dict[Complexity, LabelSpec] = Field(default_factory=_complexity_labels,
                                                    json_schema_extra={"additionalProperties": _partial(LabelSpec)})
    security: LabelSpec = LabelSpec(color="b60205", description="model-router: security-sensitive, Opus review required")

    @field_validator("model", mode="before")
    @classmethod
    def _merge_model(cls, v: object) -> object:
        return _merge_defaults(_model_labels(), v)

    @field_validator("complexity", mode="before")
    @classmethod
    def _merge_complexity(cls, v: object) -> object:
        return _merge_defaults(_complexity_labels(), v)

    def model_label(self, tier: Tier) -> str:
        return f"{self.model_prefix}{Tier(tier).value}"

    def complexity_label(self, complexity: Complexity) -> str:
        return f"{self.complexity_prefix}{Complexity(complexity).value}"

    def parse(self, name: str) -> tuple[str, str] | None:
        """`model:opus` → (TIER, "opus"), `complexity:simple` → (COMPLEXITY, "simple"), None for other labels.

        The value is not checked: a router label may name no tier (the caller says so)."""
        low = name.strip().lower()
        for field, prefix in ((TIER, self.model_prefix), (COMPLEXITY, self.complexity_prefix)):
            if low.startswith(prefix.lower()):
                return field, low[len(prefix):].strip()
        return None


# ---- patterns -------------------------------------------------------------------------------------
class PatternRule(_Strict):
    """Whole-word, case-insensitive words or phrases; any one matching fires the rule."""

    # `_says_something`, for the JSON Schema too
    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"required": ["tier"], "properties": {"tier": {"not": {"type": "null"}}}},
        {"required": ["complexity"], "properties": {"complexity": {"not": {"type": "null"}}}},
        {"required": ["security"], "properties": {"security": {"const": True}}}]})

    name: str = Field(min_length=1)
    words: list[str] = Field(min_length=1)
    tier: Tier | None = None
    complexity: Complexity | None = None
    security: bool = False
    subtle: bool = False  # subtle bugs (race conditions, memory leaks): never tried on haiku without learned evidence

    @field_validator("words")
    @classmethod
    def _words(cls, v: list[str]) -> list[str]:
        cleaned = [" ".join(w.split()) for w in v]
        if any(not re.search(r"\w", w) for w in cleaned):
            raise ValueError("every word needs a letter or digit")
        return cleaned

    @model_validator(mode="after")
    def _says_something(self) -> "PatternRule":
        if self.tier is None and self.complexity is None and not self.security:
            raise ValueError(f"pattern {self.name!r} needs a tier, a complexity or security: true")
        return self


def default_patterns() -> list[PatternRule]:
    return [PatternRule.model_validate(p) for p in _data("patterns.yaml")]


# ---- costs ----------------------------------------------------------------------------------------
class PriceOverride(_Strict):
    """USD per million tokens; only the fields given replace the catalog's."""

    input: float | None = Field(default=None, ge=0)
    output: float | None = Field(default=None, ge=0)
    cache_write_5m: float | None = Field(default=None, ge=0)
    cache_write_1h: float | None = Field(default=None, ge=0)
    cache_read: float | None = Field(default=None, ge=0)
    batch_input: float | None = Field(default=None, ge=0)
    batch_output: float | None = Field(default=None, ge=0)
    source: str | None = None


class TokenEstimate(_Strict):
    input_tokens: int = Field(ge=0)
    output_tokens: int = Field(ge=0)


def _default_estimates() -> dict[str, Any]:
    return {k: v for k, v in _data("token_estimates.yaml").items() if k != "as_of"}


# ---- behaviour ------------------------------------------------------------------------------------
class LLMConfig(_Strict):
    enabled: bool = True  # used only when ANTHROPIC_API_KEY is set, and only when no rule decided
    timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    tier: Tier = Tier.haiku
    max_tokens: int = Field(default=1024, ge=16, le=8192)


CONFIG_PATH = ".github/model-router.yml"  # the one place the file's path is spelled (bot.config.loading re-exports it)
# What turns the gate off or runs code with the repository's secrets: always security paths, whatever
# `security.paths` says, so a pull request that weakens the config or the workflows (and the composite actions they run) gets the Opus review.
GATE_PATHS = (CONFIG_PATH, ".github/model-router.yaml", ".github/workflows/**", ".github/actions/**")

_SECURITY_PATHS = [
    "**/auth/**", "**/*auth*", "**/*crypto*", "**/payments/**", "**/billing/**", "**/*secret*",
    "**/*credential*", "**/security/**", "**/*.pem", "**/*.key", ".github/workflows/**",
]


class SecurityConfig(_Strict):
    labels: list[str] = Field(default_factory=lambda: ["security"])
    paths: list[str] = Field(default_factory=lambda: list(_SECURITY_PATHS))
    # security-sensitive work is raised at least to this tier (the JSON Schema refuses haiku too)
    min_tier: Tier = Field(default=Tier.sonnet, json_schema_extra={
        "not": {"enum": [t.value for t in Tier if t.rank <= Tier.haiku.rank]}})

    @field_validator("min_tier")
    @classmethod
    def _never_haiku(cls, v: Tier) -> Tier:
        if v.rank <= Tier.haiku.rank:
            higher = [t.value for t in Tier if t.rank > Tier.haiku.rank]
            raise ValueError(f"security work never goes to {v.value}; use {' or '.join(higher)}")
        return v


_ASCENDING = [[t.value for t in Tier if mask >> t.rank & 1] for mask in range(1, 1 << len(Tier))]


class ExecutorConfig(_Strict):
    workflow: str = Field(default="model-router-executor.yml", min_length=1)
    ref: str | None = None  # default branch when unset
    dispatch: Literal["workflow_dispatch", "repository_dispatch"] = "workflow_dispatch"
    max_attempts: int = Field(default=3, ge=1, le=10)
    escalation: list[Tier] = Field(default_factory=lambda: list(Tier), min_length=1,  # the catalog's tiers
                                   json_schema_extra={"enum": _ASCENDING})  # `_ascending`, for the JSON Schema
    # Who opens the executor's pull requests (claude-code-action: its App, or the workflow's token); the bot's
    # own login always counts. The review of a convoy's whole reads only their same-repository pull requests.
    pr_authors: list[str] = Field(default_factory=lambda: ["claude[bot]", "github-actions[bot]"])
    # A run's merged pull request reverted (GitHub's Revert button) within this many days counts as a failure.
    revert_window_days: int = Field(default=7, ge=0, le=365)

    @field_validator("escalation")
    @classmethod
    def _ascending(cls, v: list[Tier]) -> list[Tier]:
        if [t.rank for t in v] != sorted({t.rank for t in v}):
            raise ValueError("escalation must list tiers once each, cheapest first")
        return v


class LearningConfig(_Strict):
    """Learning from recorded outcomes (App mode): the cheapest tier credibly meeting `target_success` wins."""

    enabled: bool = True
    target_success: float = Field(default=0.85, ge=0.5, le=0.999)  # the seed's Haiku success bar
    explore: bool = True  # trial runs one tier lower where this repository's record is thin (escalation catches them)
    # Where attempts know their place on the ladder: the cheapest ladder whose expected success is at
    # least `success_floor` (None: what no routing, Sonnet then Opus, is expected to reach). "target": the
    # cheapest tier credibly meeting `target_success` (also where the record has no ladder positions).
    objective: Literal["ladder", "target"] = "ladder"
    success_floor: float | None = Field(default=None, ge=0.0, le=1.0)
    # A run a person scored LOW_SCORE or lower with `/rate` counts as a failure, whatever the agent reported.
    low_score_is_failure: bool = False


class BudgetsConfig(_Strict):
    monthly_usd: float | None = Field(default=None, ge=0)  # None: no budget
    max_concurrent_runs: int = Field(default=3, ge=1, le=100)


class PipelineConfig(_Strict):
    """Convoys: `/plan` splits an issue into at most `max_tasks` sub-issues; `auto` starts one for complex issues."""

    auto: bool = False
    max_tasks: int = Field(default=12, ge=1, le=50)


class ReviewConfig(_Strict):
    enabled: bool = True
    max_diff_chars_per_chunk: int = Field(default=60_000, ge=1_000)
    max_chunks: int = Field(default=20, ge=1)
    max_tokens: int = Field(default=8_192, ge=256)
    timeout_seconds: float = Field(default=120.0, gt=0)
    # Automatic reviews (pushes, labels) per pull-request author per 24 h; `/review` by a writer is not counted
    max_reviews_per_author_per_day: int = Field(default=20, ge=0)
    max_reviews_per_fork_author_per_day: int = Field(default=5, ge=0)
    # Automatic reviews per calendar month (USD, UTC), whoever opens the pull requests: many throwaway accounts
    # cannot spend more than this; `/review` by a writer still runs (within `budgets.monthly_usd`). null: no cap.
    monthly_usd: float | None = Field(default=100.0, ge=0)


class RepoConfig(_Strict):
    """Everything has a default: a repo without the file gets exactly `RepoConfig()`."""

    labels: LabelsConfig = LabelsConfig()
    patterns: list[PatternRule] = Field(default_factory=default_patterns)
    extra_patterns: list[PatternRule] = Field(default_factory=list)  # appended to `patterns`
    models: dict[Tier, str] = Field(default_factory=dict,  # tier → model id override
                                    json_schema_extra={"additionalProperties": {"type": "string", "pattern": "\\S"}})
    prices: dict[str, PriceOverride] = Field(default_factory=dict)  # model id → price override
    token_estimates: dict[Complexity, TokenEstimate] = Field(default_factory=_default_estimates,
                                                             json_schema_extra={"additionalProperties": _partial(TokenEstimate)})
    llm: LLMConfig = LLMConfig()
    security: SecurityConfig = SecurityConfig()
    executor: ExecutorConfig = ExecutorConfig()
    budgets: BudgetsConfig = BudgetsConfig()
    review: ReviewConfig = ReviewConfig()
    learning: LearningConfig = LearningConfig()
    pipeline: PipelineConfig = PipelineConfig()

    _compiled: Any = PrivateAttr(default=None)  # bot.routing's compiled pattern matcher (cache slot)

    @field_validator("token_estimates", mode="before")
    @classmethod
    def _merge_estimates(cls, v: object) -> object:
        return _merge_defaults(_default_estimates(), v)

    @field_validator("models")
    @classmethod
    def _model_ids(cls, v: dict[Tier, str]) -> dict[Tier, str]:
        for tier, model in v.items():
            if not model.strip():
                raise ValueError(f"{tier.value}: model id must not be empty")
        return v

    def security_paths(self) -> list[str]:
        """`security.paths` plus what guards the gate itself: this file, the executor workflow, every workflow."""
        executor = f".github/workflows/{self.executor.workflow}"
        return list(dict.fromkeys([*self.security.paths, *GATE_PATHS, executor]))

    def all_patterns(self) -> list[PatternRule]:
        return [*self.patterns, *self.extra_patterns]

    def label_specs(self) -> dict[str, LabelSpec]:
        """Every label the router manages: name → colour and description."""
        specs = {self.labels.model_label(t): s for t, s in self.labels.model.items()}
        specs.update({self.labels.complexity_label(c): s for c, s in self.labels.complexity.items()})
        if self.security.labels:
            specs[self.security.labels[0]] = self.labels.security
        return specs
