"""The hot-path shortcuts (direct JSON line, per-config caches) give exactly what the plain code gives."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli.route_output import as_json_line as _json_line
from bot.config import PatternRule, RepoConfig
from bot.models import ClassifierResult, Complexity, IssueInput, RoutingDecision, Tier
from bot.routing import route
from tests.strategies import issues, llm_results

CFG = RepoConfig()


def plain_line(d: RoutingDecision) -> str:
    out = d.summary()
    if d.notes:
        out["notes"] = d.notes
    return json.dumps(out, ensure_ascii=False)


@settings(max_examples=200, deadline=None)
@given(issues, llm_results, st.lists(st.text(max_size=30), max_size=3))
def test_json_line_is_json_dumps_of_the_summary(issue: IssueInput, llm: ClassifierResult | None,
                                                notes: list[str]) -> None:
    d = route(issue, CFG, llm, notes=notes)
    assert _json_line(d) == plain_line(d)
    assert _json_line(d, "\n") == plain_line(d) + "\n"
    assert json.loads(_json_line(d))["tier"] == d.tier.value


def test_json_line_odd_numbers_take_the_plain_path() -> None:
    base = route(IssueInput(title='say "héllo" \\ \u2028 \x00'), CFG, notes=['a "quoted" note', "ünï"])
    assert _json_line(base) == plain_line(base) and "\"ünï\"" in _json_line(base)
    for cost in (float("inf"), float("nan"), 3):
        d = base.model_copy(update={"estimated_cost_usd": cost, "notes": ['a "quoted" note', "ünï"]})
        assert _json_line(d) == plain_line(d) and _json_line(d, "\n") == plain_line(d) + "\n"
    assert '"estimated_cost_usd": Infinity' in _json_line(base.model_copy(update={"estimated_cost_usd": float("inf")}))


def test_configs_routed_alternately_each_use_their_own_rules() -> None:
    rule = PatternRule(name="widgets", words=["widget"], tier=Tier.opus)
    custom = RepoConfig(extra_patterns=[rule], models={Tier.opus: "my-opus"})
    issue = IssueInput(title="Fix the widget colour")
    for _ in range(2):
        assert route(issue, CFG).tier is not Tier.opus
        d = route(issue, custom)
        assert (d.tier, d.model, d.strategy.value) == (Tier.opus, "my-opus", "pattern")
    # a field replaced on a config that was already routed is picked up
    custom.extra_patterns = [PatternRule(name="gadgets", words=["gadget"], complexity=Complexity.trivial)]
    assert route(issue, custom).tier is not Tier.opus
    assert route(IssueInput(title="the gadget"), custom).matched_rules[0].rule == "gadgets"
