"""Each routing strategy, their precedence, the security floor, overrides, costs and the explanation."""

from __future__ import annotations

import pytest

from bot.catalog import estimate_cost, model_for
from bot.config import RepoConfig, load_config_text
from bot.models import ClassifierResult, Complexity, IssueInput, Strategy, Tier
from bot.priors import load_ladder_priors
from bot.routing import cost_table, explain, forced, route
from bot.routing.ladder_stats import LadderStats, expect


@pytest.fixture(scope="module")
def cfg() -> RepoConfig:
    return RepoConfig()


def decide(cfg: RepoConfig, **kw: object):
    return route(IssueInput(**kw), cfg)


def layout(d) -> str:
    """`plan:sonnet execute:haiku review:opus`"""
    return " ".join(f"{p.role.value}:{p.tier.value}" for p in d.phases)


def test_model_label_decides_with_full_confidence(cfg: RepoConfig) -> None:
    d = decide(cfg, title="Refactor the scheduler", labels=["model:opus"])
    assert (d.tier, d.strategy, d.confidence) == (Tier.opus, Strategy.model_label, 1.0)
    assert d.model == model_for(Tier.opus, cfg)
    assert "labelled 'model:opus'" in d.rationale


def test_model_label_is_case_insensitive_and_highest_wins_on_conflict(cfg: RepoConfig) -> None:
    d = decide(cfg, title="x", labels=["Model:Haiku", "model:sonnet"])
    assert d.tier is Tier.sonnet
    assert any("conflicting model labels" in n for n in d.notes)


@pytest.mark.parametrize(
    ("label", "tier"),
    [("complexity:trivial", Tier.haiku), ("complexity:simple", Tier.haiku),
     ("complexity:standard", Tier.sonnet), ("complexity:complex", Tier.opus)],
)
def test_complexity_label_maps_to_tier(cfg: RepoConfig, label: str, tier: Tier) -> None:
    d = decide(cfg, title="Refactor everything", labels=[label])
    assert (d.tier, d.strategy, d.confidence) == (tier, Strategy.complexity_label, 0.95)
    assert d.complexity.value == label.split(":")[1]


def test_model_label_beats_complexity_label_which_still_sets_complexity(cfg: RepoConfig) -> None:
    d = decide(cfg, title="x", labels=["complexity:complex", "model:sonnet"])
    assert (d.tier, d.complexity, d.strategy) == (Tier.sonnet, Complexity.complex, Strategy.model_label)


@pytest.mark.parametrize(
    ("title", "phases"),
    [
        ("Fix typo in the contributing guide", "execute:haiku"),
        ("Rename UserManager to AccountService", "execute:haiku"),
        ("Run the formatter over src/", "execute:sonnet"),  # "formatter" is not the word "format"
        ("Format the settings module", "execute:haiku"),
        ("Bump version to 2.4.1", "execute:haiku"),
        ("Scaffold a CRUD endpoint for tags", "execute:haiku"),
        ("Design the plugin architecture", "execute:sonnet"),
        ("Refactor across the storage layer", "execute:sonnet review:opus"),
        # #22: subtle bugs execute on Sonnet, reviewed by Opus, never on Haiku without learned evidence
        # (#11 had Sonnet plan and Haiku execute them)
        ("Race condition in the job queue", "execute:sonnet review:opus"),
        ("Memory leak when streaming uploads", "execute:sonnet review:opus"),
        # #11: complex work is planned by Sonnet, executed by Haiku, reviewed by Opus (was: opus executes)
        ("Migration of data from v1 tables", "plan:sonnet execute:haiku review:opus"),
        # #11: security-sensitive work executes at the floor and Opus reviews it (was: opus executes)
        ("Payment webhook retries double-charge", "execute:sonnet review:opus"),
        ("Security audit of the auth module", "execute:opus"),  # the work itself is review
    ],
)
def test_pattern_rules(cfg: RepoConfig, title: str, phases: str) -> None:
    d = decide(cfg, title=title)
    assert layout(d) == phases, d.rationale
    assert d.tier.value == phases.split("execute:")[1].split()[0]


def test_patterns_match_words_not_substrings(cfg: RepoConfig) -> None:
    d = decide(cfg, title="Show more information on the author page")  # format/auth inside words
    assert d.strategy is Strategy.default
    assert not d.security_sensitive


def test_patterns_are_case_insensitive_and_phrases_span_whitespace(cfg: RepoConfig) -> None:
    d = decide(cfg, title="RACE\n  CONDITION in cache")
    assert (d.complexity, d.strategy) == (Complexity.complex, Strategy.pattern)


def test_low_tier_rule_plus_security_rule_is_floor_execution_and_opus_review(cfg: RepoConfig) -> None:
    # #11: was opus execution (the security rule named opus and the highest tier won)
    d = decide(cfg, title="Fix typo in the OAuth callback")
    assert d.tier is Tier.sonnet and d.security_sensitive and layout(d) == "execute:sonnet review:opus"
    assert {m.rule for m in d.matched_rules if m.strategy is Strategy.pattern} == {"typo", "auth"}
    assert d.complexity is Complexity.trivial and d.estimated_cost_usd < 0.1


def test_patterns_come_from_config() -> None:
    cfg = load_config_text("extra_patterns:\n  - name: docs\n    words: [tutorial]\n    tier: haiku\n")
    assert route(IssueInput(title="Write a tutorial"), cfg).tier is Tier.haiku
    cfg = load_config_text("patterns:\n  - name: only\n    words: [zebra]\n    tier: opus\n")
    assert route(IssueInput(title="Fix typo"), cfg).strategy is Strategy.default
    assert route(IssueInput(title="zebra"), cfg).tier is Tier.opus


# #11: `tier` is the execution tier, so many files (sonnet plans, haiku executes) report haiku (was sonnet)
@pytest.mark.parametrize(("files", "tier", "pipeline"), [(1, Tier.haiku, False), (2, Tier.sonnet, False),
                                                         (3, Tier.sonnet, False), (4, Tier.haiku, True),
                                                         (40, Tier.haiku, True)])
def test_file_count(cfg: RepoConfig, files: int, tier: Tier, pipeline: bool) -> None:
    d = decide(cfg, title="Update the widget", changed_files=files)
    assert (d.tier, d.strategy, d.pipeline) == (tier, Strategy.file_count, pipeline)
    assert layout(d) == ("plan:sonnet execute:haiku" if pipeline else f"execute:{tier.value}")


def test_file_count_from_paths_and_patterns_take_precedence(cfg: RepoConfig) -> None:
    assert decide(cfg, title="Update widget", changed_paths=["a.py"]).tier is Tier.haiku
    d = decide(cfg, title="Design the new widget", changed_files=1)
    assert (d.tier, d.strategy) == (Tier.sonnet, Strategy.pattern)
    assert any(m.strategy is Strategy.file_count and not m.decided for m in d.matched_rules)


def test_classifier_decides_before_the_rules_but_not_before_labels(cfg: RepoConfig) -> None:
    # #11: reasoning first (was: the classifier decided only when no rule matched)
    llm = ClassifierResult(tier=Tier.sonnet, complexity=Complexity.standard, confidence=0.9)
    d = route(IssueInput(title="Make the thing work"), cfg, llm)
    assert (d.tier, d.strategy) == (Tier.sonnet, Strategy.llm)
    assert d.confidence == 0.85  # capped below the label strategies
    d = route(IssueInput(title="Fix typo"), cfg, llm)
    assert (d.tier, d.strategy) == (Tier.sonnet, Strategy.llm)
    assert any(m.rule == "typo" and not m.decided for m in d.matched_rules)  # the rule stays as evidence
    d = route(IssueInput(title="Fix typo", labels=["model:haiku"]), cfg, llm)
    assert (d.tier, d.strategy) == (Tier.haiku, Strategy.model_label)


def test_classifier_opus_means_opus_reviews_unless_the_work_is_an_audit(cfg: RepoConfig) -> None:
    llm = ClassifierResult(tier=Tier.opus, complexity=Complexity.complex, confidence=0.9)
    d = route(IssueInput(title="Make the thing work"), cfg, llm)
    assert (d.tier, d.strategy) == (Tier.sonnet, Strategy.llm) and layout(d) == "execute:sonnet review:opus"
    assert "opus executes only when" in d.rationale
    assert route(IssueInput(title="Security audit of the session code"), cfg, llm).tier is Tier.opus


def test_classifier_plan_makes_haiku_execute_after_a_sonnet_plan(cfg: RepoConfig) -> None:
    llm = ClassifierResult(tier=Tier.haiku, complexity=Complexity.standard, confidence=0.9, needs_planning=True)
    d = route(IssueInput(title="Add pagination to every list endpoint"), cfg, llm)
    assert layout(d) == "plan:sonnet execute:haiku" and d.pipeline


def test_default_is_sonnet(cfg: RepoConfig) -> None:
    d = decide(cfg, title="Make the thing work")
    assert (d.tier, d.complexity, d.strategy, d.confidence) == (Tier.sonnet, Complexity.standard,
                                                                 Strategy.default, 0.6)


def test_failure_notes_reach_the_rationale(cfg: RepoConfig) -> None:
    d = route(IssueInput(title="x"), cfg, None, ["LLM classifier unavailable (timed out after 5 s)"])
    assert d.strategy is Strategy.default
    assert "timed out" in d.rationale and d.notes


def test_invalid_labels_are_noted_not_fatal(cfg: RepoConfig) -> None:
    d = decide(cfg, title="x", labels=["model:gpt5", "complexity:huge"])
    assert d.strategy is Strategy.default
    assert len(d.notes) == 2 and "model:gpt5" in d.rationale


# ---- security floor ---------------------------------------------------------------------------------
def test_security_label_raises_explicit_haiku_to_sonnet(cfg: RepoConfig) -> None:
    d = decide(cfg, title="Fix typo", labels=["model:haiku", "security"])
    assert (d.tier, d.strategy, d.security_sensitive) == (Tier.sonnet, Strategy.model_label, True)
    assert "never goes to haiku" in d.rationale


def test_security_path_raises_single_file_change(cfg: RepoConfig) -> None:
    d = decide(cfg, title="Tweak constant", changed_paths=["src/payments/fees.py"])
    assert d.tier is Tier.sonnet and d.security_sensitive
    assert "src/payments/fees.py" in d.rationale


def test_security_disables_haiku_pipeline(cfg: RepoConfig) -> None:
    d = decide(cfg, title="Update", changed_paths=["a.py", "b.py", "c.py", ".github/workflows/ci.yml"])
    assert d.security_sensitive and not d.pipeline


def test_llm_cannot_lower_security(cfg: RepoConfig) -> None:
    llm = ClassifierResult(tier=Tier.haiku, complexity=Complexity.trivial, confidence=1.0)
    d = route(IssueInput(title="Check it", labels=["security"]), cfg, llm)
    assert d.tier is Tier.sonnet


def test_configured_security_labels_and_floor() -> None:
    cfg = load_config_text("security:\n  labels: [sec-review]\n  min_tier: opus\n")
    assert route(IssueInput(title="Fix typo", labels=["SEC-REVIEW"]), cfg).tier is Tier.opus
    assert route(IssueInput(title="Fix typo", labels=["security"]), cfg).tier is Tier.haiku


# ---- overrides, costs, explanation ------------------------------------------------------------------
def test_forced_override(cfg: RepoConfig) -> None:
    d = forced(IssueInput(title="Design a cache"), cfg, tier=Tier.opus, by="@alice")
    assert (d.tier, d.strategy, d.confidence) == (Tier.opus, Strategy.override, 1.0)
    assert "@alice" in d.rationale
    d = forced(IssueInput(title="Design a cache"), cfg, complexity=Complexity.trivial, by="@bob")
    assert (d.tier, d.complexity) == (Tier.haiku, Complexity.trivial)


def test_forced_haiku_on_security_work_is_raised(cfg: RepoConfig) -> None:
    d = forced(IssueInput(title="Rotate the JWT signing key"), cfg, tier=Tier.haiku, by="@alice")
    assert d.tier is Tier.sonnet and d.security_sensitive


def test_forced_needs_something(cfg: RepoConfig) -> None:
    with pytest.raises(ValueError):
        forced(IssueInput(title="x"), cfg, by="@alice")


def test_costs_follow_the_catalog_and_baseline_is_no_routing(cfg: RepoConfig) -> None:
    """#22 item 4: one attempt is priced per task (Sonnet's price × the priors' ratio), escalation included, and
    the baseline is no routing (Sonnet, then Opus) priced the same way. Before, the estimate was the same tokens
    at Haiku's price against one Sonnet run: 20× apart per token, where the public evidence says 2× per task."""
    d = decide(cfg, title="Fix typo")
    cost = {t: estimate_cost(Tier.sonnet, d.complexity, cfg).usd * load_ladder_priors().cost[t] for t in Tier}
    stats = LadderStats()
    assert d.estimated_cost_usd == pytest.approx(expect(stats, d.kind, (Tier.haiku, Tier.sonnet, Tier.opus), cost)[0])
    assert d.baseline_cost_usd == pytest.approx(expect(stats, d.kind, (Tier.sonnet, Tier.opus), cost)[0])
    assert d.savings_usd == pytest.approx(d.baseline_cost_usd - d.estimated_cost_usd) and d.savings_usd > 0
    audit = decide(cfg, title="Security audit of the login flow")  # opus executes alone: 1.14× Sonnet a task
    sonnet = estimate_cost(Tier.sonnet, audit.complexity, cfg).usd
    assert audit.tier is Tier.opus and audit.estimate_ladder == [Tier.opus]
    assert audit.estimated_cost_usd == pytest.approx(sonnet * load_ladder_priors().cost[Tier.opus])


def test_estimate_is_the_sum_of_the_phases_and_baseline_the_same_phases_on_sonnet(cfg: RepoConfig) -> None:
    """The other phases (plan, review) keep their token budgets; the baseline runs them on Sonnet and executes
    as no routing does (Sonnet, then Opus, expected)."""
    d = decide(cfg, title="Migration of data from v1 tables")
    assert d.estimated_cost_usd == pytest.approx(sum(p.estimated_cost_usd for p in d.phases))
    c = d.complexity
    cost = {t: estimate_cost(Tier.sonnet, c, cfg).usd * load_ladder_priors().cost[t] for t in Tier}
    assert d.baseline_cost_usd == pytest.approx(
        estimate_cost(Tier.sonnet, c, cfg, "plan").usd + expect(LadderStats(), d.kind, (Tier.sonnet, Tier.opus), cost)[0]
        + estimate_cost(Tier.sonnet, c, cfg, "review").usd)
    assert d.phase("review").model == model_for(Tier.opus, cfg) and d.phase("plan").tier is Tier.sonnet


def test_cost_table_lists_every_tier_cheapest_first(cfg: RepoConfig) -> None:
    rows = cost_table(Complexity.standard, cfg)
    assert [t for t, _, _ in rows] == [Tier.haiku, Tier.sonnet, Tier.opus]
    assert rows[0][2].usd < rows[1][2].usd < rows[2][2].usd
    assert all(model == model_for(t, cfg) for t, model, _ in rows)


def test_price_and_model_overrides_change_the_estimate() -> None:
    cfg = load_config_text("models:\n  haiku: claude-haiku-4-5\n")
    d = route(IssueInput(title="Fix typo"), cfg)
    assert d.model == "claude-haiku-4-5"
    # An attempt is the execute budget × the tier's turn multiplier (the priors' per-task ratio over the list
    # prices' per-token ratio: a cheaper model takes more turns, #22) at the tier's own price, so each tier's
    # override moves its own attempts: before, only Sonnet's price moved any tier's estimate.
    fix, plain = IssueInput(title="Fix typo"), RepoConfig()
    d = route(fix, plain)
    assert d.estimate_ladder == [Tier.haiku, Tier.sonnet, Tier.opus]
    cost = {t: estimate_cost(Tier.sonnet, d.complexity, plain).usd * load_ladder_priors().cost[t] for t in Tier}
    free = load_config_text("prices:\n  claude-haiku-5-5: {input: 0, output: 0}\n")
    assert route(fix, free).estimated_cost_usd == pytest.approx(d.estimated_cost_usd - cost[Tier.haiku])
    dear = load_config_text("prices:\n  claude-sonnet-5-5: {input: 4, output: 20}\n")
    twice = {**cost, Tier.sonnet: 2 * cost[Tier.sonnet]}
    assert route(fix, dear).estimated_cost_usd == pytest.approx(
        expect(LadderStats(), d.kind, (Tier.haiku, Tier.sonnet, Tier.opus), twice)[0])


def test_explain_names_the_deciding_rule_and_the_evidence(cfg: RepoConfig) -> None:
    text = explain(decide(cfg, title="Fix typo", labels=["model:haiku", "security"]))
    assert "decided by an explicit model label" in text
    assert "* label 'model:haiku'" in text and "- security: labelled 'security'" in text
    assert "never routed to haiku" in text
