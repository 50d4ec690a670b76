"""Hypothesis strategies for routing inputs, shared by the property tests."""

from __future__ import annotations

from hypothesis import strategies as st

from bot.models import ClassifierResult, Complexity, IssueInput, Tier

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
