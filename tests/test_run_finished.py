"""A finished executor run takes one path: the App (`workflow_run.completed`) and the Action (`mode: report`)
both reach bot.runs.finished.run_finished, and record, escalate and refresh the comment alike."""

from __future__ import annotations

import json

import pytest

import bot.action.modes  # noqa: F401  (the Action's surface, as the runner imports it)
import bot.handlers  # noqa: F401  (the App's surface)
from bot.convoy import service as convoy
from bot.issues.render import MARKER
from bot.issues.state import decode
from bot.runs import finished
from bot.runs.outcome import Outcome, parse_execution
from tests.plugins.executor_runs import ACTION_REPO, APP_REPO, action_report, app_run

RESULT = {"type": "result", "subtype": "error_during_execution", "is_error": True, "total_cost_usd": 0.0123,
          "num_turns": 4, "duration_ms": 1234, "result": "gave up"}


@pytest.fixture
def seen():
    """Every finished run that reached the one path, as the services that react to it see it."""
    runs: list[finished.RunFinished] = []
    react = finished.after_run(lambda ctx, run: runs.append(run))
    yield runs
    finished.AFTER_RUN.remove(react)


def app_run_fails(fake, gh, webhook_example, tmp_path):
    """/dispatch on the App, then the executor's failed run comes back as a signed-off workflow_run event."""
    return app_run(fake, gh, webhook_example, tmp_path, {"tmp/claude-execution-output.json": json.dumps([RESULT])})[2]


def action_run_fails(fake, tmp_path):
    """`mode: dispatch` in one job, then the executor job's `mode: report` step with the failed run's file."""
    execution = tmp_path / "execution.json"
    execution.write_text(json.dumps([RESULT]))
    code, log = action_report(fake, tmp_path, execution)
    assert code == 0, log


def recorded(fake, repo):
    """What the sticky comment says was recorded (the state line every later job reads back)."""
    body = next(c["body"] for c in fake.comments(repo, 1) if c["body"].startswith(MARKER))
    return [(r.mode, r.tier, r.attempt, r.status, r.actual_cost_usd, r.run_id) for r in decode(body).runs], body


def follow_up(fake, repo):
    dispatched = [(d["inputs"]["tier"], d["inputs"]["model"]) for d in fake.repo(repo)["workflow_dispatches"]]
    said = [c["body"] for c in fake.comments(repo, 1) if not c["body"].startswith(MARKER)]
    return dispatched, said


def test_the_app_and_the_action_finish_a_run_the_same_way(fake_github, gh, webhook_example, runner_env, tmp_path, seen):
    app = app_run_fails(fake_github, gh, webhook_example, tmp_path)
    action_run_fails(fake_github, tmp_path)

    assert [(r.row.repo, r.mode, r.succeeded) for r in seen] == [(APP_REPO, "execute", False),
                                                                    (ACTION_REPO, "execute", False)]
    assert [(r.report.outcome.total_cost_usd, r.report.run_id) for r in seen] == [(0.0123, 5551)] * 2
    (app_runs, app_body), (action_runs, action_body) = recorded(fake_github, APP_REPO), recorded(fake_github, ACTION_REPO)
    assert app_runs == action_runs == [("execute", "haiku", 1, "failure", 0.0123, 5551),
                                       ("execute", "sonnet", 2, "dispatched", None, None)]
    assert "$0.0123" in app_body and "$0.0123" in action_body  # the comment was refreshed with the actual cost
    app_follow_up = follow_up(fake_github, APP_REPO)
    assert app_follow_up == follow_up(fake_github, ACTION_REPO)  # the same escalation, dispatched and said
    (_, (_, sonnet)), [said] = app_follow_up
    assert said == f"The haiku run failed, so I escalated to **sonnet** (`{sonnet}`), attempt 2 of 3."
    assert app.outputs["success"] == "false"


def test_the_convoy_reacts_to_a_finished_run_through_the_one_hook():
    """`bot.runs` imports no convoy: the convoy registers its reaction, and both surfaces import it."""
    assert convoy.run_finished in finished.AFTER_RUN


@pytest.mark.parametrize("conclusion, found, ok, expected", [
    ("success", True, True, (True, "success")),
    ("success", True, False, (False, "success")),  # GitHub says success, the execution file says it failed
    ("success", False, False, (True, "success")),  # no execution file: GitHub's word stands
    ("failure", True, True, (False, "failure")),
    (None, True, True, (True, None)),  # the Action's report step: the job has not concluded, the file decides
    (None, True, False, (False, None)),
    # no agent outcome (no result message): not a success, nor the tier's failure; the same in the App and the Action
    (None, False, False, (None, "no result message")),
    ("failure", False, False, (None, "no result message")),
    ("cancelled", False, False, (None, "no result message")),
])
def test_one_judge_of_what_a_run_achieved(conclusion, found, ok, expected):
    outcome = Outcome(found=found, file=True, is_error=not ok, subtype="success" if ok else "error_during_execution")
    assert finished.judge(finished.RunReport(outcome=outcome, conclusion=conclusion)) == expected


@pytest.mark.parametrize("conclusion", [None, "failure", "startup_failure"])
def test_a_run_with_no_execution_file_had_no_agent(conclusion):
    assert finished.judge(finished.RunReport(outcome=Outcome(), conclusion=conclusion)) == (None, "no execution file")


# what Claude Code's stream-json result message says when the API refused the first request (an invalid or
# missing API key): an error, one synthetic turn, nothing billed
AUTH_ERROR = Outcome(found=True, file=True, is_error=True, subtype="success", total_cost_usd=0.0, num_turns=1,
                     result="Invalid API key · Please run /login")


@pytest.mark.parametrize("agent, conclusion, outcome, expected", [
    # the agent step failed and left no execution file: claude-code-action stopped before the CLI (no API key, the
    # install failed): the agent never ran, in the Action (no conclusion yet) and the App alike
    ("failure", None, Outcome(), (None, "executor failed")),
    ("failure", "failure", Outcome(), (None, "executor failed")),
    # the CLI reported an error before the model did anything: no cost, at most the one synthetic turn
    ("failure", None, AUTH_ERROR, (None, "API error, no usage")),
    ("failure", "failure", AUTH_ERROR, (None, "API error, no usage")),
    ("failure", None, AUTH_ERROR.model_copy(update={"num_turns": 0}), (None, "API error, no usage")),
    # the model answered, or the file does not say it did not: the tier's failure, as before
    ("failure", None, AUTH_ERROR.model_copy(update={"total_cost_usd": 0.0004}), (False, None)),
    ("failure", None, AUTH_ERROR.model_copy(update={"num_turns": 2}), (False, None)),
    ("failure", None, AUTH_ERROR.model_copy(update={"total_cost_usd": None}), (False, None)),
    ("failure", None, AUTH_ERROR.model_copy(update={"num_turns": None}), (False, None)),
    ("failure", "failure", AUTH_ERROR.model_copy(update={"is_error": False, "subtype": "error_max_turns"}),
     (False, "failure")),
    ("failure", None, Outcome(file=True, messages=3), (False, "agent failure: no result")),  # crashed mid-run
    ("failure", None, parse_execution("[]"), (None, "executor failed")),  # the SDK failed before its first message
    ("cancelled", None, Outcome(), (False, "agent cancelled: no result")),  # the job's time limit
    ("cancelled", "cancelled", Outcome(), (False, "cancelled")),
    ("success", None, Outcome(), (False, "agent success: no result")),
])
def test_an_executor_that_failed_before_its_agent_is_no_tiers_failure(agent, conclusion, outcome, expected):
    assert finished.judge(finished.RunReport(outcome=outcome, conclusion=conclusion, agent=agent)) == expected


def test_the_app_and_the_action_record_a_runs_branch_through_one_function():
    """#36: the branch a run pushed (and the `claimed` it makes a success) is recorded by one service function,
    `bot.runs.pull_outcome.record_branch`, which both surfaces call; no other code writes a dispatch's branch."""
    import ast
    from pathlib import Path

    writers = []
    for path in sorted(Path("bot").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
            for call in [n for n in ast.walk(fn) if isinstance(n, ast.Call)]:
                name = getattr(call.func, "attr", getattr(call.func, "id", ""))
                if name in ("update_dispatch", "record_branch") and any(k.arg == "branch" for k in call.keywords):
                    writers.append(f"{path.as_posix()}:{fn.name}")
    assert sorted(set(writers)) == ["bot/runs/pull_outcome.py:record_branch"]
    callers = {p.as_posix() for p in Path("bot/runs").glob("*.py") if "record_branch(ctx, " in p.read_text(encoding="utf-8")}
    assert callers == {"bot/runs/workflow_run.py", "bot/runs/report_step.py"}
