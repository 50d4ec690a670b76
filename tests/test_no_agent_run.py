"""A dispatched run whose agent never ran (the issue changed after the dispatch and the executor refused it, the
runner failed, the execution file is missing or unreadable) ends the same way in the App and the Action: it is
recorded as ended without an agent run, never escalates to a dearer tier, teaches learning nothing about the
tier, and the sticky comment says why; the Action's report step exits 0 with one clear line, no traceback."""

from __future__ import annotations

import json

import pytest

import bot.action.modes  # noqa: F401  (the Action's surface, as the runner imports it)
import bot.handlers  # noqa: F401  (the App's surface)
from bot.handlers import handle_event
from bot.issues.render import MARKER
from bot.issues.state import decode
from bot.measures.definitions import API_REFUSED, NO_AGENT, SETUP_FAILED
from tests.plugins.action import parse_outputs
from tests.plugins.executor_runs import ACTION_REPO, APP_REPO, action_report, app_run

NOT_RUN = "ended before its agent ran"  # what the sticky comment says of such a run


def sticky_body(fake, repo):
    return next(c["body"] for c in fake.comments(repo, 1) if c["body"].startswith(MARKER))


def runs(fake, repo):
    return [(r.tier, r.attempt, r.status, r.actual_cost_usd) for r in decode(sticky_body(fake, repo)).runs]


def said(fake, repo):
    return [c["body"] for c in fake.comments(repo, 1) if not c["body"].startswith(MARKER)]


def app_run_refused(fake, gh, webhook_example, tmp_path, files, conclusion="failure"):
    """/dispatch on the App; the executor's run fails before the agent: its artifact holds `files` only."""
    return app_run(fake, gh, webhook_example, tmp_path, files, conclusion)


def assert_not_run(fake, repo, cost=None):
    """One run, recorded as ended without its agent: no escalation dispatched or said, the comment says why."""
    assert runs(fake, repo) == [("haiku", 1, NO_AGENT, cost)]
    assert len(fake.repo(repo)["workflow_dispatches"]) == 1  # the dispatch itself; nothing dearer
    assert not any("escalat" in c for c in said(fake, repo))
    body = sticky_body(fake, repo)
    assert NOT_RUN in body and "not escalated" in body and "/dispatch" in body


def test_the_action_reports_a_run_with_no_execution_file_as_not_run(fake_github, runner_env, tmp_path):
    code, log = action_report(fake_github, tmp_path, tmp_path / "run" / "model-router-execution.json")
    assert code == 0, log
    assert "Traceback" not in log and "::error" not in log
    assert "no agent run (no execution file)" in log
    assert_not_run(fake_github, ACTION_REPO)
    assert "no execution file" in sticky_body(fake_github, ACTION_REPO)
    outputs = parse_outputs(runner_env["output"].read_text())
    assert outputs["success"] == "false" and outputs["actual-cost"] == ""


@pytest.mark.parametrize("junk", ["", "{not json", json.dumps([{"type": "system", "subtype": "init"}]),
                                  json.dumps([{"type": "result", "subtype": "success"}])[:-3]])
def test_the_action_fails_closed_on_an_unreadable_execution_file(fake_github, runner_env, tmp_path, junk):
    """Junk, a truncated file or one with no result message: no agent outcome, never a success."""
    execution = tmp_path / "model-router-execution.json"
    execution.write_text(junk)
    code, log = action_report(fake_github, tmp_path, execution)
    assert code == 0, log
    assert "Traceback" not in log and "no agent run (no result message)" in log
    assert_not_run(fake_github, ACTION_REPO)
    assert parse_outputs(runner_env["output"].read_text())["success"] == "false"


def test_the_app_records_a_refused_run_the_same_way(fake_github, gh, webhook_example, runner_env, tmp_path):
    """The edited issue's run: the check step refused it, so the artifact has the run file but no execution file."""
    ctx, payload, res = app_run_refused(fake_github, gh, webhook_example, tmp_path,
                                        files={"model-router-run.json": json.dumps({"branch_name": ""})})
    assert res.outputs["success"] == "false"
    assert_not_run(fake_github, APP_REPO)
    assert "not run (no execution file)" in sticky_body(fake_github, APP_REPO)
    assert ctx.store.knowledge().size == 0  # not the tier's failure: learning does not count it
    assert ctx.store.month_spend(APP_REPO) == 0  # nor its estimate as spend: nothing ran
    comments = len(fake_github.comments(APP_REPO, 1))
    assert handle_event("workflow_run", payload, ctx).action == "ignored"  # a redelivery changes nothing
    assert len(fake_github.repo(APP_REPO)["workflow_dispatches"]) == 1
    assert len(fake_github.comments(APP_REPO, 1)) == comments


def test_the_app_and_the_action_agree_on_a_run_with_no_artifact(fake_github, gh, webhook_example, runner_env, tmp_path):
    app_run_refused(fake_github, gh, webhook_example, tmp_path, files=None)  # the runner failed: nothing uploaded
    assert action_report(fake_github, tmp_path, tmp_path / "missing.json")[0] == 0
    assert runs(fake_github, APP_REPO) == runs(fake_github, ACTION_REPO) == [("haiku", 1, NO_AGENT, None)]


def test_a_run_without_its_agent_teaches_the_action_nothing(fake_github, runner_env, tmp_path):
    """The Action learns from state lines: the run read back is not a finished attempt on haiku."""
    from bot.store.observations import observation

    assert action_report(fake_github, tmp_path, tmp_path / "missing.json")[0] == 0
    [run] = decode(sticky_body(fake_github, ACTION_REPO)).runs
    assert observation(ACTION_REPO, run.tier, run.complexity, run.status, run.actual_cost_usd, "k") is None


# The agent step ran (the job's time limit cancelled it, it crashed, it ran out of turns or budget) but left no
# result message: the tier's failure, which escalates with what happened; the executor says so in the run file
# (the App) and in the `execute` job's `agent` output (the Action): the claude step's outcome. A step that FAILED
# ran the CLI only when it left an execution file (what the agent said before it crashed); without one it never
# reached the CLI (below).
MID_RUN = json.dumps([{"type": "system", "subtype": "init", "model": "claude-haiku-4-5"},
                      {"type": "assistant", "message": {"content": [{"type": "text", "text": "working"}]}}])
RAN = [("failure", MID_RUN), ("cancelled", None), ("cancelled", MID_RUN), ("success", None)]


def execution_file(tmp_path, text):
    """The report job's execution-file: `text` in it, or a path to nothing (the artifact held none)."""
    path = tmp_path / "model-router-run" / "model-router-execution.json"
    if text is not None:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    return path


def artifact(step, text=None):
    """The App's artifact: the run file with the agent step's outcome, and the execution file when there is one."""
    files = {"model-router-run.json": json.dumps({"branch_name": "", "agent": step})}
    return files | ({"model-router-execution.json": text} if text is not None else {})


def assert_tiers_failure(fake, repo, step):
    assert [r[:3] for r in runs(fake, repo)] == [("haiku", 1, "failure"), ("sonnet", 2, "dispatched")]
    escalation = fake.repo(repo)["workflow_dispatches"][1]["inputs"]
    assert escalation["tier"] == "sonnet" and f"agent step ended ({step})" in escalation["context"]
    assert any("escalated to **sonnet**" in c for c in said(fake, repo))
    assert NOT_RUN not in sticky_body(fake, repo)


@pytest.mark.parametrize("step, text", RAN)
def test_the_action_counts_an_agent_that_ran_without_a_result_as_the_tiers_failure(fake_github, runner_env, tmp_path,
                                                                                    step, text):
    code, log = action_report(fake_github, tmp_path, execution_file(tmp_path, text), agent_outcome=step)
    assert code == 0, log
    assert "Traceback" not in log
    assert_tiers_failure(fake_github, ACTION_REPO, step)
    assert parse_outputs(runner_env["output"].read_text())["success"] == "false"


@pytest.mark.parametrize("step", ["skipped", "", "success; now escalate", None])
def test_the_action_reads_a_skipped_or_unknown_agent_step_as_not_run(fake_github, runner_env, tmp_path, step):
    """Skipped (the check step refused the edited issue), absent (an older workflow) or not an outcome GitHub
    reports: the agent did not demonstrably run, so no tier is charged with a failure."""
    assert action_report(fake_github, tmp_path, tmp_path / "missing.json", agent_outcome=step)[0] == 0
    assert_not_run(fake_github, ACTION_REPO)


@pytest.mark.parametrize("step, text", RAN)
def test_the_app_counts_an_agent_that_ran_without_a_result_as_the_tiers_failure(fake_github, gh, webhook_example,
                                                                                 runner_env, tmp_path, step, text):
    ctx, _, res = app_run_refused(fake_github, gh, webhook_example, tmp_path, files=artifact(step, text),
                                  conclusion="cancelled" if step == "cancelled" else "failure")
    assert res.outputs["success"] == "false"
    assert_tiers_failure(fake_github, APP_REPO, step)


def test_the_app_reads_a_skipped_agent_step_as_not_run(fake_github, gh, webhook_example, runner_env, tmp_path):
    files = {"model-router-run.json": json.dumps({"branch_name": "", "agent": "skipped"})}
    app_run_refused(fake_github, gh, webhook_example, tmp_path, files=files)
    assert_not_run(fake_github, APP_REPO)


def test_the_app_and_the_action_agree_on_an_agent_cancelled_mid_run(fake_github, gh, webhook_example, runner_env,
                                                                    tmp_path):
    files = {"model-router-run.json": json.dumps({"branch_name": "", "agent": "cancelled"})}
    app_run_refused(fake_github, gh, webhook_example, tmp_path, files=files, conclusion="cancelled")
    assert action_report(fake_github, tmp_path, tmp_path / "missing.json", agent_outcome="cancelled")[0] == 0
    assert [r[:3] for r in runs(fake_github, APP_REPO)] == [r[:3] for r in runs(fake_github, ACTION_REPO)]


# A misconfigured executor: claude-code-action validates its environment (ANTHROPIC_API_KEY among it) and installs
# the Claude CLI before it runs it, and writes the execution file only once the CLI ran; a step that FAILED and left
# no execution file never reached the model. Nor did a CLI that reported an error at no cost within its one
# synthetic turn (an invalid API key, no network). Every tier would fail the same way: not the tier's failure, not
# escalated, not learned; the comment says what to check and links the run.
SETUP = {SETUP_FAILED: "the executor workflow failed before the agent produced any output",
         API_REFUSED: "the agent's first request to the Claude API failed, at no cost"}
LEAK = "sk-ant-api03-from-the-cli-output"  # text of the run's execution file: never echoed
AUTH_ERROR = json.dumps([
    {"type": "system", "subtype": "init", "model": "claude-haiku-4-5", "session_id": "s1"},
    {"type": "assistant", "session_id": "s1", "message": {"model": "<synthetic>", "role": "assistant", "content": [
        {"type": "text", "text": f"Invalid API key · Please run /login ({LEAK})"}]}},
    {"type": "result", "subtype": "success", "is_error": True, "duration_ms": 133, "duration_api_ms": 0,
     "num_turns": 1, "result": f"Invalid API key · Please run /login ({LEAK})", "session_id": "s1",
     "total_cost_usd": 0, "usage": {"input_tokens": 0, "output_tokens": 0}},
])
BROKEN = [(None, SETUP_FAILED, None), (AUTH_ERROR, API_REFUSED, 0.0)]  # (execution file, conclusion, actual cost)
ACTION_RUN_URL = f"https://github.com/{ACTION_REPO}/actions/runs/5551"


def assert_executor_failed(fake, repo, conclusion, cost, run_url):
    assert_not_run(fake, repo, cost)  # one dispatch: nothing dearer started, nothing escalated said
    [run] = decode(sticky_body(fake, repo)).runs
    assert run.conclusion == conclusion
    body = sticky_body(fake, repo)
    assert SETUP[conclusion] in body and f"[the run's log]({run_url})" in body and "`ANTHROPIC_API_KEY`" in body
    assert f"not run ({conclusion})" in body and LEAK not in body


@pytest.mark.parametrize("text, conclusion, cost", BROKEN)
def test_the_action_does_not_escalate_an_executor_that_failed_before_its_agent(fake_github, runner_env, tmp_path,
                                                                               text, conclusion, cost):
    from bot.store.observations import observation

    code, log = action_report(fake_github, tmp_path, execution_file(tmp_path, text), agent_outcome="failure")
    assert code == 0, log
    assert "Traceback" not in log and f"no agent run ({conclusion})" in log
    assert SETUP[conclusion] in log and ACTION_RUN_URL in log and "ANTHROPIC_API_KEY" in log and LEAK not in log
    assert_executor_failed(fake_github, ACTION_REPO, conclusion, cost, ACTION_RUN_URL)
    [run] = decode(sticky_body(fake_github, ACTION_REPO)).runs
    assert observation(ACTION_REPO, run.tier, run.complexity, run.status, run.actual_cost_usd, "k") is None
    assert parse_outputs(runner_env["output"].read_text())["success"] == "false"


@pytest.mark.parametrize("text, conclusion, cost", BROKEN)
def test_the_app_does_not_escalate_an_executor_that_failed_before_its_agent(fake_github, gh, webhook_example,
                                                                            runner_env, tmp_path, text, conclusion,
                                                                            cost):
    from bot.runs.rating import rate

    ctx, payload, res = app_run_refused(fake_github, gh, webhook_example, tmp_path, files=artifact("failure", text))
    assert res.outputs["success"] == "false"
    assert_executor_failed(fake_github, APP_REPO, conclusion, cost, payload["workflow_run"]["html_url"])
    assert ctx.store.knowledge().size == 0  # not the tier's failure: learning does not count it
    assert rate(ctx, 1, score=1, by="octocat").action == "refused"  # no work of the tier's to score


def test_the_app_and_the_action_agree_on_an_executor_that_failed_before_its_agent(fake_github, gh, webhook_example,
                                                                                  runner_env, tmp_path):
    app_run_refused(fake_github, gh, webhook_example, tmp_path, files=artifact("failure"))
    assert action_report(fake_github, tmp_path, execution_file(tmp_path, None), agent_outcome="failure")[0] == 0
    app, action = (decode(sticky_body(fake_github, repo)).runs for repo in (APP_REPO, ACTION_REPO))
    assert [(r.status, r.conclusion) for r in app] == [(r.status, r.conclusion) for r in action] == [
        (NO_AGENT, SETUP_FAILED)]
