"""End to end on FakeGitHub (every call checked against GitHub's OpenAPI description) and FakeAnthropic:
`/plan` → a 5-task plan → 5 sub-issues with labels and dependencies → runs in dependency order within the
cap → one fails and escalates → all done → one Opus review → the parent's checklist with costs."""

import json
import re

import pytest

from bot.convoy import render, service
from bot.simulator.convoy_demo import PARENT, REPO, Simulation, build, claude_reply
from bot.llm import AnthropicLLM
from bot.issues.sticky import MARKER as ROUTING_MARKER


@pytest.fixture
def ctx(fake_github, fake_anthropic, tmp_path):
    fake_anthropic.reply_with(claude_reply)
    llm = AnthropicLLM("sk-test", base_url=fake_anthropic.url)
    yield build(fake_github, llm, db_url=f"sqlite:///{tmp_path / 'x.db'}", cap=2)
    llm.close()


@pytest.fixture
def sim(fake_github, ctx):
    return Simulation(fake_github, ctx, fail_first={"csv"})


def dispatched(fake):
    """(issue number, mode, tier) of every executor run the App asked for, in order."""
    return [(int(d["inputs"]["issue_number"]), d["inputs"].get("mode", "execute"), d["inputs"]["tier"])
            for d in fake.repo(REPO)["workflow_dispatches"]]


def convoy_comment(fake):
    return next(c["body"] for c in fake.comments(REPO, PARENT) if c["body"].startswith(render.MARKER))


def test_plan_to_review(fake_github, fake_anthropic, sim):
    reply = sim.comment("/plan")
    assert dispatched(fake_github) == [(PARENT, "plan", "sonnet")]  # Sonnet plans
    assert reply.action != "ignored"

    sim.complete(sim.in_flight()[0])  # the planning run answers with the 5-task plan
    subs = sorted(fake_github.issue(REPO, PARENT)["sub_issues"])
    assert subs == [2, 3, 4, 5, 6]
    ids = {sim._task_of(n): n for n in subs}
    for n in subs:
        issue = fake_github.issue(REPO, n)
        assert issue["parent"] == PARENT
        assert any(x.startswith("model:") for x in issue["labels"]) and any(x.startswith("complexity:") for x in issue["labels"])
        assert any(ROUTING_MARKER in c["body"] for c in fake_github.comments(REPO, n))  # routed like a new issue
    assert fake_github.issue(REPO, ids["csv"])["blocked_by"] == [ids["core"]]
    assert fake_github.issue(REPO, ids["json"])["blocked_by"] == [ids["core"]]
    assert "blocked_by" not in fake_github.issue(REPO, ids["docs"]) or not fake_github.issue(REPO, ids["docs"])["blocked_by"]
    # ready: core, docs, cli; the cap of 2 lets the first two start
    assert dispatched(fake_github)[1:] == [(ids["core"], "execute", "sonnet"), (ids["docs"], "execute", "haiku")]

    sim.run()
    runs = dispatched(fake_github)[1:]
    order = [n for n, _, _ in runs]
    assert order.index(ids["csv"]) > 0 and order.index(ids["json"]) > 0
    core_done = next(i for i, t in enumerate(sim.trace) if t["task"] == "core")
    first_dependent = min(order.index(ids["csv"]), order.index(ids["json"]))
    assert first_dependent >= 2 and sim.trace[core_done]["ok"]  # dependents only after core finished
    assert all(t["in_flight"] <= 2 for t in sim.trace[1:])  # never more than the cap in flight
    assert [tier for n, _, tier in runs if n == ids["csv"]] == ["haiku", "sonnet"]  # failed, escalated
    assert len(runs) == 6  # five tasks, one escalation: nothing ran twice

    reviews = [r for r in fake_anthropic.requests if (r.output_schema or {}).get("title") == "ReviewOutput"]
    assert len(reviews) == 1 and reviews[0].model.startswith("claude-opus")
    assert all(f"exporters/{t}.py" in reviews[0].prompt for t in ids)  # the combined change of the convoy

    body = convoy_comment(fake_github)
    assert "### Convoy: 5/5 tasks done — done" in body
    for tid, n in ids.items():
        line = next(x for x in body.splitlines() if f"#{n} `{tid}`" in x)
        assert "[x]" in line and re.search(r"actual \$\d", line) and "/actions/runs/" in line
    total = re.search(r"Convoy total: \$([\d.]+)\*\* actual \(planning \$[\d.]+ \+ tasks \$[\d.]+ \+ review \$[\d.]+\) vs \$([\d.]+) no-routing", body)
    c = service.load(sim.ctx, PARENT)
    assert total and float(total.group(1)) == pytest.approx(round(c.cost_usd, 4))
    # no routing's expected cost is over $1 since #22 item 4, and money() shows dollars to the cent there
    assert float(total.group(2)) == pytest.approx(c.baseline_usd, abs=0.005) and c.cost_usd < c.baseline_usd
    assert "Opus review of the whole:** pass" in body
    assert len([x for x in fake_github.comments(REPO, PARENT) if x["body"].startswith(render.MARKER)]) == 1


def test_redelivered_events_create_nothing_twice(fake_github, sim):
    from bot.handlers import handle_event as dispatch

    sim.comment("/plan")
    sim.complete(sim.in_flight()[0])  # the plan
    sim.complete(sim.in_flight()[0])  # core finishes
    before = (len(fake_github.repo(REPO)["issues"]), dispatched(fake_github))
    for event, payload in list(sim.delivered):  # GitHub redelivers every event, the /plan comment too
        dispatch(event, json.loads(json.dumps(payload)), sim.ctx)
    assert (len(fake_github.repo(REPO)["issues"]), dispatched(fake_github)) == before
    assert sorted(fake_github.issue(REPO, PARENT)["sub_issues"]) == [2, 3, 4, 5, 6]


def test_worker_crash_mid_convoy_resumes_without_duplicates(fake_github, sim):
    from bot.github.port import GitHubError

    sim.comment("/plan")
    run = sim.in_flight()[0]
    fake_github.fail_next("POST", r"/issues/1/sub_issues$", 500, times=1)  # the job dies after creating #2
    with pytest.raises(GitHubError):
        sim.complete(run)
    assert len(fake_github.repo(REPO)["issues"]) == 2  # parent + the one created
    sim.deliver(*sim.delivered[-1])  # the job queue retries the same event
    assert sorted(fake_github.issue(REPO, PARENT)["sub_issues"]) == [2, 3, 4, 5, 6]
    assert len(fake_github.repo(REPO)["issues"]) == 6
    assert len(dispatched(fake_github)) == 3  # the plan run + two within the cap


def test_process_death_holding_the_lease_is_taken_over(fake_github, sim, ctx):
    from datetime import timedelta

    from bot.store.convoys import LEASE, Busy

    sim.comment("/plan")
    sim.complete(sim.in_flight()[0])
    st = service.store(ctx)
    assert st.acquire(REPO, PARENT)  # a worker took the lease and died
    with pytest.raises(Busy):
        service.advance(ctx, PARENT)
    now = ctx.store.clock()
    st.clock = lambda: now + LEASE + timedelta(seconds=1)
    assert "dispatched none" in service.advance(ctx, PARENT)  # nothing new: both slots are taken
    assert len(dispatched(fake_github)) == 3


def test_marker_finds_a_sub_issue_created_before_a_crash(fake_github, sim):
    """GitHub answered the create, the worker died before saving: the retry adopts that issue."""
    sim.comment("/plan")
    body = render.task_marker(PARENT, "core") + "\nleft over"
    n = fake_github.add_issue(REPO, title="Add the exporter registry", body=body, user=fake_github.token_login)
    fake_github.issue(REPO, n)["parent"] = PARENT
    fake_github.issue(REPO, PARENT)["sub_issues"] = [n]
    forged = fake_github.add_issue(REPO, title="x", body=render.task_marker(PARENT, "docs"), user="mallory")
    fake_github.issue(REPO, forged)["parent"] = PARENT
    fake_github.issue(REPO, PARENT)["sub_issues"].append(forged)
    sim.complete(sim.in_flight()[0])
    c = service.load(sim.ctx, PARENT)
    assert c.task("core").issue == n and c.task("docs").issue != forged
    assert len(fake_github.repo(REPO)["issues"]) == 7  # parent, adopted, forged, four new


def test_concurrent_workflow_run_events_dispatch_each_task_once(fake_github, sim):
    """Two runs finish at once on two workers: one advances the convoy, the other waits its turn (Busy →
    the job queue retries); every task still runs exactly once."""
    import threading

    from bot.store.convoys import Busy

    sim.comment("/plan")
    sim.complete(sim.in_flight()[0])  # core and docs are in flight
    payloads = []
    for inputs in sim.in_flight():
        payloads.append(sim.finish(inputs))
    errors: list[BaseException] = []

    def worker(payload):
        from bot.handlers import handle_event

        for _ in range(200):  # the job queue: a Busy job runs again shortly
            try:
                return handle_event("workflow_run", json.loads(json.dumps(payload)), sim.ctx)
            except Busy:
                threading.Event().wait(0.02)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                return None
        errors.append(TimeoutError("still busy"))

    threads = [threading.Thread(target=worker, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    sim.run()
    c = service.load(sim.ctx, PARENT)
    assert c.status == "done"
    per_issue = {}
    for n, mode, _ in dispatched(fake_github):
        per_issue[n] = per_issue.get(n, 0) + 1
    assert per_issue == {PARENT: 1, **{t.issue: (2 if t.id == "csv" else 1) for t in c.tasks}}
