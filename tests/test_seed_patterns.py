"""The seed's pattern table in full (issue #22, item 6): "update text" is haiku work; race conditions and
memory leaks (subtle bug detection) never execute on haiku without learned evidence, and get an Opus review."""

from __future__ import annotations

import pytest

from bot.config import RepoConfig
from bot.models import IssueInput, Role, Tier
from bot.routing import route


@pytest.mark.parametrize("title", ["Update text on the pricing page", "Update the text of the welcome email",
                                   "Change the wording of the signup button"])
def test_update_text_goes_to_haiku(title: str) -> None:
    d = route(IssueInput(title=title), RepoConfig())
    assert d.tier is Tier.haiku and any(m.rule == "text-update" for m in d.matched_rules)


@pytest.mark.parametrize("title", ["Race condition when two workers claim the same job",
                                   "Memory leak in the websocket fan-out", "Deadlock in the scheduler"])
def test_subtle_bugs_execute_above_haiku_with_an_opus_review(title: str) -> None:
    d = route(IssueInput(title=title), RepoConfig())
    assert d.tier is Tier.sonnet
    assert [(p.role, p.tier) for p in d.phases] == [(Role.execute, Tier.sonnet), (Role.review, Tier.opus)]
