"""The ladder objective's priors (per-task cost ratios, joint per-tier outcomes), read from the dated file in bot/data."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.catalog_file import newest_dated
from bot.models import Tier

_ORDER = tuple(Tier)  # the flags of an `outcomes` key: one per catalog tier, lowest first (ladder_stats.py's bits)


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
                raise ValueError(f"outcome key {key!r} is not a 0/1 flag per tier ({' '.join(_ORDER)})")
            out[flags] = float(share)
        return out

    @model_validator(mode="after")
    def _complete(self) -> "LadderPriors":
        if set(self.cost) != set(Tier) or min(self.cost.values()) <= 0:
            raise ValueError("cost needs a positive ratio for every tier")
        if len(self.outcomes) != 2 ** len(_ORDER) or abs(sum(self.outcomes.values()) - 1) > 1e-6:
            raise ValueError(f"outcomes needs all {2 ** len(_ORDER)} flag patterns, summing to 1")
        return self


@lru_cache(maxsize=1)
def load_ladder_priors() -> LadderPriors:
    """The newest dated ladder_priors-YYYY-MM-DD.yaml in bot/data."""
    name, raw = newest_dated("ladder_priors")
    return LadderPriors.model_validate({**raw, "file": name})
