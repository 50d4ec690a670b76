"""pytest fixtures and helpers for the Action: a clean runner environment and in-process runs.

- fixture `runner_env` -> {"output", "summary"} files; GITHUB_*/INPUT_*/RUNNER_*/ANTHROPIC_* cleared.
- `settings(tmp_path, fake, event, payload, **kw)` -> ActionSettings for one job (a fresh RUNNER_TEMP: nothing kept).
- `act(settings)` -> (exit code, log); `parse_outputs(text)` reads $GITHUB_OUTPUT like the runner.
- `checkout(tmp_path, config_text)`, `sticky(fake, number)`, `decision(**kw)`.
"""

from __future__ import annotations

import io as stdio
import json
import os
import tempfile
from pathlib import Path

import pytest

from bot.action.runner import run
from bot.action.settings import ActionSettings
from bot.config import RepoConfig
from bot.models import Complexity, RoutingDecision, Strategy, Tier
from bot.issues.render import MARKER


def parse_outputs(text: str) -> dict[str, str]:
    """Read a $GITHUB_OUTPUT file the way the runner does (`k=v` and `k<<DELIM` blocks)."""
    out: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delim = line.split("<<", 1)
            end = lines.index(delim, i + 1)
            out[key] = "\n".join(lines[i + 1 : end])
            i = end + 1
        elif "=" in line:
            key, value = line.split("=", 1)
            out[key] = value
            i += 1
        else:
            i += 1
    return out


def decision(**kw) -> RoutingDecision:
    base = dict(
        tier=Tier.haiku,
        model="claude-haiku-test",
        complexity=Complexity.simple,
        confidence=0.9,
        strategy=Strategy.pattern,
        rationale="typo fix | small\nsecond line",
        estimated_cost_usd=0.0123,
        baseline_cost_usd=0.05,
        savings_usd=0.0377,
    )
    base.update(kw)
    return RoutingDecision(**base)


@pytest.fixture
def runner_env(tmp_path, monkeypatch):
    """A clean runner environment: only what the test sets is visible to ActionSettings."""
    for name in list(os.environ):
        if name.startswith(("GITHUB_", "INPUT_", "RUNNER_", "ANTHROPIC_")):
            monkeypatch.delenv(name)
    files = {"output": tmp_path / "output.txt", "summary": tmp_path / "summary.md"}
    for path in files.values():
        path.write_text("")
    monkeypatch.setenv("GITHUB_OUTPUT", str(files["output"]))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(files["summary"]))
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path / "runner-temp"))
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "workspace"))
    return files



REPO = "Codertocat/Hello-World"
CONFIG = RepoConfig()


def settings(tmp_path: Path, fake, event: str, payload: dict, **kw) -> ActionSettings:
    path = tmp_path / f"{event}.json"
    path.write_text(json.dumps(payload))
    kw.setdefault("token", "ghs_action_token")
    kw.setdefault("repository", REPO)
    kw.setdefault("runner_temp", Path(tempfile.mkdtemp(dir=tmp_path)))  # every run is a new job: nothing kept
    return ActionSettings(event_name=event, event_path=path, api_url=fake.url, **kw)


def act(s: ActionSettings) -> tuple[int, str]:
    out = stdio.StringIO()
    return run(s, stream=out).exit_code, out.getvalue()


def checkout(tmp_path: Path, config_text: str) -> Path:
    """A workspace as actions/checkout leaves it, holding only the config file."""
    workspace = tmp_path / "ws"
    (workspace / ".github").mkdir(parents=True)
    (workspace / ".github" / "model-router.yml").write_text(config_text)
    return workspace


def sticky(fake, number: int) -> list[dict]:
    return [c for c in fake.comments(REPO, number) if MARKER in c["body"]]
