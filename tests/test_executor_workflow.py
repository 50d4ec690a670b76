"""The executor workflow calls claude-code-action v1 as its action.yml (a fixture copied from the pinned tag)
declares: every `with:` key an input, every output read a real output; own token, model, turns, budget cap.
The agent's job never holds `actions: write`: Action mode's report runs in a job of its own."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "claude-code-action"
WORKFLOW = ROOT / ".github" / "workflows" / "model-router-executor.yml"
PINNED = "24dcd50c0568f0fc9e9211213a4fd2d9eb15c4e0"  # v1.0.200, the fixture's commit (tests/fixtures/claude-code-action/README.md)


def _action() -> dict:
    return yaml.safe_load((FIXTURE / "action.yml").read_text(encoding="utf-8"))


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _job(name: str = "execute") -> dict:
    return _workflow()["jobs"][name]


def _steps(job: str = "execute") -> list[dict]:
    return _job(job)["steps"]


def _claude() -> dict:
    return next(s for s in _steps() if s.get("id") == "claude")


def test_the_fixture_is_claude_code_action_v1_with_its_licence():
    action = _action()
    assert action["name"].startswith("Claude Code Action v1")
    assert "MIT License" in (FIXTURE / "LICENSE").read_text() and PINNED in (FIXTURE / "README.md").read_text()


def test_the_workflow_pins_the_fixtures_commit():
    uses = _claude()["uses"]
    assert uses == f"anthropics/claude-code-action@{PINNED}"
    assert re.search(rf"claude-code-action@{PINNED}\s+# v1\.\d+\.\d+", WORKFLOW.read_text())


def test_every_input_given_is_one_claude_code_action_declares():
    declared = set(_action()["inputs"])
    given = set(_claude()["with"])
    assert given <= declared, given - declared
    assert {"prompt", "claude_args", "anthropic_api_key", "github_token", "allowed_bots"} <= given


def test_every_output_read_is_one_claude_code_action_declares():
    outputs = set(_action()["outputs"])
    used = set(re.findall(r"steps\.claude\.outputs\.([A-Za-z0-9_-]+)", WORKFLOW.read_text()))
    assert used <= outputs, used - outputs
    assert {"execution_file", "structured_output", "branch_name"} <= used


def test_the_agent_gets_the_jobs_token_model_turns_and_budget_cap():
    w = _claude()["with"]
    # without github_token v1 falls back to OIDC and the Claude GitHub App, which must then be installed
    assert w["github_token"] == "${{ github.token }}"
    args = w["claude_args"]
    assert "--model ${{ inputs.model" in args and re.search(r"--max-turns \d+", args)
    assert "--max-budget-usd" in args and "vars.MODEL_ROUTER_MAX_RUN_USD" in args
    for job in _workflow()["jobs"].values():
        assert "id-token" not in job["permissions"]  # no OIDC exchange needed any more


def test_the_agents_job_cannot_start_runs_or_touch_artifacts():
    """An issue that talks the agent into it could use the job's token: that token has no `actions: write`."""
    assert _workflow()["permissions"] == {}  # every job says what it needs
    perms = _job("execute")["permissions"]
    assert perms.get("actions", "none") in ("none", "read")
    assert perms == {"contents": "write", "issues": "write", "pull-requests": "write"}


def test_only_the_report_job_may_write_to_actions_and_it_runs_no_agent():
    jobs = _workflow()["jobs"]
    writers = [name for name, job in jobs.items() if job["permissions"].get("actions") == "write"]
    assert writers == ["report"]
    report = jobs["report"]
    assert report["needs"] == "execute"
    assert not any("claude-code-action" in s.get("uses", "") for s in report["steps"])
    assert not any("run" in s for s in report["steps"])  # nothing of the artifact is ever executed
    assert report["permissions"] == {"contents": "read", "issues": "write", "pull-requests": "read",
                                     "checks": "read", "statuses": "read", "actions": "write"}


def test_action_mode_reports_the_run_and_the_app_mode_does_not():
    report = _job("report")
    # after a failed, cancelled or timed-out agent job too; never when the agent's job did not run
    assert report["if"].startswith("always() && ") and "needs.execute.result != 'skipped'" in report["if"]
    assert "github.triggering_actor == 'github-actions[bot]'" in report["if"]
    step = next(s for s in report["steps"] if (s.get("with") or {}).get("mode") == "report")
    # this repository runs its own Action from a fresh checkout of the commit the run started on, never the agent's
    # edits: the agent's token can push to the default branch (unprotected), so its tip is not that commit
    checkout = next(s for s in report["steps"] if "actions/checkout" in s.get("uses", ""))
    assert checkout["with"]["path"] == step["uses"].removeprefix("./")
    assert checkout["with"]["ref"] == "${{ github.sha }}"
    assert checkout["with"]["persist-credentials"] is False


def test_the_branch_comes_from_the_agents_job_outputs_never_from_a_file():
    assert _job("execute")["outputs"]["branch_name"] == "${{ steps.claude.outputs.branch_name }}"
    step = next(s for s in _steps("report") if (s.get("with") or {}).get("mode") == "report")
    assert step["with"]["branch-name"] == "${{ needs.execute.outputs.branch_name }}"


def test_whether_the_agent_step_ran_comes_from_the_agents_job_outputs_never_from_a_file():
    """The claude step's outcome (success, failure, cancelled, skipped) tells a run whose agent ran without a
    result (the tier's failure) from one that never reached it (bot.runs.finished.never_ran)."""
    assert _job("execute")["outputs"]["agent"] == "${{ steps.claude.outcome }}"
    step = next(s for s in _steps("report") if (s.get("with") or {}).get("mode") == "report")
    assert step["with"]["agent-outcome"] == "${{ needs.execute.outputs.agent }}"
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert "agent-outcome" in action["inputs"] and "report mode only" in action["inputs"]["agent-outcome"]["description"]
    run = next(s for s in action["runs"]["steps"] if s.get("id") == "run")
    assert run["env"]["INPUT_AGENT_OUTCOME"] == "${{ inputs.agent-outcome }}"


def test_the_report_job_downloads_the_runs_artifact_pinned_outside_the_workspace():
    upload = next(s for s in _steps() if "upload-artifact" in s.get("uses", ""))
    download = next(s for s in _steps("report") if "download-artifact" in s.get("uses", ""))
    assert re.fullmatch(r"actions/download-artifact@[0-9a-f]{40}", download["uses"])
    assert re.search(rf"{re.escape(download['uses'])}\s+# v\d+\.\d+\.\d+", WORKFLOW.read_text())
    assert download["with"]["name"] == upload["with"]["name"]
    # the agent's job wrote the artifact: it lands beside the workspace, never over the Action's checkout
    assert download["with"]["path"].startswith("${{ runner.temp }}/")
    step = next(s for s in _steps("report") if (s.get("with") or {}).get("mode") == "report")
    assert step["with"]["execution-file"] == download["with"]["path"] + "/model-router-execution.json"
    assert _steps("report").index(download) < _steps("report").index(step)
    # a runner that failed before the upload leaves no artifact: the report still runs, and records a run
    # without its agent (bot.runs.finished.judge) instead of failing on the download
    assert download.get("continue-on-error") is True and step.get("continue-on-error") is None


def _run_step(step: dict, env: dict, cwd: Path) -> None:
    text = re.sub(r"\$\{\{ runner\.temp \}\}", env["RUNNER_TEMP"], step["run"])
    proc = subprocess.run(["bash", "-e", "-c", text], env={**os.environ, **env}, cwd=cwd, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_the_artifact_holds_the_runs_files_at_its_top_under_the_names_the_report_reads(tmp_path):
    """What the saving steps write is what the report job reads after the download: one flat directory."""
    steps, temp, ws = _steps(), tmp_path / "temp", tmp_path / "ws"
    temp.mkdir()
    ws.mkdir()
    (temp / "claude-execution-output.json").write_text('[{"type": "result"}]')
    (ws / "model-router-plan.md").write_text("1. do it")
    (temp / "model-router-run").mkdir()  # the agent ran on that machine: what it left there is not uploaded
    (temp / "model-router-run" / "planted.json").write_text("{}")
    env = {"RUNNER_TEMP": str(temp), "PLAN_JSON": '{"tasks": []}', "BRANCH_NAME": "claude/issue-1", "AGENT": "cancelled",
           "EXECUTION_FILE": str(temp / "claude-execution-output.json")}
    for step in steps:
        if "run" in step and step.get("name", "").startswith("Save"):
            assert step["if"].startswith("always()")
            _run_step(step, {**env, **{k: v for k, v in step.get("env", {}).items() if "${{" not in v}}, ws)
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    staged = Path(upload["with"]["path"].replace("${{ runner.temp }}", str(temp)))
    assert sorted(p.name for p in staged.iterdir()) == [
        "model-router-execution.json", "model-router-plan.json", "model-router-plan.md", "model-router-run.json"]
    assert json.loads((staged / "model-router-run.json").read_text()) == {"branch_name": "claude/issue-1",
                                                                           "agent": "cancelled"}
    assert (staged / "model-router-execution.json").read_text() == '[{"type": "result"}]'
    names = {k: v for s in steps for k, v in (s.get("env") or {}).items()}
    assert names["EXECUTION_FILE"] == "${{ steps.claude.outputs.execution_file }}"
    assert names["BRANCH_NAME"] == "${{ steps.claude.outputs.branch_name }}"
    assert names["AGENT"] == "${{ steps.claude.outcome }}"  # GitHub's word on the agent step, never the agent's


def test_the_docs_say_what_the_executor_needs():
    text = (ROOT / "docs" / "action.md").read_text()
    assert "MODEL_ROUTER_MAX_RUN_USD" in text and "github_token" in text


def test_the_fakes_title_runs_as_the_shipped_workflows_run_name_does():
    """Both GitHub fakes title a dispatched run with this run-name when the repository lacks the file, so the runs
    the retry of a dispatch looks for (bot.runs.unconfirmed) carry `[mr:<id>]` as GitHub's would."""
    from bot.runs.trust import dispatch_id_of
    from bot.simulator.github_runs import EXECUTOR_RUN_NAME, display_title, run_name

    assert run_name(WORKFLOW.read_text(encoding="utf-8"), "model-router-executor.yml") == EXECUTOR_RUN_NAME
    inputs = {"issue_number": "7", "tier": "opus", "routing_id": "r1.2.ab12"}
    assert display_title(EXECUTOR_RUN_NAME, inputs=inputs) == "model-router #7 execute on opus [mr:r1.2.ab12]"
    assert dispatch_id_of(display_title(EXECUTOR_RUN_NAME, payload={**inputs, "mode": "plan"})) == "r1.2.ab12"
