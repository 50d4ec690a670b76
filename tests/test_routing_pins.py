"""A person's choice reaches route() as data (Pins), never as a label string made up for the engine to parse."""

from __future__ import annotations

from bot.config import RepoConfig
from bot.models import Complexity, IssueInput, Pins, Strategy, Tier
from bot.routing import forced, route

ISSUE = IssueInput(title="Fix typo in the README", body="teh → the", labels=["docs"])


def test_a_pinned_tier_decides_like_its_label():
    pinned = route(ISSUE, RepoConfig(), pins=Pins(tier=Tier.opus))
    labelled = route(ISSUE.model_copy(update={"labels": ["docs", "model:opus"]}), RepoConfig())
    assert pinned.tier is Tier.opus and pinned.strategy is Strategy.model_label
    assert pinned.model_dump() == labelled.model_dump()


def test_a_pinned_complexity_decides_like_its_label():
    pinned = route(ISSUE, RepoConfig(), pins=Pins(complexity=Complexity.complex))
    labelled = route(ISSUE.model_copy(update={"labels": ["docs", "complexity:complex"]}), RepoConfig())
    assert pinned.complexity is Complexity.complex and pinned.model_dump() == labelled.model_dump()


def test_no_pins_is_plain_routing():
    assert route(ISSUE, RepoConfig(), pins=Pins()) == route(ISSUE, RepoConfig())


def test_forced_keeps_the_other_pin():
    d = forced(ISSUE, RepoConfig(), tier=Tier.sonnet, by="octocat", pins=Pins(complexity=Complexity.standard))
    assert d.strategy is Strategy.override and d.tier is Tier.sonnet and d.complexity is Complexity.standard
