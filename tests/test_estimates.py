"""Estimates that are true (issue #22 item 4): a decision's estimate is the expected cost of the ladder it runs,
escalation included, with one attempt per tier priced per task (the dated priors' ratios), not the same tokens
on every tier; its baseline is no routing (Sonnet, then Opus) priced the same way; actual costs win."""

from __future__ import annotations

import pytest

from bot.catalog import estimate_cost
from bot.config import RepoConfig
from bot.issues.render import routing_comment
from bot.models import Complexity, IssueInput, Strategy, Tier
from bot.priors import load_ladder_priors
from bot.routing import route
from bot.routing.ladder import LadderStats, expect
from bot.routing.learning import Knowledge, Observation

H, S, O = Tier.haiku, Tier.sonnet, Tier.opus
RENAME = IssueInput(title="Rename `UserMgr` to `UserManager` across the API module")


def prior_cost(complexity: Complexity, config: RepoConfig) -> dict[Tier, float]:
    """One attempt per tier: the execute token budget at Sonnet's price × the tier's per-task ratio."""
    sonnet = estimate_cost(S, complexity, config).usd
    ratio = load_ladder_priors().cost
    return {t: sonnet * ratio[t] / ratio[S] for t in Tier}


@pytest.mark.parametrize("knowledge", [None, Knowledge()], ids=["no-store", "nothing-recorded"])
def test_a_haiku_routed_simple_issue_is_priced_as_its_ladder_under_the_priors(knowledge: Knowledge | None) -> None:
    config = RepoConfig()
    d = route(RENAME, config, knowledge=knowledge, repo="o/r")
    assert (d.tier, d.complexity, d.strategy, d.ladder) == (H, Complexity.simple, Strategy.pattern, [])
    cost = prior_cost(Complexity.simple, config)
    usd, _ = expect(LadderStats(), d.kind, (H, S, O), cost)  # a failed haiku try escalates to sonnet, then opus
    base, _ = expect(LadderStats(), d.kind, (S, O), cost)  # no routing: sonnet, then opus
    assert d.estimated_cost_usd == pytest.approx(usd)
    assert d.baseline_cost_usd == pytest.approx(base)
    assert d.savings_usd == pytest.approx(base - usd)
    same_tokens = estimate_cost(H, Complexity.simple, config).usd
    assert d.estimated_cost_usd > 2 * same_tokens  # not the same tokens at haiku's price
    assert (d.estimate_ladder, d.estimate_basis) == ([H, S, O], "priors")
    assert d.phases[0].estimated_cost_usd == pytest.approx(usd)


def test_the_rules_ladder_stops_at_max_attempts_and_follows_the_configured_escalation() -> None:
    config = RepoConfig.model_validate({"executor": {"max_attempts": 2, "escalation": ["haiku", "opus"]}})
    d = route(RENAME, config)
    cost = prior_cost(Complexity.simple, config)
    assert d.estimate_ladder == [H, O]
    assert d.estimated_cost_usd == pytest.approx(expect(LadderStats(), d.kind, (H, O), cost)[0])
    assert d.baseline_cost_usd == pytest.approx(expect(LadderStats(), d.kind, (S, O), cost)[0])


def test_sonnet_work_saves_nothing_against_no_routing() -> None:
    d = route(IssueInput(title="Refactor the notification service to use the event bus"), RepoConfig())
    assert d.tier is S and d.estimate_ladder == [S, O]
    assert d.estimated_cost_usd == pytest.approx(d.baseline_cost_usd) and d.savings_usd == pytest.approx(0)


def test_actual_costs_win_and_the_comment_says_which() -> None:
    k = Knowledge()
    for _ in range(8):
        k.add(Observation("o/r", "rename", "simple", H, True, 0.02, ()))
    d = route(RENAME, RepoConfig(), knowledge=k, repo="o/r")
    assert d.estimate_basis == "actuals"
    assert d.estimated_cost_usd < route(RENAME, RepoConfig()).estimated_cost_usd  # actual haiku runs cost less
    text = routing_comment(d)
    assert "from this repository's actual costs" in text and "public per-task priors" not in text


def test_the_sticky_comment_says_the_estimate_is_from_public_priors_with_escalation() -> None:
    d = route(RENAME, RepoConfig())
    text = routing_comment(d)
    assert "| Estimated cost | " in text
    assert "(expected, escalation included: haiku → sonnet → opus; from public per-task priors) |" in text
    assert "| No-routing baseline | " in text and "All-Sonnet baseline" not in text
    assert "| Savings | $" in text
