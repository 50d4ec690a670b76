"""The ladder objective's priors (per-task cost ratios, joint per-tier outcomes), read from the dated file in bot/data."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.catalog_file import newest_dated
from bot.models import Tier

_ORDER = (Tier.haiku, Tier.sonnet, Tier.opus)  # the order of the flags in an `outcomes` key


class LadderPriors(BaseModel):
    """What an attempt on each tier costs (relative to Sonnet) and how tiers' outcomes go together."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    checked: date
    source: str = Field(min_length=1)
    kind_weight: float = Field(gt=0)
    cost_weight: float = Field(gt=0)
    cost: dict[Tier, float]
    outcomes: dict[tuple[bool, bool, bool], float]
    file: str = ""

    @field_validator("outcomes", mode="before")
    @classmethod
    def _flags(cls, v: dict[str, float]) -> dict[tuple[bool, ...], float]:
        out = {}
        for key, share in v.items():
            flags = tuple(part == "1" for part in str(key).split())
            if len(flags) != len(_ORDER) or any(p not in "01" for p in str(key).split()):
                raise ValueError(f"outcome key {key!r} is not three 0/1 flags (haiku sonnet opus)")
            out[flags] = float(share)
        return out

    @model_validator(mode="after")
    def _complete(self) -> "LadderPriors":
        if set(self.cost) != set(Tier) or min(self.cost.values()) <= 0:
            raise ValueError("cost needs a positive ratio for every tier")
        if len(self.outcomes) != 2 ** len(_ORDER) or abs(sum(self.outcomes.values()) - 1) > 1e-6:
            raise ValueError("outcomes needs all eight flag patterns, summing to 1")
        return self

    def rate(self, tier: Tier, failed: frozenset[Tier]) -> float:
        """P(tier resolves the issue | every tier in `failed` did not), from the joint distribution."""
        col = {t: i for i, t in enumerate(_ORDER)}
        given = [(flags, p) for flags, p in self.outcomes.items() if not any(flags[col[f]] for f in failed)]
        total = sum(p for _, p in given)
        return sum(p for flags, p in given if flags[col[tier]]) / total if total > 0 else 0.0


@lru_cache(maxsize=1)
def load_ladder_priors() -> LadderPriors:
    """The newest dated ladder_priors-YYYY-MM-DD.yaml in bot/data."""
    name, raw = newest_dated("ladder_priors")
    return LadderPriors.model_validate({**raw, "file": name})
