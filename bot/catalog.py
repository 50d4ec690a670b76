"""Model catalog and cost model: tier → model id and per-MTok prices, read from the dated file in bot/data."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.catalog_file import raw_catalog
from bot.models import Complexity, CostEstimate, Tier

if TYPE_CHECKING:
    from bot.config import RepoConfig

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PerMTok = float
PRICE_FIELDS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read", "batch_input", "batch_output")


class Price(BaseModel):
    """USD per million tokens, with where the number came from and when it was checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: PerMTok = Field(ge=0)
    output: PerMTok = Field(ge=0)
    cache_write_5m: PerMTok = Field(ge=0)
    cache_write_1h: PerMTok = Field(ge=0)
    cache_read: PerMTok = Field(ge=0)
    batch_input: PerMTok = Field(ge=0)
    batch_output: PerMTok = Field(ge=0)
    source: str = ""
    checked: date | None = None

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input + output_tokens * self.output) / 1_000_000


class ModelInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    tier: Tier
    status: Literal["active", "legacy", "deprecated", "retired"]
    released: date | None = None
    retires: date | None = None
    notes: str = ""
    price: Price

    @model_validator(mode="before")
    @classmethod
    def _price_provenance(cls, data: Any) -> Any:
        """The file states source/checked once per model; every price carries them."""
        if isinstance(data, dict) and isinstance(data.get("price"), dict):
            data = dict(data)
            price = dict(data["price"])
            price.setdefault("source", data.pop("source", ""))
            price.setdefault("checked", data.pop("checked", None))
            data["price"] = price
        return data


class Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: date
    file: str = ""
    tiers: dict[Tier, str]
    models: dict[str, ModelInfo]

    @model_validator(mode="before")
    @classmethod
    def _ids(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("models"), dict):
            data = dict(data)
            data["models"] = {k: {"id": k, **v} for k, v in data["models"].items()}
        return data

    @model_validator(mode="after")
    def _tiers_known(self) -> "Catalog":
        for tier, model in self.tiers.items():
            if model not in self.models:
                raise ValueError(f"tiers.{tier.value}: {model} has no entry under models")
        return self


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The newest dated catalog-YYYY-MM-DD.yaml in bot/data (`bot.catalog_file`, which `Tier` is made from)."""
    name, raw = raw_catalog()
    return Catalog.model_validate({**raw, "file": name})


def model_for(tier: Tier, config: "RepoConfig | None" = None) -> str:
    """The concrete model id for a tier: the repo's override, else the catalog's current default."""
    tier = Tier(tier)
    if config is not None and tier in config.models:
        return config.models[tier]
    return load_catalog().tiers[tier]


def tier_of(model_id: str) -> Tier | None:
    info = load_catalog().models.get(model_id)
    if info is not None:
        return info.tier
    for tier in Tier:  # an id the catalog does not know yet, e.g. a newer dated snapshot
        if tier.value in model_id.lower():
            return tier
    return None


def price_for(model_id: str, config: "RepoConfig | None" = None) -> Price:
    """Catalog price with the repo's overrides applied; an unknown id is priced as its tier's default."""
    catalog = load_catalog()
    info = catalog.models.get(model_id)
    if info is not None:
        base = info.price
    else:
        tier = tier_of(model_id) or Tier.sonnet
        fallback = catalog.tiers[tier]
        base = catalog.models[fallback].price.model_copy(
            update={"source": f"no price for {model_id} in the catalog; priced as {fallback}"}
        )
    override = config.prices.get(model_id) if config is not None else None
    if override is None:
        return base
    changes = override.model_dump(exclude_none=True)
    if changes:
        changes.setdefault("source", f"repo config override ({', '.join(sorted(changes))})")
    return base.model_copy(update=changes)


def estimate_cost(tier: Tier, complexity: Complexity, config: "RepoConfig", role: str = "execute",
                  listed: bool = False) -> CostEstimate:
    """Token estimate for the complexity class (a share of it for a plan or review run) × the tier's price
    (`listed`: the dated catalog's list price of the tier's default model, no repository override)."""
    estimate = config.token_estimates[Complexity(complexity)]
    input_tokens, output_tokens = estimate.input_tokens, estimate.output_tokens
    if role != "execute":
        spec = phase_specs()[role]
        input_tokens, output_tokens = round(input_tokens * spec.input_share), round(output_tokens * spec.output_share)
    price = price_for(model_for(tier)) if listed else price_for(model_for(tier, config), config)
    return CostEstimate(input_tokens=input_tokens, output_tokens=output_tokens,
                        usd=price.cost(input_tokens, output_tokens))


class PhaseSpec(BaseModel):
    """Who runs a plan or review phase, and its token budget as a share of the execute run's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tier: Tier
    input_share: float = Field(ge=0, le=10)
    output_share: float = Field(ge=0, le=10)


@lru_cache(maxsize=1)
def phase_specs() -> dict[str, PhaseSpec]:
    """bot/data/phases.yaml: `plan` and `review`."""
    raw = yaml.load((resources.files("bot") / "data" / "phases.yaml").read_text(encoding="utf-8"), Loader=_Loader)
    return {role: PhaseSpec.model_validate(raw[role]) for role in ("plan", "review")}
