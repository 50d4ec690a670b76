"""Property: any input yields a valid decision, and security work never lands on haiku."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import RepoConfig
from bot.models import ClassifierResult, Complexity, IssueInput, RoutingDecision, Tier
from bot.routing import explain, route

CFG = RepoConfig()
WORDS = ["fix", "typo", "rename", "design", "refactor", "race condition", "the", "auth", "format", "information",
         "payment", "crypto", "lint", "bump version", "memory leak", "readme", "Ünïcode", "\x00", "model:haiku"]
LABELS = ["model:haiku", "model:sonnet", "model:opus", "model:gpt5", "complexity:trivial", "complexity:complex",
          "security", "bug", "Security", ""]
SECURITY_WORDS = ["auth", "authentication", "OAuth", "payment", "payments", "crypto", "encryption", "password",
                  "vulnerability", "CVE", "billing"]

text = st.one_of(st.text(max_size=200), st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join))
issues = st.builds(
    IssueInput,
    title=text,
    body=text,
    labels=st.lists(st.one_of(st.sampled_from(LABELS), st.text(max_size=20)), max_size=5),
    changed_files=st.one_of(st.none(), st.integers(min_value=0, max_value=500)),
    changed_paths=st.lists(st.sampled_from(["src/a.py", "src/auth/x.py", "lib/crypto.rs", "docs/x.md"]), max_size=4),
)
llm_results = st.one_of(st.none(), st.builds(ClassifierResult, tier=st.sampled_from(Tier),
                                             complexity=st.sampled_from(Complexity),
                                             confidence=st.floats(0, 1), security_sensitive=st.booleans()))


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
