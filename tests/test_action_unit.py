"""The Action's shell without GitHub: env → settings, outputs file format, summary, annotations, failures."""

from __future__ import annotations

import io as stdio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from bot.action import io
from bot.action.dryrun import WRITES, DryRunGitHub
from bot.action.runner import ActionError, issue_number, resolve_mode, run
from bot.action.settings import ActionSettings, describe_error
from bot.github.port import GitHubPort, port_methods
from bot.context import Result

ROOT = Path(__file__).resolve().parents[1]

from tests.plugins.action import decision, parse_outputs  # noqa: E402


# --- outputs, summary, annotations ---------------------------------------------------------------


def test_outputs_survive_multiline_and_delimiter_like_values(tmp_path):
    path = tmp_path / "out"
    values = {"a": "one", "decision": '{"x": "line1\\nline2"}\nreal second line', "tricky": "EOF\nghadelimiter_x\n="}
    io.write_outputs(path, values)
    assert parse_outputs(path.read_text()) == values


def test_result_outputs_match_the_outputs_action_yml_declares():
    outputs = io.result_outputs(Result(action="routed", decision=decision(), outputs={"extra": "1"}))
    declared = set(yaml.safe_load((ROOT / "action.yml").read_text())["outputs"])
    assert declared - {"actual-cost", "report-file"} <= set(outputs)  # those two: report mode only
    assert io.result_outputs(Result(outputs={"actual_cost_usd": "0.5"}))["actual-cost"] == "0.5"
    assert outputs["tier"] == "haiku" and outputs["model"] == "claude-haiku-test"
    assert outputs["complexity"] == "simple" and outputs["estimated-cost"] == "0.012300"
    assert json.loads(outputs["decision"])["strategy"] == "pattern"
    assert outputs["result"] == "routed" and outputs["extra"] == "1"


def test_no_decision_means_no_routing_outputs():
    outputs = io.result_outputs(Result(action="ignored"))
    assert outputs == {"result": "ignored"}


def test_summary_is_a_table_with_escaped_cells():
    md = io.summary_markdown("issues", "route", Result(action="routed", decision=decision()), dry_run=True, errors=["bad | thing"])
    assert "dry run" in md
    assert "| tier | haiku |" in md
    assert "| estimated cost usd | $0.0123 |" in md
    assert "typo fix \\| small second line" in md
    assert "bad \\| thing" in md


def test_annotation_is_one_escaped_line():
    line = io.annotation("error", "config: budgets.monthly_usd: 100% wrong\nTraceback...", file="a,b:c.yml", line=3)
    assert line == "::error file=a%2Cb%3Ac.yml,line=3::config: budgets.monthly_usd: 100%25 wrong"
    assert io.annotation("error", "plain") == "::error::plain"


# --- action.yml ↔ settings ------------------------------------------------------------------------


def test_every_input_reaches_the_settings():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    run_step = next(s for s in action["runs"]["steps"] if s.get("id") == "run")
    aliases = set()
    for f in ActionSettings.model_fields.values():
        choices = getattr(f.validation_alias, "choices", [f.validation_alias])
        aliases.update(choices)
    for name in action["inputs"]:
        if name == "python":  # used by the install step
            continue
        env = "INPUT_" + name.upper().replace("-", "_")
        assert run_step["env"][env] == "${{ inputs.%s }}" % name
        assert env in aliases


def test_settings_from_env(runner_env, monkeypatch, tmp_path):
    monkeypatch.setenv("GITHUB_EVENT_NAME", "issues")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(tmp_path / "ev.json"))
    monkeypatch.setenv("GITHUB_API_URL", "https://ghe.example/api/v3/")
    monkeypatch.setenv("INPUT_GITHUB_TOKEN", "tok")
    monkeypatch.setenv("INPUT_ANTHROPIC_API_KEY", "")  # an unset input arrives empty
    monkeypatch.setenv("INPUT_MODE", " Gate ")
    monkeypatch.setenv("INPUT_DRY_RUN", "true")
    monkeypatch.setenv("INPUT_ISSUE_NUMBER", "")
    s = ActionSettings()
    assert s.api_url == "https://ghe.example/api/v3"
    assert s.token.get_secret_value() == "tok" and s.anthropic_api_key is None
    assert s.mode == "gate" and s.dry_run is True and s.issue_number is None
    assert s.config_path == ".github/model-router.yml"


def test_bad_setting_names_the_variable_not_the_value(runner_env, monkeypatch, tmp_path):
    monkeypatch.setenv("GITHUB_EVENT_NAME", "issues")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(tmp_path / "ev.json"))
    monkeypatch.setenv("INPUT_MODE", "sekrit-mode")
    with pytest.raises(ValidationError) as exc:
        ActionSettings()
    text = describe_error(exc.value)
    assert "INPUT_MODE" in text and "sekrit" not in text and "\n" not in text


@pytest.mark.parametrize(
    "mode,event,expected",
    [
        ("auto", "issues", "route"),
        ("auto", "issue_comment", "command"),
        ("auto", "pull_request", "gate"),
        ("auto", "pull_request_target", "gate"),
        ("auto", "workflow_run", "outcome"),
        ("auto", "watch", "ignore"),
        ("route", "workflow_dispatch", "route"),
        ("report", "workflow_dispatch", "report"),
    ],
)
def test_resolve_mode(mode, event, expected):
    assert resolve_mode(mode, event) == expected


def test_mode_needs_its_event():
    with pytest.raises(ActionError, match="mode 'command' needs a issue_comment event, got 'issues'"):
        resolve_mode("command", "issues")


def test_issue_number_sources(runner_env, monkeypatch, tmp_path):
    monkeypatch.setenv("GITHUB_EVENT_NAME", "workflow_dispatch")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(tmp_path / "ev.json"))
    s = ActionSettings()
    assert issue_number(s, {"issue": {"number": 7}}) == 7
    assert issue_number(s, {"inputs": {"issue_number": "12"}}) == 12
    with pytest.raises(ActionError, match="not a number"):
        issue_number(s, {"inputs": {"issue_number": "x"}})
    with pytest.raises(ActionError, match="issue-number"):
        issue_number(s, {})
    assert issue_number(s.model_copy(update={"issue_number": 3}), {"issue": {"number": 7}}) == 3


# --- whole runs that fail before reaching GitHub ---------------------------------------------------


def _settings(tmp_path, event="issues", payload=None, **kw) -> ActionSettings:
    path = tmp_path / "event.json"
    if payload is not None:
        path.write_text(payload if isinstance(payload, str) else json.dumps(payload))
    return ActionSettings(event_name=event, event_path=path, **kw)


def test_missing_event_file_fails_with_one_line(runner_env, tmp_path):
    out = stdio.StringIO()
    result = run(_settings(tmp_path, token="t"), stream=out)
    assert result.exit_code == 1
    errors = [line for line in out.getvalue().splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "GITHUB_EVENT_PATH" in errors[0]
    assert parse_outputs(runner_env["output"].read_text()) == {"result": "failed"}
    assert ":x:" in runner_env["summary"].read_text()


def test_junk_event_file(runner_env, tmp_path):
    out = stdio.StringIO()
    assert run(_settings(tmp_path, payload="{not json", token="t"), stream=out).exit_code == 1
    assert "not readable JSON" in out.getvalue()


def test_empty_token_is_refused_clearly(runner_env, tmp_path):
    out = stdio.StringIO()
    payload = {"action": "opened", "repository": {"full_name": "o/r"}, "issue": {"number": 1}}
    assert run(_settings(tmp_path, payload=payload), stream=out).exit_code == 1
    assert "::error::the github-token input is empty" in out.getvalue()


def test_mode_event_mismatch_fails(runner_env, tmp_path):
    out = stdio.StringIO()
    r = run(_settings(tmp_path, payload={}, token="t", mode="gate"), stream=out)
    assert r.exit_code == 1 and "mode 'gate' needs" in out.getvalue()


# --- dry run ----------------------------------------------------------------------------------------


class _ReadOnlyPort:
    """A port whose every write would be a test failure."""

    def bot_login(self) -> str:
        return "github-actions[bot]"

    def issue_labels(self, repo, number):
        return ["bug"]

    def __getattr__(self, name):
        raise AssertionError(f"{name} reached the real port")


def test_dry_run_reads_through_and_plans_writes():
    port = DryRunGitHub(_ReadOnlyPort())
    assert port.issue_labels("o/r", 1) == ["bug"]
    port.add_labels("o/r", 1, ["model:haiku"])
    comment = port.create_comment("o/r", 1, "hello")
    assert comment.id == 0 and comment.body == "hello" and comment.user_login == "github-actions[bot]"
    assert port.create_status("o/r", "abc", "success", "ctx", "d") is None
    assert port.planned[0] == "would add_labels(1, ['model:haiku'])"
    assert len(port.planned) == 3


def test_dry_run_covers_every_write_of_the_port():
    methods = port_methods(GitHubPort)
    writes = {m for m in methods if m.startswith(("create_", "add_", "remove_", "edit_", "dispatch_", "repository_dispatch"))}
    assert writes == set(WRITES)


# --- the real entry points --------------------------------------------------------------------------


def test_entry_point_exit_code_and_single_error_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "RUNNER_"))}
    env.update(GITHUB_EVENT_NAME="issues", GITHUB_EVENT_PATH=str(tmp_path / "none.json"), INPUT_MODE="bogus", INPUT_GITHUB_TOKEN="ghs_sekrit")
    for argv in ([sys.executable, "-P", "-m", "bot.action"], [str(Path(sys.executable).parent / "model-router"), "action"]):
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr
        assert proc.stdout.startswith("::error::model-router action: INPUT_MODE"), proc.stdout
        assert "Traceback" not in proc.stderr and "sekrit" not in proc.stdout + proc.stderr


def test_labels_before_the_event():
    from bot.action.memory import labels_before

    issue = {"issue": {"labels": [{"name": "bug"}, {"name": "model:opus"}]}, "label": {"name": "model:opus"}}
    assert labels_before({**issue, "action": "labeled"}) == ["bug"]
    assert labels_before({"issue": {"labels": []}, "label": {"name": "model:opus"}, "action": "unlabeled"}) == ["model:opus"]


def test_the_history_cache_is_neither_restored_nor_saved_when_nothing_is_learned():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    restore, save = [s for s in action["runs"]["steps"] if "routing history" in s.get("name", "")]
    assert "inputs.history-issues != '0'" in restore["if"]
    assert "steps.run.outputs.history-changed == 'true'" in save["if"]  # only a job that learned says so
