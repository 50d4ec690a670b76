"""The dated model catalog: current ids from the installed SDK, provenance on every price, the cost model."""

from __future__ import annotations

import typing
from datetime import date

import anthropic
import pytest

from bot.catalog import estimate_cost, load_catalog, model_for, price_for, tier_of
from bot.config import load_config_text, RepoConfig
from bot.models import Complexity, Tier


def test_tier_defaults_are_model_ids_the_installed_sdk_knows() -> None:
    known = set(typing.get_args(typing.get_args(anthropic.types.Model)[0]))
    catalog = load_catalog()
    assert set(catalog.tiers) == set(Tier)
    for tier, model in catalog.tiers.items():
        assert model in known, model
        assert catalog.models[model].tier is tier and catalog.models[model].status == "active"


def test_every_price_says_where_it_came_from_and_when() -> None:
    catalog = load_catalog()
    assert catalog.file.startswith("catalog-") and catalog.as_of <= date(2026, 11, 28)
    for model in catalog.models.values():
        assert model.price.source and model.price.checked, model.id
        assert model.price.batch_input <= model.price.input and model.price.cache_read <= model.price.input


@pytest.mark.parametrize(("model", "inp", "out"), [("claude-haiku-4-5", 1, 5), ("claude-sonnet-4-5", 3, 15),
                                                    ("claude-opus-4-1", 15, 75)])
def test_seed_models_kept_for_comparison(model: str, inp: float, out: float) -> None:
    price = price_for(model)
    assert (price.input, price.output) == (inp, out)


def test_retirements_are_dated() -> None:
    models = load_catalog().models
    assert models["claude-sonnet-4-5"].retires == date(2026, 11, 30)
    assert models["claude-opus-4-1"].status == "retired"


def test_model_for_prefers_repo_override() -> None:
    assert model_for(Tier.opus, RepoConfig()) == load_catalog().tiers[Tier.opus]
    cfg = load_config_text("models:\n  opus: claude-opus-4-1\n")
    assert model_for(Tier.opus, cfg) == "claude-opus-4-1"


def test_price_overrides_are_partial_and_sourced() -> None:
    cfg = load_config_text("prices:\n  claude-sonnet-5-5:\n    output: 12.5\n")
    price = price_for("claude-sonnet-5-5", cfg)
    assert price.output == 12.5 and price.input == price_for("claude-sonnet-5-5").input
    assert "override" in price.source


def test_unknown_model_is_priced_as_its_tier_default_and_says_so() -> None:
    price = price_for("claude-opus-9-9")
    assert price.input == price_for(load_catalog().tiers[Tier.opus]).input
    assert "no price for claude-opus-9-9" in price.source
    assert tier_of("claude-opus-9-9") is Tier.opus and tier_of("gpt-5") is None
    assert tier_of("claude-haiku-4-5") is Tier.haiku


def test_estimate_is_tokens_times_price() -> None:
    cfg = RepoConfig()
    est = estimate_cost(Tier.sonnet, Complexity.standard, cfg)
    tokens = cfg.token_estimates[Complexity.standard]
    price = price_for(model_for(Tier.sonnet, cfg))
    assert (est.input_tokens, est.output_tokens) == (tokens.input_tokens, tokens.output_tokens)
    assert est.usd == pytest.approx((tokens.input_tokens * price.input + tokens.output_tokens * price.output) / 1e6)
