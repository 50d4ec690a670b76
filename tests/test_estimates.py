"""Estimates that are true (issue #22 item 4): a decision's estimate is the expected cost of the ladder it runs,
escalation included, with one attempt per tier priced per task (the dated priors' ratios), not the same tokens
on every tier; its baseline is no routing (Sonnet, then Opus) priced the same way; actual costs win."""

from __future__ import annotations

import pytest

from bot.catalog import estimate_cost, model_for
from bot.config import RepoConfig
from bot.issues.render import money, routing_comment
from bot.models import Complexity, IssueInput, Strategy, Tier
from bot.priors import load_ladder_priors
from bot.routing import route
from bot.routing.ladder_stats import LadderStats, expect
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


def test_a_labelled_decision_is_priced_from_actual_costs_too() -> None:
    """A label decides the tier (learning does not move it), but recorded actual costs still price it."""
    k = Knowledge()
    for _ in range(8):
        k.add(Observation("o/r", "rename", "simple", H, True, 0.02, ()))
    labelled = IssueInput(title=RENAME.title, labels=["model:haiku"])
    d = route(labelled, RepoConfig(), knowledge=k, repo="o/r")
    assert d.strategy is Strategy.model_label and d.estimate_basis == "actuals"
    assert route(labelled, RepoConfig()).estimate_basis == "priors"
    assert d.estimated_cost_usd < route(labelled, RepoConfig()).estimated_cost_usd


def test_the_sticky_comment_says_the_estimate_is_from_public_priors_with_escalation() -> None:
    d = route(RENAME, RepoConfig())
    text = routing_comment(d)
    assert "| Estimated cost | " in text
    assert "(expected, escalation included: haiku → sonnet → opus; from public per-task priors) |" in text
    assert "| No-routing baseline | " in text and "All-Sonnet baseline" not in text
    assert "| Savings | $" in text


def test_cost_command_prices_a_task_per_tier_and_its_escalation_against_no_routing(
        gh, fake_github, webhook_example, tmp_path, time_machine) -> None:
    """`/cost` shows what a task costs starting on each tier, escalation included, against no routing, at the
    per-task priors; before, it showed the same tokens at each tier's price against one Sonnet run."""
    from datetime import datetime

    from sqlalchemy import create_engine

    from bot import permissions
    from bot.commands.replies import REPLY_MARKER
    from bot.config.source import FixedConfig
    from bot.context import Context
    from bot.handlers import handle_event
    from bot.routing.estimate import by_tier
    from bot.routing.matcher import compiled
    from bot.store.issues import IssueStore

    repo = "Codertocat/Hello-World"
    time_machine.move_to(datetime(2026, 11, 20, 12, 0), tick=False)
    permissions.clear_cache()
    ctx = Context(gh=gh, repo=repo, store=IssueStore(create_engine(f"sqlite:///{tmp_path / 'c.db'}")),
                  configs=FixedConfig())
    p = webhook_example("issue_comment", "created")
    p["comment"]["body"] = "/cost simple"
    p["issue"]["title"], p["issue"]["body"] = "Fix typo in README", "A typo."
    p["issue"].pop("pull_request", None)
    fake_github.seed_payload(p)
    p["comment"]["id"] = fake_github.add_comment(repo, p["issue"]["number"], "/cost simple", user=p["sender"]["login"])
    fake_github.set_permission(repo, p["sender"]["login"], "read")
    handle_event("issue_comment", p, ctx)
    permissions.clear_cache()
    body = [c for c in fake_github.comments(repo, p["issue"]["number"]) if REPLY_MARKER in c["body"]][-1]["body"]
    config = RepoConfig()
    cost = prior_cost(Complexity.simple, config)
    tasks, no_routing = by_tier(config, compiled(config).costs, Complexity.simple)
    assert tasks[H] == pytest.approx((cost[H], expect(LadderStats(), "", (H, S, O), cost)[0]))
    assert no_routing == pytest.approx(expect(LadderStats(), "", (S, O), cost)[0])
    assert "| tier | model | a task | expected, escalating from it | vs no routing |" in body
    task, expected = tasks[H]
    row = f"| haiku | `{model_for(H, config)}` | {money(task)} | {money(expected)} | −{money(no_routing - expected)} |"
    assert row in body
    assert "No routing (Sonnet, then Opus) is expected to cost $" in body and "vs all-Sonnet" not in body


def _times(tier: Tier, factor: float) -> dict[str, object]:
    """A repository's price override of `tier`'s model: its catalog input and output prices × `factor`."""
    from bot.catalog import price_for

    price = price_for(model_for(tier))
    return {"prices": {model_for(tier): {"input": price.input * factor, "output": price.output * factor}}}


def _attempts(config: RepoConfig, complexity: Complexity = Complexity.simple) -> dict[Tier, float]:
    from bot.routing.estimate import by_tier
    from bot.routing.matcher import compiled

    return {t: task for t, (task, _) in by_tier(config, compiled(config).costs, complexity)[0].items()}


@pytest.mark.parametrize("complexity", list(Complexity))
def test_without_a_price_override_one_attempt_costs_what_it_did(complexity: Complexity) -> None:
    """Each tier's own (effective) price × its turn multiplier is, at list prices, Sonnet's price × the ratio."""
    config = RepoConfig()
    assert _attempts(config, complexity) == pytest.approx(prior_cost(complexity, config), rel=1e-12)


def test_a_price_override_of_haiku_moves_haiku_attempts_and_nothing_else() -> None:
    """A repository that negotiated another Haiku price sees its estimate follow: before, only Sonnet's price
    counted (every attempt was the budget at Sonnet's price × a ratio)."""
    before, after = _attempts(RepoConfig()), _attempts(RepoConfig.model_validate(_times(H, 2)))
    assert after[H] == pytest.approx(2 * before[H])
    assert (after[S], after[O]) == pytest.approx((before[S], before[O]))
    cheap = RepoConfig.model_validate(_times(O, 0.5))
    assert _attempts(cheap)[O] == pytest.approx(before[O] / 2)
    assert _attempts(RepoConfig.model_validate(_times(S, 3)))[H] == pytest.approx(before[H])  # haiku's own price
    d, dear = route(RENAME, RepoConfig()), route(RENAME, RepoConfig.model_validate(_times(H, 2)))
    assert d.estimate_ladder == dear.estimate_ladder == [H, S, O]
    cost = {**prior_cost(Complexity.simple, RepoConfig()), H: after[H]}
    assert dear.estimated_cost_usd == pytest.approx(expect(LadderStats(), dear.kind, (H, S, O), cost)[0])
    assert dear.estimated_cost_usd - d.estimated_cost_usd == pytest.approx(before[H])  # the first try always runs
    assert dear.baseline_cost_usd == pytest.approx(d.baseline_cost_usd)  # no routing runs no haiku


def test_a_models_override_prices_the_tier_at_the_chosen_models_price() -> None:
    """`models:` maps a tier to another model: its attempts cost the same tokens at that model's price."""
    from bot.catalog import load_catalog

    default = model_for(H)
    other = next(m for m in load_catalog().models.values() if m.tier is H and m.id != default)
    listed = load_catalog().models[default].price
    budget = RepoConfig().token_estimates[Complexity.simple]
    factor = other.price.cost(budget.input_tokens, budget.output_tokens) / listed.cost(
        budget.input_tokens, budget.output_tokens)
    assert factor != pytest.approx(1)
    after = _attempts(RepoConfig.model_validate({"models": {"haiku": other.id}}))
    assert after[H] == pytest.approx(_attempts(RepoConfig())[H] * factor)


def test_the_learned_ladder_prices_attempts_at_each_tiers_own_price() -> None:
    """The ladder objective's fallback (no actual costs yet) is the same per-tier price as the estimate's."""
    from bot.routing.ladder_stats import attempt_costs, token_scale
    from bot.routing.matcher import compiled

    config = RepoConfig.model_validate(_times(H, 2))
    stats = LadderStats()
    cost = attempt_costs(stats, "", Tier, token_scale(compiled(config).costs, config, Complexity.simple, stats.priors))
    assert cost == pytest.approx(_attempts(config))


def test_recorded_actual_costs_still_win_over_a_price_override() -> None:
    k = Knowledge()
    for _ in range(8):
        k.add(Observation("o/r", "rename", "simple", H, True, 0.02, ()))
    plain = route(RENAME, RepoConfig(), knowledge=k, repo="o/r")
    dear = route(RENAME, RepoConfig.model_validate(_times(H, 2)), knowledge=k, repo="o/r")
    assert dear.estimate_basis == plain.estimate_basis == "actuals"
    assert dear.estimated_cost_usd == pytest.approx(plain.estimated_cost_usd)


def test_the_baseline_prices_the_other_phases_on_sonnet_and_every_surface_says_so() -> None:
    """Sonnet executes security work as no routing would (the same execute ladder), and Opus reviews it; no routing's
    baseline prices that review on Sonnet, so the decision costs more. The surfaces say the other phases are on
    Sonnet, not "the same other phases" (which would leave the difference unexplained)."""
    from bot.catalog import estimate_cost as phase_cost
    from bot.routing.explain import explain

    config = RepoConfig()
    d = route(IssueInput(title="OAuth callback accepts a state parameter from another session",
                         labels=["security"]), config)
    assert d.tier is S and [p.role.value for p in d.phases] == ["execute", "review"] and d.estimate_ladder == [S, O]
    execute, review = d.phases
    sonnet_review = phase_cost(S, d.complexity, config, "review").usd
    assert d.baseline_cost_usd == pytest.approx(execute.estimated_cost_usd + sonnet_review)
    assert d.estimated_cost_usd - d.baseline_cost_usd == pytest.approx(review.estimated_cost_usd - sonnet_review)
    said = "(Sonnet, then Opus, expected; the other phases on Sonnet)"
    assert f"| No-routing baseline | {money(d.baseline_cost_usd)} {said} |" in routing_comment(d)
    assert "the same other phases" not in routing_comment(d) + explain(d)
    assert "without routing (sonnet, then opus; the other phases on sonnet)" in explain(d)
    from bot.cli.route_output import as_text

    assert "without routing (sonnet, then opus; the other phases on sonnet)." in as_text(d)


def test_the_estimate_cache_follows_the_executor_and_the_prices_of_the_config_it_prices() -> None:
    """The rules' estimate is cached in the compiled config's cache, which copies of a config share while their
    prices and rules stay (bot/routing/matcher.compiled): a copy with another executor must not read the first's."""
    from bot.routing.matcher import compiled

    config = RepoConfig()
    three = route(RENAME, config)
    one_try = config.model_copy(update={"executor": config.executor.model_copy(update={"max_attempts": 1})})
    assert compiled(one_try) is compiled(config)  # the shared cache this test is about
    d = route(RENAME, one_try)
    cost = prior_cost(Complexity.simple, config)
    assert d.estimate_ladder == [H] and d.estimated_cost_usd == pytest.approx(cost[H])
    assert d.baseline_cost_usd == pytest.approx(cost[S])  # no routing gets one try too
    skips = config.model_copy(update={"executor": config.executor.model_copy(update={"escalation": [H, O]})})
    assert route(RENAME, skips).estimate_ladder == [H, O]
    assert route(RENAME, config).estimated_cost_usd == pytest.approx(three.estimated_cost_usd)
    price = RepoConfig.model_validate({"prices": {model_for(S, config): {"input": 6, "output": 30}}}).prices
    dear = config.model_copy(update={"prices": price})  # Sonnet's price up: Sonnet's attempts follow (not the cache's)
    times = estimate_cost(S, Complexity.simple, dear).usd / estimate_cost(S, Complexity.simple, config).usd
    d = route(RENAME, dear)
    assert times > 1.5 and d.estimated_cost_usd == pytest.approx(
        expect(LadderStats(), d.kind, (H, S, O), {**cost, S: times * cost[S]})[0])
    assert d.estimated_cost_usd > three.estimated_cost_usd


def test_the_rationale_says_what_priced_the_attempt_under_the_target_objective() -> None:
    """`learning.objective: target`: the decided tier's mean actual cost sets the scale only where the ladder record
    has no actual costs of its own; where it has, those price every attempt, and the rationale must not claim the
    haiku attempt is priced at haiku's mean ($0.02 here, while the record's costs put it near $0.13)."""
    from bot.routing.ladder import attempt_costs

    config = RepoConfig.model_validate({"learning": {"objective": "target"}})
    placed = Knowledge()  # attempts that know their place on the ladder: the record has actual costs of its own
    for _ in range(8):
        placed.add(Observation("o/r", "rename", "simple", H, True, 0.02, ()))
        placed.add(Observation("o/r", "docs", "standard", S, True, 3.0, ()))
    d = route(RENAME, config, knowledge=placed, repo="o/r")
    assert d.tier is H and d.estimate_basis == "actuals"
    haiku = attempt_costs(placed.ladders, d.kind, Tier, 1.0)[H]
    assert haiku > 5 * placed.calibrated_cost("o/r", H, d.complexity)
    assert d.estimated_cost_usd == pytest.approx(expect(placed.ladders, d.kind, (H, S, O),
                                                        attempt_costs(placed.ladders, d.kind, Tier, 1.0))[0])
    assert "at the mean actual cost of recorded runs" not in d.rationale
    assert "from this repository's recorded actual costs, escalation included" in d.rationale
    unplaced = Knowledge()  # no ladder places: the mean actual cost of haiku runs sets the scale, as said
    for _ in range(8):
        unplaced.add(Observation("o/r", "rename", "simple", H, True, 0.02))
    d = route(RENAME, config, knowledge=unplaced, repo="o/r")
    assert "prices an attempt on haiku at the mean actual cost of recorded runs, escalation included" in d.rationale
