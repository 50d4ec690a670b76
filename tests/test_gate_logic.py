"""Pure gate logic: requirement, status texts and the verdict -> state mapping."""

import pytest

from bot.review import gate
from bot.routing.paths import PathMatch

GLOBS = ["**/auth/**", "**/*secret*"]


def test_requirement_by_label_or_path():
    none = gate.requirement(["bug"], ["README.md"], ["security"], GLOBS)
    assert not none.required
    by_label = gate.requirement(["Security"], ["README.md"], ["security"], GLOBS)
    assert by_label.required and by_label.labels == ("Security",)
    by_path = gate.requirement([], ["src/auth/a.py", "docs/x.md"], ["security"], GLOBS)
    assert by_path.required and by_path.paths == (PathMatch("src/auth/a.py", "**/auth/**"),)
    assert "`src/auth/a.py` (matches `**/auth/**`)" in by_path.reason()


def test_reason_lists_a_few_paths_and_counts_the_rest():
    req = gate.requirement([], [f"auth/{i}.py" for i in range(8)], [], GLOBS)
    assert req.reason(limit=5).endswith("and 3 more")


@pytest.mark.parametrize(
    "verdict,severities,state,text",
    [
        ("pass", (), "success", "Opus review passed: no findings"),
        ("pass_with_findings", ("low", "medium", "low"), "success", "Opus review passed with findings: 1 medium, 2 low"),
        ("fail", ("high", "critical", "low"), "failure", "Opus review failed: 1 critical, 1 high, 1 low"),
    ],
)
def test_result_names_counts_by_severity(verdict, severities, state, text):
    status = gate.result(gate.Verdict(verdict, severities))
    assert (status.state, status.description) == (state, text)
    assert status.conclusion == ("failure" if state == "failure" else "success")


def test_statuses_never_pass_without_a_review():
    assert gate.not_required().state == "success"
    for status in (gate.pending_required(gate.Requirement(labels=("security",))), gate.not_configured(),
                   gate.unavailable("529 overloaded")):
        assert status.state == "pending" and status.conclusion is None
    err = gate.review_error("did not fit the schema")
    assert (err.state, err.conclusion) == ("failure", "failure")
    assert err.description.startswith("review error")


def test_description_fits_github_limit():
    status = gate.overridden("octocat", "x" * 500)
    assert len(status.description) == gate.MAX_DESCRIPTION and status.description.endswith("…")
    assert "x" * 500 in status.summary


def test_partial_reviews_fail_and_say_how_to_fix():
    status = gate.result(gate.Verdict("pass", partial=3, unreviewed="- `a.bin`: binary"))
    assert status.state == "failure"
    assert status.description == "Opus review incomplete: 3 files not fully reviewed (no findings); an admin may /override-review"
    assert "`a.bin`: binary" in status.summary and "/override-review <sha> <reason>" in status.summary
