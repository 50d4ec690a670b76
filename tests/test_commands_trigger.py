"""The workflows' command-job filter: only a line that starts with a known command starts a job."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.commands import load_all
from bot.commands.parser import parse
from bot.commands.trigger import condition, matches

ROOT = Path(__file__).resolve().parents[1]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_repository_workflow_uses_the_generated_filter():
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "model-router.yml").read_text())
    assert _flat(condition()) in _flat(wf["jobs"]["command"]["if"]), "run `python -m bot.commands.trigger`"


def test_the_action_docs_use_the_generated_filter():
    assert _flat(condition()) in _flat((ROOT / "docs" / "action.md").read_text())


def test_urls_and_paths_do_not_start_a_job():
    assert not matches("see https://example.com/a/b and /etc/hosts")
    assert not matches("/assign @me\n/lgtm")
    assert not matches("the `/model opus` command")


def test_a_command_on_any_line_starts_a_job():
    assert matches("/why")
    assert matches("Thanks!\r\n/Model opus")
    assert matches("hi\n/model-router help")


@given(st.lists(st.sampled_from(["hello", "/model opus", "/why", "  see /etc", "```", "/lgtm", "> /cost", "x /route"])))
def test_every_comment_the_parser_acts_on_starts_a_job(lines):
    body = "\n".join(lines)
    if parse(body, load_all()):
        assert matches(body), body
