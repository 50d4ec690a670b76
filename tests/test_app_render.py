"""The sticky comment body: what it says, what it defuses, and how it fits GitHub's 65,536-char limit."""

from __future__ import annotations

from bot.config import RepoConfig
from bot.models import IssueInput
from bot.issues.render import MARKER, RUNS_BEGIN, routing_comment
from bot.routing import route
from bot.github.limits import COMMENT_MAX_CHARS, fit


def decision(title="Fix typo in README", body=""):
    return route(IssueInput(title=title, body=body), RepoConfig())


def test_comment_carries_every_field():
    d = decision()
    text = routing_comment(d)
    assert text.startswith(MARKER)
    for needle in (d.model, d.tier.value, d.complexity.value, d.strategy.value.replace("_", " "), "Confidence",
                   "Estimated cost", "No-routing baseline", "Savings", "model:opus", "complexity:complex", "/model"):
        assert needle in text, needle


def test_untrusted_text_cannot_ping_or_inject_markup():
    d = decision().model_copy(update={"rationale": "ping @octocat <img src=x onerror=alert(1)> `code`"})
    text = routing_comment(d, config_error="bad key at line 3 @admin\n```\n<script>")
    assert "@octocat" not in text and "@admin" not in text
    assert "<img" not in text and "<script>" not in text.split("````")[0]
    fences = [line for line in text.splitlines() if line.startswith("```")]
    assert fences[0] == "````text" and fences[-1] == "````"  # the error's own fence cannot close ours


def test_runs_section_from_store_rows():
    rows = [{"attempt": 1, "tier": "haiku", "model": "m", "status": "failure", "estimated_cost_usd": 0.01,
             "actual_cost_usd": 0.02, "run_url": "https://github.com/o/r/actions/runs/1"}]
    text = routing_comment(decision(), runs=rows)
    assert RUNS_BEGIN in text and "$0.0200" in text and "[run](https://github.com/o/r/actions/runs/1)" in text
    assert RUNS_BEGIN not in routing_comment(decision(), runs=[])


def test_fit_truncates_at_a_line_and_closes_fences():
    body = MARKER + "\n```\n" + ("line of text 😀\n" * 10_000)
    out = fit(body)
    assert len(out) <= COMMENT_MAX_CHARS and out.startswith(MARKER) and "truncated" in out
    assert sum(1 for line in out.splitlines() if line.startswith("```")) % 2 == 0
    assert fit("short") == "short"


def test_a_note_already_in_the_reason_is_said_once():
    d = decision().model_copy(update={"rationale": "Routed to haiku. Note: nothing learned yet.",
                                      "notes": ["nothing learned yet", "classifier timed out"]})
    text = "\n".join(line for line in routing_comment(d).splitlines() if not line.startswith("<!--"))
    assert text.count("nothing learned yet") == 1
    assert "- classifier timed out" in text


def test_a_learned_ladder_is_priced_with_escalation_against_no_routing():
    """#22: the estimate is the ladder's expected cost, escalation included; savings against no routing."""
    from bot.models import Tier

    d = decision().model_copy(update={"ladder": [Tier.haiku, Tier.opus], "estimate_ladder": [Tier.haiku, Tier.opus]})
    text = routing_comment(d)
    assert "| Estimated cost | " in text
    assert "(expected, escalation included: haiku → opus; from public per-task priors) |" in text
    assert "| No-routing baseline | " in text and "(Sonnet, then Opus, expected; the other phases on Sonnet) |" in text
    assert "All-Sonnet baseline" not in text
    # the rules' ladder is priced the same way (#22 item 4); only a decision priced by tokens alone (restored from
    # an older state line) still says all-Sonnet
    assert "All-Sonnet baseline" not in routing_comment(decision())
    old = decision().model_copy(update={"estimate_ladder": [], "estimate_basis": "tokens"})
    assert "All-Sonnet baseline" in routing_comment(old)


def test_a_score_shows_as_n_of_5_and_unrated_runs_render_as_before():
    from bot.issues.render import runs_section

    run = {"attempt": 1, "tier": "haiku", "model": "m", "status": "success", "estimated_cost_usd": 0.01,
           "actual_cost_usd": 0.02, "run_url": "https://github.com/o/r/actions/runs/1"}
    unrated = runs_section([{**run, "score": None, "score_by": None, "score_note": None, "scored_at": None}])
    assert unrated == (  # byte for byte what the table said before scores existed
        "<!-- model-router:runs -->\n**Executor runs**\n\n| # | Tier | Model | Status | Estimated | Actual | Run |\n"
        "|---|---|---|---|---|---|---|\n| 1 | haiku | `m` | success | $0.0100 | $0.0200 | [run](https://github.com/o/r/actions/runs/1) |\n"
        "<!-- /model-router:runs -->")
    assert unrated == runs_section([run])
    rated = runs_section([run, {**run, "attempt": 2, "score": 4, "score_by": "a", "score_note": "@x <b>"}])
    assert "| Run | Score |" in rated and "| 4/5 |" in rated and rated.count("| — |") == 1  # the unrated one: a dash
    assert "@x" not in rated and "<b>" not in rated  # the note is not shown in the table
    state = routing_comment(decision(), runs=[{**run, "score": None}])
    assert state == routing_comment(decision(), runs=[run])  # nor in the state line
