"""What the Action reads from the runner: GitHub's default env vars plus the inputs action.yml passes."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config.loading import CONFIG_PATH
from bot.runs.outcome import PLAN_FILE

Mode = Literal["auto", "route", "command", "gate", "dispatch", "report"]
MODES: tuple[str, ...] = ("auto", "route", "command", "gate", "dispatch", "report")
HISTORY_FILE = "model-router-history/history.json"  # under RUNNER_TEMP; action.yml caches its directory


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class ActionSettings(BaseSettings):
    """Composite actions do not export inputs, so action.yml passes each one as INPUT_<NAME> explicitly."""

    # Unset inputs arrive as empty strings: treat them as absent.
    model_config = SettingsConfigDict(extra="ignore", env_ignore_empty=True, populate_by_name=True)

    event_name: str = Field(validation_alias=_env("GITHUB_EVENT_NAME"))
    event_path: Path = Field(validation_alias=_env("GITHUB_EVENT_PATH"))
    repository: str | None = Field(default=None, validation_alias=_env("GITHUB_REPOSITORY"))
    api_url: str = Field(default="https://api.github.com", validation_alias=_env("GITHUB_API_URL"))
    server_url: str = Field(default="https://github.com", validation_alias=_env("GITHUB_SERVER_URL"))
    run_id: str | None = Field(default=None, validation_alias=_env("GITHUB_RUN_ID"))
    token: SecretStr | None = Field(default=None, validation_alias=_env("INPUT_GITHUB_TOKEN", "GITHUB_TOKEN"))
    anthropic_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env("INPUT_ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY")
    )
    anthropic_base_url: str | None = Field(default=None, validation_alias=_env("ANTHROPIC_BASE_URL"))
    config_path: str = Field(default=CONFIG_PATH, validation_alias=_env("INPUT_CONFIG_PATH"))
    # signs the sticky comment's hidden state line, so a hand edit is detected (docs/security.md)
    state_key: SecretStr | None = Field(default=None, validation_alias=_env("INPUT_STATE_KEY"))
    # routing learns from the last N routed issues' state lines (0: learn nothing), cached in this file between jobs
    history_issues: int = Field(default=100, ge=0, le=1000, validation_alias=_env("INPUT_HISTORY_ISSUES"))
    # "true": HISTORY_FILE under RUNNER_TEMP (action.yml restores and saves it with actions/cache), "false": none
    history_cache: str = Field(default="false", validation_alias=_env("INPUT_HISTORY_CACHE"))
    mode: Mode = Field(default="auto", validation_alias=_env("INPUT_MODE"))
    dry_run: bool = Field(default=False, validation_alias=_env("INPUT_DRY_RUN"))
    execution_file: Path | None = Field(default=None, validation_alias=_env("INPUT_EXECUTION_FILE"))
    # report mode: claude-code-action's `branch_name` step (or job) output, never a file: the agent wrote those
    branch_name: str | None = Field(default=None, max_length=1000, validation_alias=_env("INPUT_BRANCH_NAME"))
    # report mode: the claude step's outcome, a job output (bot.runs.finished.never_ran reads it; others are unknown)
    agent_outcome: str | None = Field(default=None, max_length=100, validation_alias=_env("INPUT_AGENT_OUTCOME"))
    issue_number: int | None = Field(default=None, ge=1, validation_alias=_env("INPUT_ISSUE_NUMBER"))
    workspace: Path = Field(default_factory=Path.cwd, validation_alias=_env("GITHUB_WORKSPACE"))
    runner_temp: Path = Field(
        default_factory=lambda: Path(tempfile.gettempdir()), validation_alias=_env("RUNNER_TEMP")
    )
    output_file: Path | None = Field(default=None, validation_alias=_env("GITHUB_OUTPUT"))
    summary_file: Path | None = Field(default=None, validation_alias=_env("GITHUB_STEP_SUMMARY"))

    @field_validator("mode", mode="before")
    @classmethod
    def _mode(cls, v: object) -> object:
        return v.strip().lower() if isinstance(v, str) else v

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, v: str) -> str:
        return v.rstrip("/")

    def history_file(self) -> Path | None:
        """Where the routing history is kept between jobs (bot.action.learned), or None: read it afresh."""
        value = self.history_cache.strip()
        if value.lower() in ("", "false"):
            return None
        return self.runner_temp / HISTORY_FILE if value.lower() == "true" else Path(value)

    def plan_file(self) -> Path:
        """A planning run's plan for report mode: beside the execution file when it is there (the executor's report
        job downloads the run's artifact, outside its workspace), else in the workspace (a report step in the
        agent's own job, after the step that saves it)."""
        beside = self.execution_file.parent / PLAN_FILE if self.execution_file else None
        return beside if beside is not None and beside.is_file() else self.workspace / PLAN_FILE

    def run_url(self) -> str | None:
        if self.repository and self.run_id:
            return f"{self.server_url.rstrip('/')}/{self.repository}/actions/runs/{self.run_id}"
        return None


def describe_error(exc: Exception) -> str:
    """One line naming the offending settings, never their values (they may be secrets)."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc).splitlines()[0]
    parts = []
    for err in errors():
        loc = ".".join(str(p) for p in err.get("loc", ())) or "settings"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)
