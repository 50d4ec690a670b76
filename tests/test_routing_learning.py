"""The router learns from outcomes: per repository with backoff to all, credibly above target, paced exploration."""

from __future__ import annotations

import math

import pytest

from bot.config import RepoConfig, load_config_text
from bot.models import IssueInput, Strategy, Tier
from bot.routing import route
from bot.routing.learning import EXPLORE_MAX, MIN_EVIDENCE, Knowledge, Observation, chance_at_least, wilson

CFG = RepoConfig()
REPO = "octo/app"


def obs(tier: Tier, success: bool, n: int, *, kind: str = "docs-touch", repo: str = REPO,
        complexity: str = "trivial", cost: float | None = None) -> list[Observation]:
    return [Observation(repo, kind, complexity, tier, success, cost) for _ in range(n)]


def widget_issues(k: Knowledge, n: int, *, haiku_ok: bool = True) -> str:
    """Route n unmatched standard issues in a row, learning each outcome (escalation after a haiku failure)."""
    tiers = []
    for _ in range(n):
        d = route(IssueInput(title="Make the widget nicer"), CFG, knowledge=k, repo=REPO)
        tiers.append(d.tier.value[0])
        k.add(Observation(REPO, d.kind, d.complexity.value, d.tier, d.tier is not Tier.haiku or haiku_ok))
        if d.tier is Tier.haiku and not haiku_ok:
            k.add(Observation(REPO, d.kind, d.complexity.value, Tier.sonnet, True))
    return "".join(tiers)


def widget(tier: Tier, success: bool, n: int, repo: str = REPO) -> list[Observation]:
    return obs(tier, success, n, kind="", complexity="standard", repo=repo)


def test_an_unlucky_start_keeps_exploring_at_every_issue_until_the_record_rules_the_tier_out() -> None:
    k = Knowledge([*widget(Tier.sonnet, True, 10), *widget(Tier.haiku, True, 6), *widget(Tier.haiku, False, 3)])
    d = route(IssueInput(title="Make the widget nicer"), CFG, knowledge=k, repo=REPO)
    assert d.tier is Tier.haiku
    assert "Exploring haiku, one tier below sonnet: haiku succeeded on 6 of 9 `unmatched` issues here so far" \
        in d.rationale
    assert widget_issues(k, 5) == "hhhhh"
    k2 = Knowledge(widget(Tier.sonnet, True, 2))  # no haiku runs here yet
    assert widget_issues(k2, 3) == "hhh"


def test_a_thick_record_near_the_target_is_explored_at_its_chance_of_meeting_it() -> None:
    k = Knowledge([*widget(Tier.sonnet, True, 10), *widget(Tier.haiku, True, 33), *widget(Tier.haiku, False, 8)])
    assert 33 + 8 >= EXPLORE_MAX
    assert widget_issues(k, 12) == "ssssshsssssh"  # Beta(34, 9): a 17 % chance of >= 85 %: one issue in 6
    k = Knowledge([*widget(Tier.sonnet, True, 10), *widget(Tier.haiku, True, 33), *widget(Tier.haiku, False, 8)])
    k.add(Observation(REPO, "", "standard", Tier.sonnet, True))
    k.add(Observation(REPO, "", "standard", Tier.sonnet, True))
    k.add(Observation(REPO, "", "standard", Tier.sonnet, True))
    k.add(Observation(REPO, "", "standard", Tier.sonnet, True))
    k.add(Observation(REPO, "", "standard", Tier.sonnet, True))
    d = route(IssueInput(title="Make the widget nicer"), CFG, knowledge=k, repo=REPO)
    assert d.tier is Tier.haiku and "one issue in 6 (a 17% chance it meets the 85% target): haiku succeeded " \
        "on 33 of 41" in d.rationale


def test_the_other_repositories_record_is_the_prior_for_this_one() -> None:
    here = [*widget(Tier.sonnet, True, 10), *widget(Tier.haiku, True, 33), *widget(Tier.haiku, False, 8)]
    alone = Knowledge(here).chance(REPO, "", Tier.haiku, 0.85)
    assert alone == pytest.approx(chance_at_least(0.85, 34, 9))  # uniform prior
    good_elsewhere = Knowledge([*widget(Tier.haiku, True, 40, repo="other/repo"), *here])
    assert good_elsewhere.chance(REPO, "", Tier.haiku, 0.85) > 1.5 * alone
    assert widget_issues(good_elsewhere, 4) == "sssh"  # 28 %: one issue in 4


def test_chance_at_least_is_the_beta_tail() -> None:
    def binomial(t: float, a: int, b: int) -> float:  # for whole a, b: P(rate >= t) = P(Bin(a+b-1, t) <= a-1)
        n = a + b - 1
        return sum(math.comb(n, j) * t**j * (1 - t) ** (n - j) for j in range(a))

    for a, b, t in [(1, 1, 0.85), (34, 9, 0.85), (3, 3, 0.5), (60, 3, 0.85), (2, 5, 0.85), (1, 7, 0.2), (40, 2, 0.99)]:
        assert chance_at_least(t, a, b) == pytest.approx(binomial(t, a, b), abs=1e-9)
    assert chance_at_least(0.0, 2.5, 1.5) == 1.0 and chance_at_least(1.0, 2.5, 1.5) == 0.0


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


def test_exploration_stops_once_the_record_rules_the_cheaper_tier_out() -> None:
    k = Knowledge(widget(Tier.sonnet, True, 1))
    tiers = widget_issues(k, 200, haiku_ok=False)  # haiku always fails here: escalation runs sonnet
    assert tiers.count("h") == MIN_EVIDENCE and tiers.startswith("h" * MIN_EVIDENCE)
    d = route(IssueInput(title="Make the widget nicer"), CFG, knowledge=k, repo=REPO)
    assert "haiku succeeded on 0 of 4 `unmatched` issues here, below the 85% target, so not haiku" in d.rationale


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
    # #22 item 4: the mean actual cost prices a haiku attempt, and through the per-task ratios the tiers a failure
    # escalates to and no routing's; before, the execute estimate was one haiku run, with no escalation, against
    # Sonnet's tokens scaled by the per-token price ratio (20x)
    from bot.priors import load_ladder_priors
    from bot.routing.ladder_stats import LadderStats, expect

    ratio = load_ladder_priors().cost
    cost = {t: 0.05 * ratio[t] / ratio[Tier.haiku] for t in Tier}
    stats = LadderStats()
    assert d.phase("execute").estimated_cost_usd == pytest.approx(
        expect(stats, "", (Tier.haiku, Tier.sonnet, Tier.opus), cost)[0])
    assert d.baseline_cost_usd == pytest.approx(expect(stats, "", (Tier.sonnet, Tier.opus), cost)[0])
    assert "mean actual cost" in d.rationale and d.estimate_basis == "actuals"


def test_target_comes_from_config() -> None:
    strict = load_config_text("learning:\n  target_success: 0.99\n")
    k = Knowledge([*obs(Tier.haiku, True, 95), *obs(Tier.haiku, False, 5)])
    assert route(IssueInput(title="Update the README install section"), CFG, knowledge=k, repo=REPO).tier is Tier.haiku
    d = route(IssueInput(title="Update the README install section"), strict, knowledge=k, repo=REPO)
    assert d.tier is Tier.sonnet and "95 of 100 `docs-touch` issues here, below the 99% target" in d.rationale


def test_exploring_can_be_turned_off_learning_still_routes_on_evidence() -> None:
    """`learning.explore: false`: no trial runs one tier down; a credible record still moves the tier."""
    cfg = load_config_text("learning:\n  explore: false\n")
    k = Knowledge([*widget(Tier.sonnet, True, 10), *widget(Tier.haiku, True, 6), *widget(Tier.haiku, False, 3)])
    d = route(IssueInput(title="Make the widget nicer"), cfg, knowledge=k, repo=REPO)
    assert d.tier is Tier.sonnet and "xploring" not in d.rationale
    proven = Knowledge([*widget(Tier.sonnet, True, 10), *widget(Tier.haiku, True, 40)])
    assert route(IssueInput(title="Make the widget nicer"), cfg, knowledge=proven, repo=REPO).tier is Tier.haiku
