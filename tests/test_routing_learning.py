"""The router learns from outcomes: per repository with backoff to all, credibly above target, bounded exploration."""

from __future__ import annotations

import pytest

from bot.config import RepoConfig, load_config_text
from bot.models import IssueInput, Strategy, Tier
from bot.routing import route
from bot.routing.learning import BAD_RETRY_MAX, EXPLORE_MAX, Knowledge, Observation, wilson

CFG = RepoConfig()
REPO = "octo/app"


def obs(tier: Tier, success: bool, n: int, *, kind: str = "docs-touch", repo: str = REPO,
        complexity: str = "trivial", cost: float | None = None) -> list[Observation]:
    return [Observation(repo, kind, complexity, tier, success, cost) for _ in range(n)]


def test_exploration_paces_itself_while_there_is_no_sign_either_way() -> None:
    k = Knowledge([*obs(Tier.sonnet, True, 10, kind="", complexity="standard"),
                   *obs(Tier.haiku, True, 1, kind="", complexity="standard"),
                   *obs(Tier.haiku, False, 1, kind="", complexity="standard")])  # 1 of 2: no sign either way
    tiers = []
    for _ in range(4):
        d = route(IssueInput(title="Make the widget nicer"), CFG, knowledge=k, repo=REPO)
        tiers.append(d.tier.value[0])
        k.add(Observation(REPO, d.kind, d.complexity.value, d.tier, True))
    assert "".join(tiers) == "sssh"  # one issue in four tries haiku
    k2 = Knowledge([*obs(Tier.sonnet, True, 10, kind="", complexity="standard"),
                    *obs(Tier.haiku, True, 2, kind="", complexity="standard")])  # promising
    d = route(IssueInput(title="Make the widget nicer"), CFG, knowledge=k2, repo=REPO)
    assert d.tier is Tier.haiku and "xploring haiku" in d.rationale  # tried at every issue


def test_wilson_bounds() -> None:
    lo, hi = wilson(17, 18)
    assert 0.85 < lo < 0.9 < hi
    assert wilson(0, 0) == (0.0, 1.0)


def test_rationale_says_what_it_learned() -> None:
    k = Knowledge([*obs(Tier.haiku, True, 17), *obs(Tier.haiku, False, 1)])
    d = route(IssueInput(title="Update the README install section"), CFG, knowledge=k, repo=REPO)
    assert d.tier is Tier.haiku and "haiku succeeded on 17 of 18 `docs-touch` issues here" in d.rationale


def test_learns_a_cheaper_tier_than_the_rules_pick() -> None:
    k = Knowledge(obs(Tier.haiku, True, 12, kind="design", complexity="standard"))
    d = route(IssueInput(title="Design the cache layer"), CFG, knowledge=k, repo=REPO)
    assert (d.tier, d.strategy) == (Tier.haiku, Strategy.learned)
    assert "The router's rules pointed to sonnet" in d.rationale


def test_moves_up_when_the_rules_tier_credibly_fails_here() -> None:
    k = Knowledge([*obs(Tier.haiku, False, 5), *obs(Tier.haiku, True, 3)])
    d = route(IssueInput(title="Update the README install section"), CFG, knowledge=k, repo=REPO)
    assert (d.tier, d.strategy) == (Tier.sonnet, Strategy.learned)
    assert "haiku succeeded on 3 of 8 `docs-touch` issues here, below the 85% target" in d.rationale


def test_backs_off_from_the_repository_to_all_repositories() -> None:
    elsewhere = obs(Tier.haiku, True, 20, kind="design", complexity="standard", repo="other/repo")
    d = route(IssueInput(title="Design the cache layer"), CFG, knowledge=Knowledge(elsewhere), repo=REPO)
    assert d.tier is Tier.haiku and "`design` issues in all repositories" in d.rationale
    # ... until this repository has its own evidence, which wins
    here = obs(Tier.haiku, False, 6, kind="design", complexity="standard")
    d = route(IssueInput(title="Design the cache layer"), CFG, knowledge=Knowledge([*elsewhere, *here]), repo=REPO)
    assert d.tier is Tier.sonnet and "0 of 6 `design` issues here" in d.rationale


def test_security_work_is_never_explored_or_learned_down_to_haiku() -> None:
    k = Knowledge(obs(Tier.haiku, True, 50, kind="typo+auth", complexity="trivial"))
    d = route(IssueInput(title="Fix typo in the password reset page"), CFG, knowledge=k, repo=REPO)
    assert d.tier is Tier.sonnet and d.security_sensitive and "xploring" not in d.rationale


def test_exploration_is_bounded_and_a_failure_record_stops_it() -> None:
    k = Knowledge(obs(Tier.sonnet, True, 1, kind="", complexity="standard"))
    explored = 0
    for _ in range(200):
        d = route(IssueInput(title="Make the widget nicer"), CFG, knowledge=k, repo=REPO)
        explored += d.tier is Tier.haiku
        k.add(Observation(REPO, d.kind, d.complexity.value, d.tier, d.tier is Tier.sonnet))
        if d.tier is Tier.haiku:  # haiku always fails here: escalation runs sonnet
            k.add(Observation(REPO, d.kind, d.complexity.value, Tier.sonnet, True))
    # credibly bad after a few tries: exploring slows to one issue in ten, and stops at BAD_RETRY_MAX
    assert explored == BAD_RETRY_MAX < EXPLORE_MAX
    assert "haiku succeeded on 0 of 16" in d.rationale


def test_opus_is_never_learned_as_the_first_tier_unless_asked() -> None:
    k = Knowledge([*obs(Tier.sonnet, False, 30, kind="", complexity="standard"),
                   *obs(Tier.opus, True, 30, kind="", complexity="standard")])
    assert route(IssueInput(title="Make the widget nicer"), CFG, knowledge=k, repo=REPO).tier is not Tier.opus
    asked = route(IssueInput(title="Make the widget nicer", labels=["model:opus"]), CFG, knowledge=k, repo=REPO)
    assert asked.tier is Tier.opus


def test_labels_win_over_learning() -> None:
    k = Knowledge(obs(Tier.haiku, True, 40, kind="|model:sonnet"))
    d = route(IssueInput(title="Update the README", labels=["model:sonnet"]), CFG, knowledge=k, repo=REPO)
    assert (d.tier, d.strategy) == (Tier.sonnet, Strategy.model_label)


def test_empty_or_unreadable_learning_store_routes_with_rules_and_says_so() -> None:
    d = route(IssueInput(title="Fix typo"), CFG, knowledge=Knowledge(note="learning store unreadable"), repo=REPO)
    assert d.tier is Tier.haiku and d.strategy is Strategy.pattern
    assert "nothing learned yet (learning store unreadable), so the rules decided" in d.rationale


def test_estimates_calibrate_to_recorded_actual_costs() -> None:
    k = Knowledge(obs(Tier.haiku, True, 6, cost=0.05))
    d = route(IssueInput(title="Update the README install section"), CFG, knowledge=k, repo=REPO)
    assert d.phase("execute").estimated_cost_usd == pytest.approx(0.05) and "mean actual cost" in d.rationale


def test_target_comes_from_config() -> None:
    strict = load_config_text("learning:\n  target_success: 0.99\n")
    k = Knowledge([*obs(Tier.haiku, True, 17), *obs(Tier.haiku, False, 1)])
    assert route(IssueInput(title="Update the README install section"), strict, knowledge=k, repo=REPO).tier is Tier.sonnet
