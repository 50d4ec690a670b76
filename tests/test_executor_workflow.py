"""The executor workflow calls claude-code-action v1 as its action.yml (a fixture copied from the pinned tag)
declares: every `with:` key an input, every output read a real output; own token, model, turns, budget cap."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "claude-code-action"
WORKFLOW = ROOT / ".github" / "workflows" / "model-router-executor.yml"
PINNED = "24dcd50c0568f0fc9e9211213a4fd2d9eb15c4e0"  # v1.0.200, the fixture's commit (tests/fixtures/claude-code-action/README.md)


def _action() -> dict:
    return yaml.safe_load((FIXTURE / "action.yml").read_text(encoding="utf-8"))


def _steps() -> list[dict]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["execute"]["steps"]


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
    perms = yaml.safe_load(WORKFLOW.read_text())["permissions"]
    assert "id-token" not in perms  # no OIDC exchange needed any more


def test_the_branch_goes_into_the_artifact_beside_the_execution_file():
    steps = _steps()
    save = next(s for s in steps if "model-router-run.json" in s.get("run", ""))
    assert save["env"]["BRANCH_NAME"] == "${{ steps.claude.outputs.branch_name }}" and save["if"] == "always()"
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    paths = [p.strip() for p in upload["with"]["path"].splitlines()]
    assert "${{ steps.claude.outputs.execution_file }}" in paths and "model-router-run.json" in paths
    assert steps.index(save) < steps.index(upload)


def test_action_mode_reports_the_run_and_the_app_mode_does_not():
    steps = _steps()
    report = next(s for s in steps if (s.get("with") or {}).get("mode") == "report")
    assert report["with"]["execution-file"] == "${{ steps.claude.outputs.execution_file }}"
    assert "always()" in report["if"] and "github-actions[bot]" in report["if"]
    # this repository runs its own Action from a fresh checkout of the default branch, never the agent's edits
    checkout = steps[steps.index(report) - 1]
    assert checkout["with"]["path"] == report["uses"].removeprefix("./")
    assert checkout["with"]["ref"] == "${{ github.event.repository.default_branch }}"
    assert checkout["if"] == report["if"]


def test_the_docs_say_what_the_executor_needs():
    text = (ROOT / "docs" / "action.md").read_text()
    assert "MODEL_ROUTER_MAX_RUN_USD" in text and "github_token" in text
