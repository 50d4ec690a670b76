"""Action mode across jobs: recovery from the sticky comment's state line (only the bot's own), and outages."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from bot.action.memory import recover
from bot.action.context import build_context
from bot.models import Strategy, Tier
from bot.issues.render import MARKER, routing_comment
from bot.issues.state import decode
from tests.plugins.action import REPO, act, checkout, settings, sticky
from tests.plugins.action import decision, parse_outputs
from tests.plugins.gate import AUTH, PASS, seed, statuses

BOT = "github-actions[bot]"
NOW = datetime(2026, 11, 20, 12, 0)  # the runs' time (naive UTC, as the store keeps it)


@pytest.fixture(autouse=True)
def _an_hour_later(time_machine):
    """The jobs run an hour after the comment's runs: the same month, and the runs are not yet stale."""
    time_machine.move_to(NOW + timedelta(hours=1))


def run_row(**kw) -> dict:
    return {"dispatch_id": "abc.1.ff", "key": f"{REPO}#7:comment:55", "attempt": 1, "tier": "opus", "model": "claude-opus-test",
            "complexity": "complex", "status": "dispatched", "estimated_cost_usd": 1.25, "created_at": NOW, **kw}


def issue_with_comment(fake_github, body: str, user: str = BOT) -> None:
    fake_github.add_repo(REPO)
    fake_github.add_issue(REPO, 7, "Rework the scheduler", "Many files.")
    fake_github.add_comment(REPO, 7, body, user=user, user_type="Bot" if user == BOT else "User")


def job(tmp_path, fake_github):
    payload = {"inputs": {"issue_number": "7"}, "repository": {"full_name": REPO}}
    return build_context(settings(tmp_path, fake_github, "workflow_dispatch", payload), payload)


def test_a_job_recovers_decision_overrides_and_runs(fake_github, tmp_path):
    d = decision(tier=Tier.opus, model="claude-opus-test", strategy=Strategy.override)
    issue_with_comment(fake_github, routing_comment(d, runs=[run_row()], overrides={"tier": "opus", "complexity": "none"}))
    ctx = job(tmp_path, fake_github)
    assert recover(ctx, 7, ["model:opus"]) == ["tier=opus", "complexity=none"]
    assert ctx.store.decision(REPO, 7) == d
    assert {(o["field"], o["new"]) for o in ctx.store.overrides(REPO, 7)} == {("tier", "opus"), ("complexity", "none")}
    [row] = ctx.store.dispatches(REPO, 7)
    assert row.dispatch_id == "abc.1.ff" and row.created_at == NOW  # same id and time: the comment does not churn
    assert ctx.store.active_runs(REPO) == 1 and ctx.store.month_spend(REPO) == 1.25
    assert recover(ctx, 7, ["model:opus"]) == []  # once per job


def test_a_label_changed_since_the_comment_wins(fake_github, tmp_path):
    issue_with_comment(fake_github, routing_comment(decision(tier=Tier.sonnet, model="claude-sonnet-test")))
    ctx = job(tmp_path, fake_github)
    assert recover(ctx, 7, ["model:haiku", "complexity:simple"]) == ["tier=haiku"]


def test_a_forged_state_by_someone_else_is_ignored(fake_github, tmp_path):
    forged = routing_comment(decision(tier=Tier.opus, model="claude-opus-test"), runs=[run_row()], overrides={"tier": "opus"})
    assert decode(forged) is not None  # a perfect copy of the bot's comment, posted by a person
    issue_with_comment(fake_github, forged, user="mallory")
    ctx = job(tmp_path, fake_github)
    assert recover(ctx, 7, ["model:opus"]) == []
    assert ctx.store.current(REPO, 7) is None and ctx.store.dispatches(REPO, 7) == [] and ctx.store.overrides(REPO, 7) == []


def test_the_concurrent_run_cap_sees_runs_of_earlier_jobs(fake_github, runner_env, tmp_path):
    fake_github.add_repo(REPO, files={".github/model-router.yml": "budgets:\n  max_concurrent_runs: 1\n"})
    fake_github.add_issue(REPO, 6, "Fix a typo in the README", "teh → the")
    fake_github.set_permission(REPO, "octocat", "write")  # dispatch mode starts runs for writers only
    workspace = checkout(tmp_path, "")
    payload = {"inputs": {"issue_number": "6"}, "repository": {"full_name": REPO}, "sender": {"login": "octocat", "type": "User"}}
    code, log = act(settings(tmp_path, fake_github, "workflow_dispatch", payload, mode="dispatch", run_id="77", workspace=workspace))
    assert code == 0, log
    [comment] = sticky(fake_github, 6)
    [first] = decode(comment["body"]).runs
    assert first.status == "dispatched" and first.dispatch_id in comment["body"]

    code, log = act(settings(tmp_path, fake_github, "workflow_dispatch", payload, mode="dispatch", run_id="78", workspace=workspace))
    assert code == 0, log
    assert len(fake_github.repo(REPO)["workflow_dispatches"]) == 1, "a second job did not see the first job's run"
    assert "cap is 1" in log and parse_outputs(runner_env["output"].read_text())["dispatch"] == "refused"


def test_report_lands_on_the_dispatch_that_started_the_run(fake_github, runner_env, tmp_path):
    fake_github.add_repo(REPO)
    fake_github.add_issue(REPO, 6, "Fix a typo in the README", "teh → the")
    fake_github.set_permission(REPO, "octocat", "write")
    payload = {"inputs": {"issue_number": "6"}, "repository": {"full_name": REPO}, "sender": {"login": "octocat", "type": "User"}}
    assert act(settings(tmp_path, fake_github, "workflow_dispatch", payload, mode="dispatch", run_id="77"))[0] == 0
    [dispatched] = fake_github.repo(REPO)["workflow_dispatches"]
    inputs = dispatched["inputs"]
    execution = tmp_path / "execution.json"
    execution.write_text(json.dumps([{"type": "result", "subtype": "success", "is_error": False, "total_cost_usd": 0.0421}]))
    report = {"inputs": inputs, "repository": {"full_name": REPO}, "sender": {"login": BOT, "type": "Bot"}}
    code, log = act(settings(tmp_path, fake_github, "workflow_dispatch", report, mode="report", run_id="90", execution_file=execution,
                             branch_name="claude/issue-6-20261120-1000"))
    assert code == 0, log
    [run] = decode(sticky(fake_github, 6)[0]["body"]).runs  # the same run, now finished: no second row
    assert (run.dispatch_id, run.status, run.actual_cost_usd, run.run_id) == (inputs["routing_id"], "success", 0.0421, 90)
    assert run.truth == "claimed"  # pending until its pull request says more


def test_review_outage_leaves_the_status_pending_with_one_clear_line(fake_github, fake_anthropic, runner_env, webhook_example, tmp_path):
    seed(fake_github, [AUTH], labels=["security"])
    fake_anthropic.reply_with(PASS)
    fake_anthropic.fail_next(529, times=1, message="Overloaded")
    payload = webhook_example("pull_request", "opened")
    s = settings(tmp_path, fake_github, "pull_request", payload, anthropic_api_key="sk-test", anthropic_base_url=fake_anthropic.url)
    code, log = act(s)
    assert code == 1  # the job shows red and "Re-run failed jobs" retries; the pending status blocks the merge
    errors = [ln for ln in log.splitlines() if ln.startswith("::")]
    assert len(errors) == 1 and errors[0].startswith("::error::the Opus review could not run (")
    assert "stays pending" in errors[0] and "/review" in errors[0] and "internal error" not in log
    assert statuses(fake_github)[-1][1] == "pending"
    assert parse_outputs(runner_env["output"].read_text())["review_state"] == "pending"
    assert act(s)[0] == 0 and statuses(fake_github)[-1][1] == "success"  # the next run reviews
    assert MARKER not in log


def test_the_action_takes_the_default_branch_from_the_event_not_another_read(tmp_path, fake_github):
    """GitHub's event names the repository's default branch: the outcome rules (never a run's branch) use it without
    a `GET /repos/{owner}/{repo}`; an event about another repository names none for this one, which is read."""
    fake_github.add_repo(REPO)
    repo_reads = lambda: [r for r in fake_github.requests if r.method == "GET" and r.path.rstrip("/").endswith(f"/repos/{REPO}")]
    payload = {"inputs": {"issue_number": "7"}, "repository": {"full_name": REPO, "default_branch": "trunk"}}
    before = len(repo_reads())
    assert build_context(settings(tmp_path, fake_github, "workflow_dispatch", payload), payload).default_branch == "trunk"
    assert len(repo_reads()) == before
    other = {"inputs": {"issue_number": "7"}, "repository": {"full_name": "someone/else", "default_branch": "evil"}}
    ctx = build_context(settings(tmp_path, fake_github, "workflow_dispatch", other), other)
    assert ctx.default_branch != "evil" and len(repo_reads()) == before + 1
