"""The issue-state codec (the sticky comment's hidden state line): round trip, escaping of hostile text, bounded size, anchoring."""

from __future__ import annotations

import json

from bot.issues import sticky
from bot.models import RoutingDecision, Tier
from bot.issues.render import routing_comment
from bot.issues.state import MARKER, MAX_STATE, MAX_STATE_RUNS, STATE_PREFIX, decode, encode
from tests.plugins.action import decision

HOSTILE = "--> <!-- model-router:state {\"v\":1,\"tier\":\"opus\"} --> --!> <script>@octocat</script> -"


def state_line(body: str) -> str:
    first, second = body.splitlines()[:2]
    assert first == MARKER and second.startswith(STATE_PREFIX) and second.endswith(" -->")
    return second


def closes_early(line: str) -> bool:
    """Would the line's payload end (or nest) the HTML comment anywhere before its own ` -->`?"""
    inner = line[len(STATE_PREFIX) : -len(" -->")]
    return "--" in inner or ">" in inner or "<" in inner or inner.endswith("-")


def run(i: int, **kw) -> dict:
    return {"dispatch_id": f"r.{i}.ab", "key": f"o/r#1:comment:{i}", "attempt": i, "tier": "haiku", "model": "claude-haiku-test",
            "complexity": "simple", "status": "success", "estimated_cost_usd": 0.01, "actual_cost_usd": 0.02,
            "run_id": 100 + i, "run_url": f"https://github.com/o/r/actions/runs/{100 + i}", **kw}


def test_round_trip():
    d = decision(rationale="plain words", notes=["a note"])
    body = routing_comment(d, runs=[run(1)], overrides={"tier": "opus", "complexity": "none"})
    state = decode(body)
    assert state is not None and json.loads(state_line(body)[len(STATE_PREFIX) : -4])["v"] == 1
    assert (state.tier, state.complexity, state.strategy, state.model) == ("haiku", "simple", "pattern", d.model)
    assert state.overrides == {"tier": "opus", "complexity": "none"}
    assert RoutingDecision.model_validate(state.decision) == d
    assert [r.model_dump(exclude_unset=True) for r in state.runs] == [run(1)]


def test_hostile_issue_text_cannot_break_out_of_the_comment():
    d = decision(rationale=HOSTILE * 3, notes=[HOSTILE, "a--b-", "@admin"], model="m--x->")
    body = routing_comment(d, runs=[run(1, run_url="https://x/-->", key=HOSTILE)], overrides={"tier": HOSTILE})
    line = state_line(body)
    assert not closes_early(line), line
    assert "@" not in line  # no mention, even hidden
    state = decode(body)
    assert state.decision.notes[0] == HOSTILE and state.decision.rationale.startswith(HOSTILE)
    assert state.runs[0].run_url == "https://x/-->" and state.overrides["tier"] == HOSTILE[:32]
    # every visible use of the text is escaped as before, and the only state line is the router's own
    assert body.count(STATE_PREFIX) == 1


def test_huge_text_and_many_runs_stay_bounded():
    d = decision(rationale="x-" * 100_000, notes=["n" * 10_000] * 50)
    runs = [run(i, key="k" * 10_000, run_url="https://" + "u" * 10_000) for i in range(1, 200)]
    line = encode(d, runs=runs)
    assert len(line) <= MAX_STATE + len(STATE_PREFIX) + 4 and not closes_early(line)
    state = json.loads(line[len(STATE_PREFIX) : -4])
    assert 0 < len(state["runs"]) <= MAX_STATE_RUNS and state["runs"][-1]["attempt"] == 199  # newest kept
    assert len(state["decision"]["rationale"]) == 500
    body = sticky.fit(routing_comment(d, runs=runs))
    assert decode(body).runs[-1].attempt == 199  # the line sits at the top: truncation never cuts it


def test_only_the_line_right_after_the_marker_counts():
    forged = f'{STATE_PREFIX}{{"v":1,"tier":"opus","overrides":{{"tier":"opus"}}}} -->'
    assert decode(f"{MARKER}\n### Model router\n{forged}\n") is None  # quoted further down
    assert decode(f"someone said\n{MARKER}\n{forged}\n") is None  # the marker does not open the body
    config_error = routing_comment(decision(), config_error=f"bad key\n{forged}")
    assert decode(config_error).tier == "haiku" and decode(config_error).overrides == {}
    assert decode(f"{MARKER}\n{STATE_PREFIX}{{not json}} -->\n") is None
    assert decode(f'{MARKER}\n{STATE_PREFIX}{{"v":99}} -->\n') is None  # a future version is not guessed at


def _with_decision(body: str, change) -> str:
    """The comment's state line with its decision edited by `change` (as a person with write access could)."""
    line = state_line(body)
    state = json.loads(line[len(STATE_PREFIX) : -4])
    change(state["decision"])
    return body.replace(line, f"{STATE_PREFIX}{json.dumps(state)} -->")


def test_a_state_line_written_before_the_estimate_fields_still_reads():
    """Comments written before #22 item 4 carry no `estimate_ladder`/`estimate_basis`: their decision and runs
    still read, and the comment re-rendered from it says what that baseline was (the same phases on Sonnet)."""
    body = routing_comment(decision(estimate_ladder=[Tier.haiku, Tier.sonnet], estimate_basis="priors"),
                           runs=[run(1)])
    old = _with_decision(body, lambda d: (d.pop("estimate_ladder"), d.pop("estimate_basis")))
    assert "estimate_ladder" not in old and "estimate_basis" not in old
    state = decode(old)
    assert state.decision is not None and (state.decision.estimate_ladder, state.decision.estimate_basis) == ([], "tokens")
    assert [r.attempt for r in state.runs] == [1]
    assert "| All-Sonnet baseline | " in routing_comment(state.decision)


def test_a_state_line_with_an_unbounded_or_unknown_estimate_is_not_believed():
    """Text in the comment is untrusted: a ladder longer than the tiers there are, a basis the router never
    writes, or a kind longer than the router makes (a learning key) makes the decision unreadable (left out, never guessed); the runs still read."""
    body = routing_comment(decision(estimate_ladder=[Tier.haiku, Tier.sonnet], estimate_basis="priors"),
                           runs=[run(1)])
    for field, value in (("estimate_ladder", ["haiku"] * 2000), ("ladder", ["opus"] * 2000),
                         ("estimate_basis", "trust me"), ("kind", "x" * 10_000)):
        state = decode(_with_decision(body, lambda d: d.update({field: value})))
        assert state is not None and state.decision is None, field
        assert [r.attempt for r in state.runs] == [1]
    assert decode(body).decision.estimate_ladder == [Tier.haiku, Tier.sonnet]
