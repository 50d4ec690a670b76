"""The ladder objective (issue #22): the cheapest first tier and escalation order meeting a success floor,
learned per kind from attempts that know which tiers already failed, on dated priors."""

from __future__ import annotations

import pytest

from bot.config import RepoConfig
from bot.models import IssueInput, Strategy, Tier
from bot.priors import load_ladder_priors
from bot.routing import route
from bot.routing.ladder import AUDIT_EVERY, EXPLORE_EVERY, HOPE_MAX, MIX_MIN, choose_ladder
from bot.routing.ladder_stats import LadderStats, expect, show
from bot.routing.learning import Knowledge, Observation

H, S, O = Tier.haiku, Tier.sonnet, Tier.opus
NONE: frozenset[Tier] = frozenset()


def feed(stats: LadderStats, kind: str, pattern: dict[Tier, bool], ladder: tuple[Tier, ...], n: int,
         cost: dict[Tier, float]) -> None:
    """`n` issues whose per-tier outcomes are `pattern`, run along `ladder` until one resolves."""
    for _ in range(n):
        failed: frozenset[Tier] = frozenset()
        for t in ladder:
            stats.add(kind, t, failed, pattern[t], cost[t])
            if pattern[t]:
                break
            failed = failed | {t}


def test_priors_are_dated_data_with_coherent_conditional_rates() -> None:
    p = load_ladder_priors()
    rate = LadderStats(p).rate  # nothing recorded yet: the priors' joint
    assert p.file.startswith("ladder_priors-") and p.checked.isoformat() == p.file[len("ladder_priors-"):-5]
    assert "swebench" in p.source.lower() or "swe-bench" in p.source.lower()
    assert rate("k", H, NONE) == pytest.approx(0.666) and rate("k", S, NONE) == pytest.approx(0.714)
    assert rate("k", S, frozenset({H})) == pytest.approx(0.2, abs=0.01)  # after a haiku failure: 1 in 5
    assert rate("k", O, frozenset({H})) == pytest.approx(1 / 3, abs=0.01)  # opus: 1 in 3
    assert p.cost[H] / p.cost[S] == pytest.approx(0.5)  # per task, not per token


def test_expected_cost_counts_every_attempt_and_success_every_step() -> None:
    stats = LadderStats()
    cost = {H: 1.0, S: 2.0, O: 2.3}
    usd, ok = expect(stats, "k", (H, O), cost)
    p_h = stats.rate("k", H, NONE)
    assert usd == pytest.approx(1.0 + (1 - p_h) * 2.3)
    assert ok == pytest.approx(1 - (1 - p_h) * (1 - stats.rate("k", O, frozenset({H}))))


def test_skips_a_tier_that_adds_nothing_after_a_failure() -> None:
    """Sonnet never rescues what haiku failed here, opus often does: haiku → opus, sonnet skipped — at once
    under a configured floor; under no routing's, once issues begun on sonnet show what it resolves where
    haiku succeeded (no haiku-first run shows that): until then the kind's ladder keeps sonnet, last."""
    stats = LadderStats()
    cost = {H: 0.3, S: 0.6, O: 0.7}
    feed(stats, "k", {H: True, S: True, O: True}, (H,), 60, cost)
    feed(stats, "k", {H: False, S: False, O: True}, (H, S, O), 25, cost)
    feed(stats, "k", {H: False, S: False, O: False}, (H, S, O), 15, cost)
    choice = choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0, explore=False, floor=0.8)
    assert choice.ladder == (H, O)
    assert choice.expected_usd < choice.baseline_usd and choice.success >= choice.baseline_success - 1e-9
    assert "Ladder haiku → opus: expected $" in choice.sentence and "no routing (sonnet → opus)" in choice.sentence
    unseen = choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0, explore=False)
    assert unseen.ladder == (H, O, S) and "mixed in" not in unseen.sentence
    feed(stats, "k", {H: True, S: True, O: True}, (S, O, H), 12, cost)  # audits: no routing first
    feed(stats, "k", {H: False, S: False, O: True}, (S, O, H), 5, cost)
    feed(stats, "k", {H: False, S: False, O: False}, (S, O, H), 3, cost)
    seen = run(stats, 10, explore=False)
    assert {lad for lad, _, _ in seen} == {(H, O)}
    assert "mixed in on 100% of this kind's issues instead of haiku → opus → sonnet" in seen[0][2]


def test_the_kinds_own_ladder_runs_every_tier_no_routing_runs_under_the_default_floor() -> None:
    """What sonnet alone resolves among issues haiku resolved is never seen on a haiku-first ladder (on real
    outcomes the priors put it at 0.3 %, it was 18 %): a kind's own ladder that left sonnet out would rest on
    that cell; one that keeps sonnet and opus resolves whatever no routing would. Cheaper ladders only mix in."""
    for opus_usd in (7.0, 20.0):
        for lad, explored, why in run(spare(opus_usd), 3 * AUDIT_EVERY):
            assert explored or "mixed in" in why or {S, O} <= set(lad)
    for seed_cost in ({H: 0.1, S: 0.3, O: 0.4}, {H: 0.33, S: 0.66, O: 0.45}):
        stats = LadderStats()
        feed(stats, "k", {H: True, S: True, O: True}, (H,), 80, seed_cost)
        feed(stats, "k", {H: False, S: True, O: True}, (H, O), 20, seed_cost)
        choice = choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0, explore=False)
        assert {S, O} <= set(choice.ladder) and choice.success >= choice.baseline_success - 1e-9


def test_opus_first_when_it_costs_less_per_task_and_resolves_more() -> None:
    stats = LadderStats()
    cost = {H: 0.33, S: 0.66, O: 0.45}
    feed(stats, "k", {H: False, S: True, O: True}, (O,), 70, cost)
    feed(stats, "k", {H: False, S: True, O: True}, (H, O), 15, cost)  # haiku fails here
    feed(stats, "k", {H: False, S: False, O: False}, (S, O, H), 20, cost)
    feed(stats, "k", {H: False, S: True, O: False}, (S,), 10, cost)
    choice = choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0, explore=False)
    assert choice.ladder[0] is O
    # unasked, opus goes first only once its actual cost is known
    fresh = LadderStats()
    assert choose_ladder(fresh, "k", max_attempts=3, fallback_scale=1.0, explore=False).ladder[0] is not O


def test_the_floor_is_no_routing_by_default_and_configurable() -> None:
    stats = LadderStats()
    default = choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0, explore=False)
    assert default.success >= default.baseline_success - 1e-9
    low = choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0, explore=False, floor=0.5)
    assert low.ladder == (H,) and "the configured 50%" in low.sentence  # haiku alone clears a 50 % floor
    high = choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0, explore=False, floor=0.99)
    assert len(high.ladder) == 3  # nothing meets 99 %: the most successful ladder


def test_an_opus_floor_runs_opus_but_no_routing_stays_sonnet_then_opus() -> None:
    """No routing is what the repository does without the router (Sonnet, then Opus), whatever the router's own
    floor: the baseline says and prices that, as the rules' estimate does (bot/routing/estimate.py)."""
    stats = LadderStats()
    feed(stats, "k", {H: True, S: True, O: True}, (H,), 50, {H: 0.1, S: 0.2, O: 0.3})
    free = choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0, explore=False)
    floored = choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0, min_tier=O, explore=False)
    assert floored.ladder == (O,)
    assert (floored.baseline_usd, floored.baseline_success) == (free.baseline_usd, free.baseline_success)
    assert f"against no routing ({show((S, O))})" in floored.sentence


def test_security_floor_and_rule_named_tiers_keep_haiku_out() -> None:
    stats = LadderStats()
    feed(stats, "k", {H: True, S: True, O: True}, (H,), 50, {H: 0.1, S: 0.2, O: 0.3})
    sec = choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0, min_tier=S, explore=False)
    assert H not in sec.ladder
    # subtle work (race conditions): haiku only on this kind's own record of haiku, never as a trial
    for i in range(12):
        assert H not in choose_ladder(stats, "race", max_attempts=3, fallback_scale=1.0, guarded=True).ladder
        feed(stats, "race", {H: False, S: True, O: True}, (S,), 1, {H: 0.1, S: 0.2, O: 0.3})
    assert choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0, explore=False,
                         guarded=True).ladder[0] is H


def test_exploration_is_paced_bounded_and_explained() -> None:
    stats = LadderStats()
    explored = []
    for i in range(40):
        c = choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0)
        explored.append(c.explored)
        if c.explored:
            assert "exploring" in c.sentence and f"one issue in {EXPLORE_EVERY}" in c.sentence
        feed(stats, "k", {H: i % 3 != 0, S: True, O: True}, c.ladder, 1, {H: 0.1, S: 0.2, O: 0.3})
    assert [i for i, e in enumerate(explored) if e] == [i for i in range(40) if i % EXPLORE_EVERY == EXPLORE_EVERY - 1][
        :sum(explored)]
    assert 0 < sum(explored) <= 40 // EXPLORE_EVERY
    again = LadderStats()
    assert [choose_ladder(again, "k", max_attempts=3, fallback_scale=1.0).ladder for _ in range(3)] == \
        [choose_ladder(LadderStats(), "k", max_attempts=3, fallback_scale=1.0).ladder] * 3


def test_a_ladder_without_no_routings_last_tier_is_audited_one_issue_in_audit_every() -> None:
    """Haiku alone looks enough here, so the ladder leaves out opus: its estimate of what no routing would
    resolve rests on tiers it no longer runs, so one issue in AUDIT_EVERY runs no routing's ladder first."""
    stats = LadderStats()
    cost = {H: 0.1, S: 0.3, O: 0.4}
    feed(stats, "k", {H: True, S: True, O: True}, (H,), 80, cost)
    feed(stats, "k", {H: False, S: False, O: False}, (H, S, O), 4, cost)
    plain = choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0, explore=False, floor=0.8)
    assert O not in plain.ladder and not plain.explored  # a configured floor: the default keeps opus (below)
    audited = []
    for i in range(2 * AUDIT_EVERY):
        c = choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0, floor=0.8)
        if c.ladder[:2] == (S, O):
            assert c.explored and f"one issue in {AUDIT_EVERY} of this kind" in c.sentence
            assert "leaves out opus" in c.sentence and c.ladder == (S, O, *[t for t in plain.ladder if t not in (S, O)])
            audited.append(i)
        feed(stats, "k", {H: True, S: True, O: True}, c.ladder, 1, cost)
    assert audited == [i for i in range(2 * AUDIT_EVERY) if (84 + i) % AUDIT_EVERY == AUDIT_EVERY // 2]


def test_a_ladder_that_keeps_no_routings_tiers_is_not_audited() -> None:
    stats = LadderStats()
    cost = {H: 0.3, S: 0.6, O: 0.7}
    feed(stats, "k", {H: True, S: True, O: True}, (H,), 60, cost)
    feed(stats, "k", {H: False, S: False, O: True}, (H, S, O), 25, cost)
    for _ in range(2 * AUDIT_EVERY):
        c = choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0)
        assert O in c.ladder and "check of what no routing resolves" not in c.sentence
        feed(stats, "k", {H: True, S: True, O: True}, c.ladder, 1, cost)


def spare(opus_usd: float, audited: int = 2) -> LadderStats:
    """A kind whose escalation resolves more than no routing does (haiku resolves issues sonnet and opus miss),
    seen by haiku-first issues and by `audited` × 100 issues run sonnet → opus → haiku."""
    stats = LadderStats()
    cost = {H: 1.0, S: 3.0, O: opus_usd}
    for ladder, n in (((S, O, H), audited), ((H, S, O), 3)):
        for pattern, share in (((1, 1, 1), 40), ((1, 0, 0), 6), ((0, 0, 1), 8), ((0, 1, 0), 12), ((0, 0, 0), 34)):
            feed(stats, "k", dict(zip((H, S, O), map(bool, pattern))), ladder, share * n, cost)
    return stats


def run(stats: LadderStats, n: int, **kw: object) -> list[tuple[tuple[Tier, ...], bool, str]]:
    """`n` consecutive decisions of kind `k` (its issue count advancing, its record not)."""
    out = []
    for _ in range(n):
        c = choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0, **kw)  # type: ignore[arg-type]
        out.append((c.ladder, c.explored, c.sentence))
        stats.issues["k"] += 1
    return out


def test_spare_success_is_spent_by_mixing_a_cheaper_ladder_into_a_share_of_the_kind() -> None:
    """Haiku → sonnet → opus clears the floor with room to spare (it runs every tier no routing runs, and haiku
    resolves issues they miss); haiku → sonnet alone would not: it takes a share of the issues (deterministic
    by issue count), as large as a one-sided bound of the mix's success allows."""
    decisions = run(spare(20.0), 40, explore=False)
    mixed = [why for lad, _, why in decisions if lad == (H, S)]
    assert {lad for lad, _, _ in decisions} == {(H, S, O), (H, S)} and 10 < len(mixed) < 30
    assert all("mixed in on" in why and "instead of haiku → sonnet → opus" in why and "one-sided 69 % bound" in why
               for why in mixed)
    assert [lad for lad, _, _ in run(spare(20.0), 40, explore=False)] == [lad for lad, _, _ in decisions]
    # a configured floor is met as configured, never by a mix
    assert not any("mixed in" in why for _, _, why in run(spare(20.0), 20, explore=False, floor=0.5))
    # a kind without MIX_MIN issues begun on no routing's first tier does not mix (its floor is unmeasured)
    thin = spare(20.0, audited=0)
    assert thin.first_tries("k", S) < MIX_MIN
    assert not any("mixed in" in why for _, _, why in run(thin, 20, explore=False))
    # opus cheap: haiku → sonnet still mixes into haiku → sonnet → opus, never the kind's own ladder
    cheap_opus = run(spare(7.0), 20, explore=False)
    assert {lad for lad, _, _ in cheap_opus} == {(H, S, O), (H, S)}
    assert all("mixed in" in why for lad, _, why in cheap_opus if lad == (H, S))


def test_a_mix_worth_more_than_an_audit_costs_is_audited() -> None:
    """Mixing in haiku → sonnet would save more an issue than running no routing's ladder first costs, so one
    issue in AUDIT_EVERY measures what no routing resolves; with no mix worth it, no audit."""
    decisions = run(spare(20.0), 2 * AUDIT_EVERY)
    audits = [i for i, (lad, explored, why) in enumerate(decisions) if lad[:2] == (S, O) and explored]
    assert audits == [i for i in range(2 * AUDIT_EVERY) if (500 + i) % AUDIT_EVERY == AUDIT_EVERY // 2]
    assert "could save $" in decisions[audits[0]][2] and "more than this check of what no routing" in \
        decisions[audits[0]][2]
    assert [i for i, (lad, explored, why) in enumerate(run(spare(7.0), 2 * AUDIT_EVERY)) if "could save" in why] \
        == audits
    stats = LadderStats()
    feed(stats, "k", {H: True, S: True, O: True}, (H,), 60, {H: 0.3, S: 0.6, O: 0.7})
    assert not any("could save" in why for _, _, why in run(stats, 2 * AUDIT_EVERY))


def test_the_decision_carries_the_ladder_and_prices_it_with_escalation() -> None:
    """The estimate is the chosen ladder's expected cost, escalation included; the baseline is no routing."""
    k = Knowledge()
    for _ in range(30):
        k.add(Observation("o/r", "", "standard", H, True, 0.3, ()))
    for _ in range(10):
        k.add(Observation("o/r", "", "standard", H, False, 0.4, ()))
        k.add(Observation("o/r", "", "standard", O, True, 0.7, (H,)))
    d = route(IssueInput(title="Make the widget remember its size"), RepoConfig(), knowledge=k, repo="o/r")
    assert d.ladder and d.ladder[0] is d.tier and d.strategy is Strategy.learned and d.tier is H
    assert "escalation included" in d.rationale and "actual costs recorded" in d.rationale
    assert d.estimated_cost_usd == pytest.approx(d.phases[0].estimated_cost_usd)
    assert 0.3 < d.estimated_cost_usd < d.baseline_cost_usd and d.savings_usd > 0
    off = RepoConfig.model_validate({"learning": {"objective": "target"}})
    assert route(IssueInput(title="Make the widget remember its size"), off, knowledge=k, repo="o/r").ladder == []


def test_success_floor_is_configurable_and_checked() -> None:
    assert RepoConfig.model_validate({"learning": {"success_floor": 0.8}}).learning.success_floor == 0.8
    with pytest.raises(ValueError):
        RepoConfig.model_validate({"learning": {"success_floor": 1.5}})


def test_escalation_follows_the_learned_ladder_else_the_configured_one() -> None:
    from bot.routing.ladder import next_tier

    assert next_tier([O, H], O, [H, S, O]) is H and next_tier([O, H], H, [H, S, O]) is None
    assert next_tier([H, O], H, [H, S, O]) is O  # sonnet skipped
    assert next_tier([], H, [H, S, O]) is S and next_tier([S, O], H, [H, S, O]) is S  # not on it: configured


def test_small_costs_are_said_to_the_fraction_of_a_cent() -> None:
    c = choose_ladder(LadderStats(), "k", max_attempts=3, fallback_scale=0.003, explore=False)
    assert "expected $0.00" in c.sentence and "expected $0.00 " not in c.sentence  # e.g. $0.0021, not $0.00


def test_a_first_tier_judged_on_early_failures_is_retried_while_its_optimistic_bound_pays_bounded() -> None:
    """Haiku failed most of its first tries early, so haiku → sonnet → opus looks dearer than no routing's
    ladder and the kind settled on sonnet → opus; at an optimistic bound of haiku's rate it would be cheaper,
    so the exploration slot retries it (a ladder keeping no routing's tiers: no success at stake), and stops
    once haiku has HOPE_MAX first tries here."""
    stats = LadderStats()
    cost = {H: 0.4, S: 1.0, O: 2.0}
    miss, sonnet = {H: False, S: False, O: False}, {H: False, S: True, O: True}
    for lad in [(S, O, H), (O, S, H), (H, S, O), (S, H), (O, H)]:  # every step explored EXPLORE_MIN times
        feed(stats, "k", miss, lad, 6, cost)
    feed(stats, "k", sonnet, (H, S), 8, cost)
    feed(stats, "k", {H: True, S: True, O: True}, (H,), 3, cost)
    feed(stats, "k", sonnet, (S,), (EXPLORE_EVERY - 1 - stats.issues["k"]) % EXPLORE_EVERY + 50, cost)
    assert choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0, explore=False).ladder == (S, O)
    c = choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0)
    assert c.explored and c.ladder == (H, S, O)
    assert "optimistic 84 % bound of its rate" in c.sentence and f"fewer than {HOPE_MAX} tries" in c.sentence
    feed(stats, "k", sonnet, (H, S), HOPE_MAX, cost)  # haiku keeps failing: the bound closes, the cap holds
    feed(stats, "k", sonnet, (S,), (EXPLORE_EVERY - 1 - stats.issues["k"]) % EXPLORE_EVERY, cost)
    late = choose_ladder(stats, "k", max_attempts=3, fallback_scale=1.0)
    assert "optimistic" not in late.sentence and late.ladder[0] is not H
