"""workflow_run.completed of the executor: outcome + actual cost recorded, sticky updated, escalation."""

import json

import pytest
from sqlalchemy import create_engine

from bot import catalog
from bot.runs import executor
from bot.config import RepoConfig
from bot.handlers import handle_event
from bot.config.source import ConfigLoad, FixedConfig
from bot.context import Context
from bot.models import Tier
from bot.issues.sticky import MARKER
from bot.store.issues import IssueStore

REPO = "octo-org/octo-repo"  # the repository of GitHub's workflow_run examples


def execution(cost=0.0123, turns=9, ms=61000, error=False):
    return json.dumps([
        {"type": "system", "subtype": "init", "model": "x"},
        {"type": "result", "subtype": "error_during_execution" if error else "success", "is_error": error,
         "total_cost_usd": cost, "num_turns": turns, "duration_ms": ms, "result": "done"},
    ])


@pytest.fixture
def config():
    return {"value": RepoConfig()}


@pytest.fixture
def ctx(gh, tmp_path, config, fake_github):
    fake_github.add_repo(REPO)
    fake_github.add_issue(REPO, 1, title="Fix typo in README", body="Small change.")
    fake_github.set_permission(REPO, "octocat", "write")
    store = IssueStore(create_engine(f"sqlite:///{tmp_path / 'exp.db'}"))
    return Context(gh=gh, repo=REPO, store=store, configs=FixedConfig(lambda: config["value"]))


def set_config(ctx, data):
    ctx._loaded = ConfigLoad(RepoConfig.model_validate(data))  # Context caches its config


@pytest.fixture
def started(ctx):
    """Route issue 1 and dispatch a haiku run as /dispatch would; returns the dispatch row."""
    from bot.issues.service import route_issue

    route_issue(ctx, 1)
    res = executor.start_run(ctx, 1, cause="comment:42", by="octocat", tier=Tier.haiku, comment_id=42)
    assert res.started
    return res.dispatch


@pytest.fixture
def completed(webhook_example, fake_github):
    def make(row, conclusion="success", *, run_id=5551, artifact=execution(), title=None):
        p = webhook_example("workflow_run", "completed", index=1)  # the example with path + display_title
        run = p["workflow_run"]
        run.update(
            id=run_id, conclusion=conclusion, path=".github/workflows/model-router-executor.yml",
            display_title=title or f"model-router #{row.number} execute on {row.tier} [mr:{row.dispatch_id}]",
            run_started_at="2026-11-20T10:00:00Z", updated_at="2026-11-20T10:04:30Z", event="workflow_dispatch",
            head_branch="main",  # the executor ref: the fake repository's default branch
        )
        run["actor"]["login"] = "github-actions[bot]"  # the bot (the `gh` fixture's token user) dispatched it
        run["head_repository"]["full_name"] = run["repository"]["full_name"] = REPO
        if artifact is not None:
            fake_github.add_artifact(REPO, run_id, f"model-router-execution-{run_id}-1",
                                     files={"tmp/claude-execution-output.json": artifact})
        return p

    return make


def sticky(fake_github):
    return next(c["body"] for c in fake_github.comments(REPO, 1) if MARKER in c["body"])


def test_success_records_actual_cost_and_updates_sticky(ctx, started, completed, fake_github):
    res = handle_event("workflow_run", completed(started), ctx)
    assert res.action == "outcome" and res.outputs["success"] == "true"
    [row] = ctx.store.dispatches(REPO, 1)
    assert row.status == "success" and row.actual_cost_usd == 0.0123 and row.num_turns == 9
    assert row.duration_s == 270 and row.duration_ms == 61000 and row.run_id == 5551
    body = sticky(fake_github)
    assert "$0.0123" in body or "$0.01" in body
    assert fake_github.repo(REPO)["workflow_dispatches"][1:] == []


def test_failure_escalates_to_sonnet_with_a_comment(ctx, started, completed, fake_github):
    p = completed(started, "failure", artifact=execution(error=True))
    res = handle_event("workflow_run", p, ctx)
    assert res.outputs["success"] == "false"
    d = fake_github.repo(REPO)["workflow_dispatches"][-1]
    assert d["inputs"]["tier"] == "sonnet" and d["inputs"]["model"] == catalog.model_for(Tier.sonnet)
    comments = [c["body"] for c in fake_github.comments(REPO, 1)]
    assert any("escalated to **sonnet**" in c and "attempt 2 of 3" in c for c in comments)
    rows = ctx.store.dispatches(REPO, 1)
    assert [(r.tier, r.status, r.attempt) for r in rows] == [("haiku", "failure", 1), ("sonnet", "dispatched", 2)]
    # redelivery of the same event: no second escalation, no second comment
    n_comments = len(fake_github.comments(REPO, 1))
    assert handle_event("workflow_run", p, ctx).action == "ignored"
    assert len(fake_github.repo(REPO)["workflow_dispatches"]) == 2 and len(fake_github.comments(REPO, 1)) == n_comments


def test_failure_escalates_along_the_learned_ladder(ctx, started, completed, fake_github):
    """#22: a decision that learned haiku → opus skips sonnet on escalation."""
    d = ctx.store.decision(REPO, 1)
    ctx.store.record_decision(REPO, 1, d.model_copy(update={"ladder": [Tier.haiku, Tier.opus]}))
    handle_event("workflow_run", completed(started, "failure", artifact=execution(error=True)), ctx)
    assert fake_github.repo(REPO)["workflow_dispatches"][-1]["inputs"]["tier"] == "opus"
    rows = ctx.store.dispatches(REPO, 1)
    assert [(r.tier, r.attempt) for r in rows] == [("haiku", 1), ("opus", 2)]


def test_escalation_stops_at_max_attempts(ctx, started, completed, fake_github, config):
    set_config(ctx, {"executor": {"max_attempts": 1}})
    handle_event("workflow_run", completed(started, "failure"), ctx)
    assert len(fake_github.repo(REPO)["workflow_dispatches"]) == 1
    assert any("not escalating (1 of 1 attempts used)" in c["body"] for c in fake_github.comments(REPO, 1))


def test_success_conclusion_but_error_result_is_a_failure(ctx, started, completed, fake_github):
    res = handle_event("workflow_run", completed(started, "success", artifact=execution(error=True)), ctx)
    assert res.outputs["success"] == "false"


def test_missing_artifact_still_records(ctx, started, completed, fake_github):
    res = handle_event("workflow_run", completed(started, artifact=None), ctx)
    assert res.outputs["success"] == "true" and "uploaded no execution file" in " ".join(res.messages)
    assert ctx.store.dispatches(REPO, 1)[0].actual_cost_usd is None


def test_an_issue_number_without_the_dispatch_id_is_not_enough(ctx, started, completed):
    res = handle_event("workflow_run", completed(started, title="model-router #1 execute on haiku"), ctx)
    assert res.action == "ignored"  # #12 finding 1: no `#N` fallback


def test_other_workflows_ignored(ctx, started, completed):
    p = completed(started)
    p["workflow_run"]["path"] = ".github/workflows/ci.yml"
    assert handle_event("workflow_run", p, ctx).action == "ignored"
    p = completed(started, title="something else entirely")
    assert handle_event("workflow_run", p, ctx).action == "ignored"


def test_plain_text_plan_becomes_a_one_task_convoy(ctx, completed, fake_github):
    from bot.issues.service import route_issue

    route_issue(ctx, 1)
    res = executor.start_run(ctx, 1, cause="comment:43", by="octocat", mode="plan", comment_id=43)
    p = completed(res.dispatch, artifact=None)
    fake_github.add_artifact(REPO, 5551, "model-router-execution-5551-1",
                             files={"out.json": execution(), "model-router-plan.md": "1. Edit README.md\n2. Run tests"})
    handle_event("workflow_run", p, ctx)
    sub = fake_github.issue(REPO, 2)
    assert sub["parent"] == 1 and "```text\n1. Edit README.md" in sub["body"]
    d = fake_github.repo(REPO)["workflow_dispatches"][-1]
    assert d["inputs"]["issue_number"] == "2" and "mode" not in d["inputs"]
    assert any("### Convoy: 0/1 tasks done" in c["body"] for c in fake_github.comments(REPO, 1))


def test_escalation_refused_by_budget_says_so(ctx, started, completed, fake_github):
    set_config(ctx, {"budgets": {"monthly_usd": ctx.store.month_spend(REPO) + 1e-6}})
    handle_event("workflow_run", completed(started, "failure"), ctx)
    assert len(fake_github.repo(REPO)["workflow_dispatches"]) == 1
    assert any("escalation to sonnet was not started: Refused" in c["body"] for c in fake_github.comments(REPO, 1))
