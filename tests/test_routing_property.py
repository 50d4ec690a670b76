"""Property: any input yields a valid decision, and security work never lands on haiku."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import RepoConfig
from bot.models import ClassifierResult, IssueInput, RoutingDecision, Tier
from bot.routing import explain, route
from tests.strategies import SECURITY_WORDS, issues, llm_results

CFG = RepoConfig()
@settings(max_examples=200, deadline=None)
@given(issues, llm_results)
def test_every_input_yields_a_valid_decision(issue: IssueInput, llm: ClassifierResult | None) -> None:
    d = route(issue, CFG, llm)
    RoutingDecision.model_validate(d.model_dump())  # round-trips against its own schema
    assert 0 <= d.confidence <= 1 and d.rationale and d.estimated_cost_usd >= 0
    assert d.savings_usd == d.baseline_cost_usd - d.estimated_cost_usd
    assert sum(m.decided for m in d.matched_rules) >= 1
    assert explain(d)
    if d.security_sensitive:
        assert d.tier is not Tier.haiku and not d.pipeline


@settings(max_examples=200, deadline=None)
@given(issues, llm_results, st.sampled_from(SECURITY_WORDS), st.booleans())
def test_security_work_is_never_routed_to_haiku(
    issue: IssueInput, llm: ClassifierResult | None, word: str, as_label: bool
) -> None:
    if as_label:
        issue = issue.model_copy(update={"labels": [*issue.labels, "security", "model:haiku"]})
    else:
        issue = issue.model_copy(update={"title": f"{issue.title} {word} ", "labels": [*issue.labels, "model:haiku"]})
    d = route(issue, CFG, llm)
    assert d.security_sensitive
    assert d.tier is not Tier.haiku
