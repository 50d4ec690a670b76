"""The Action runs convoys too: the executor's `mode: report` step starts one from the plan file and advances
it after each task's run, keeping the state in the parent's convoy comment (each job starts empty)."""

from __future__ import annotations

import json

from bot.convoy import render
from tests.plugins.action import REPO, act, settings

TASKS = [
    {"id": "a", "title": "Fix typo in the README", "description": "Typo.", "files": ["README.md"], "acceptance": "gone"},
    {"id": "b", "title": "Fix typo in the docs index", "description": "Typo.", "files": ["docs/index.md"],
     "acceptance": "gone", "depends_on": ["a"]},
    {"id": "c", "title": "Fix typo in CONTRIBUTING", "description": "Typo.", "files": ["CONTRIBUTING.md"], "acceptance": "gone"},
]


def execution(path, cost, ok=True):
    path.write_text(json.dumps([{"type": "result", "subtype": "success" if ok else "error_during_execution",
                                 "is_error": not ok, "total_cost_usd": cost, "num_turns": 3, "result": "done"}]))
    return path


def report(tmp_path, fake, inputs, run_id, cost, ok=True, plan=None, branch=None):
    """The executor's report job; `branch`: claude-code-action's `branch_name` (a run claiming success on none is no_pr)."""
    ws = tmp_path / f"ws{run_id}"
    ws.mkdir(exist_ok=True)
    if plan is not None:
        (ws / "model-router-plan.json").write_text(json.dumps(plan))
    event = {"inputs": inputs, "repository": {"full_name": REPO}, "sender": {"login": "github-actions[bot]", "type": "Bot"}}
    code, log = act(settings(tmp_path, fake, "workflow_dispatch", event, mode="report", run_id=str(run_id), workspace=ws,
                             execution_file=execution(tmp_path / f"exec{run_id}.json", cost, ok), branch_name=branch))
    assert code == 0, log
    return log


def merged(tmp_path, fake, webhook_example, inputs, run_id, cost, pr):
    """A task's run claims success on its branch, a writer opens its PR, checks pass and it merges: the task is done."""
    from tests.test_action_true_outcomes import check, close, open_pull

    branch = f"claude/issue-{inputs['issue_number']}-{run_id}"
    report(tmp_path, fake, inputs, run_id, cost, branch=branch)
    open_pull(fake, pr, branch=branch, body="")
    check(fake, "test", "success")
    code, log = close(fake, webhook_example, tmp_path, pr, merged=True, branch=branch, body="", key=None)
    assert code == 0, log


def dispatches(fake):
    return [d["inputs"] for d in fake.repo(REPO)["workflow_dispatches"]]


def state(fake):
    body = next(c["body"] for c in fake.comments(REPO, 1) if c["body"].startswith(render.MARKER))
    return {t["id"]: t for t in render.read_state(body)["tasks"]}


def test_action_convoy_from_plan_file_to_done(fake_github, runner_env, tmp_path, webhook_example):
    fake_github.add_repo(REPO)
    fake_github.set_permission(REPO, "maintainer", "write")  # opens and merges the tasks' pull requests
    fake_github.add_issue(REPO, 1, title="Fix typos everywhere", body="Several typos.")
    plan_inputs = {"issue_number": "1", "tier": "sonnet", "model": "claude-sonnet-x", "complexity": "standard",
                   "routing_id": "p1", "mode": "plan"}
    report(tmp_path, fake_github, plan_inputs, 201, 0.05, plan={"tasks": TASKS})
    assert sorted(fake_github.issue(REPO, 1)["sub_issues"]) == [2, 3, 4]
    assert fake_github.issue(REPO, 3)["blocked_by"] == [2]
    assert [d["issue_number"] for d in dispatches(fake_github)] == ["2", "4"]  # a and c; b waits for a
    assert state(fake_github)["a"]["status"] == "running"

    first = dispatches(fake_github)[0]
    merged(tmp_path, fake_github, webhook_example, first, 202, 0.01, pr=10)  # fresh jobs: all from the comments
    assert [d["issue_number"] for d in dispatches(fake_github)] == ["2", "4", "3"]
    assert state(fake_github)["a"]["status"] == "done" and state(fake_github)["a"]["cost_usd"] == 0.01
    report(tmp_path, fake_github, first, 202, 0.01, branch="claude/issue-2-202")  # the job re-run: nothing twice
    assert len(dispatches(fake_github)) == 3

    report(tmp_path, fake_github, dispatches(fake_github)[1], 203, 0.02, ok=False)  # c fails: escalates
    assert dispatches(fake_github)[-1]["issue_number"] == "4" and dispatches(fake_github)[-1]["tier"] != "haiku"
    for inputs, run_id, pr in ((dispatches(fake_github)[2], 204, 11), (dispatches(fake_github)[3], 205, 12)):
        merged(tmp_path, fake_github, webhook_example, inputs, run_id, 0.03, pr)
    tasks = state(fake_github)
    assert {t["status"] for t in tasks.values()} == {"done"}
    body = next(c["body"] for c in fake_github.comments(REPO, 1) if c["body"].startswith(render.MARKER))
    assert "### Convoy: 3/3 tasks done — done" in body and "Convoy total: $0.1400** actual (planning $0.0500 + tasks $0.0900)" in body


def test_the_report_job_reads_the_plan_beside_the_downloaded_execution_file(fake_github, runner_env, tmp_path):
    """The executor's report job runs on a fresh runner and downloads the run's artifact outside the workspace:
    the plan is beside the execution file there; the workspace holds only the Action's checkout."""
    fake_github.add_repo(REPO)
    fake_github.add_issue(REPO, 1, title="Fix typos everywhere", body="Several typos.")
    run, ws = tmp_path / "model-router-run", tmp_path / "ws"
    run.mkdir()
    ws.mkdir()
    (run / "model-router-plan.json").write_text(json.dumps({"tasks": TASKS}))
    inputs = {"issue_number": "1", "tier": "sonnet", "model": "claude-sonnet-x", "complexity": "standard",
              "routing_id": "p1", "mode": "plan"}
    event = {"inputs": inputs, "repository": {"full_name": REPO}, "sender": {"login": "github-actions[bot]", "type": "Bot"}}
    code, log = act(settings(tmp_path, fake_github, "workflow_dispatch", event, mode="report", run_id="301",
                             workspace=ws, execution_file=execution(run / "model-router-execution.json", 0.05)))
    assert code == 0, log
    assert sorted(fake_github.issue(REPO, 1)["sub_issues"]) == [2, 3, 4]
