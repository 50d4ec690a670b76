"""`mode: report` without an execution file: the repository's numbers and Mermaid charts, read back from the
sticky comments' state lines (only the bot's own), in the job summary and a file for a report issue."""

from __future__ import annotations

import copy

from bot.issues.render import MARKER
from tests.plugins.action import REPO, act, parse_outputs, settings


def test_report_mode_reads_the_history_from_sticky_comments(fake_github, webhook_example, runner_env, tmp_path):
    opened = webhook_example("issues", "opened")
    titles = ["Fix typo in README", "Design a plugin architecture for exporters", "Bump a dependency version"]
    for number, title in enumerate(titles, 1):
        payload = copy.deepcopy(opened)
        payload["issue"].update(number=number, title=title, body="", labels=[])
        fake_github.seed_payload(payload)
        code, log = act(settings(tmp_path, fake_github, "issues", payload))
        assert code == 0, log
    # someone pastes a copy of a state line: not the bot's comment, not history
    bot_body = next(c["body"] for c in fake_github.comments(REPO, 1) if MARKER in c["body"])
    fake_github.add_issue(REPO, 9, "copy")
    fake_github.add_comment(REPO, 9, bot_body, user="mallory")
    runner_env["output"].write_text("")
    runner_env["summary"].write_text("")
    writes_before = len(fake_github.writes())
    code, log = act(settings(tmp_path, fake_github, "schedule", {}, mode="report"))
    assert code == 0, log
    outputs = parse_outputs(runner_env["output"].read_text())
    assert outputs["result"] == "reported" and outputs["issues"] == "3"
    summary = runner_env["summary"].read_text()
    assert "3 routed issues." in summary and "```mermaid\npie showData title Issues per tier" in summary
    assert "xychart-beta" in summary and "| Haiku share |" in summary
    with open(outputs["report-file"], encoding="utf-8") as fh:
        assert fh.read() == outputs["report"]
    assert len(fake_github.writes()) == writes_before  # a report writes nothing to GitHub
    ops = {r.operation_id for r in fake_github.requests[-5:]}
    assert "issues/list-comments-for-repo" in ops


def test_report_mode_on_an_empty_repository(fake_github, runner_env, tmp_path):
    fake_github.add_repo(REPO)
    code, log = act(settings(tmp_path, fake_github, "workflow_dispatch", {}, mode="report"))
    assert code == 0, log
    assert "No routed issues found" in runner_env["summary"].read_text()
