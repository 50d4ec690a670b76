"""The Action's Context: its GitHub port (dry-run aware), a scratch store, and where its config comes from."""

from __future__ import annotations

from typing import Any

from bot.action.dryrun import DryRunGitHub
from bot.action.errors import ActionError
from bot.action.settings import ActionSettings
from bot.config.source import ConfigLoad
from bot.context import Context
from bot.github.port import GitHubPort
from bot.github.rest import RestGitHub
from bot.llm import AnthropicLLM
from bot.store.memory import MemoryIssueStore



class ActionConfig:
    """The config file on the DEFAULT branch, read through the API in every mode, never from the workspace.

    The workspace is whatever the job checked out: a pull request's head, or the tree the agent just edited
    before the executor's `mode: report` step. Reading it there would let a pull request weaken its own gate
    and a plan lift its own limits (`pipeline.max_tasks`, `budgets.*`); the default branch's file is the
    one that was reviewed, and the status a pull request gets belongs to the commit, whatever the base."""

    def __init__(self, settings: ActionSettings, payload: dict):
        self.settings = settings
        self.default = (payload.get("repository") or {}).get("default_branch")

    def load(self, gh: GitHubPort, repo: str) -> ConfigLoad:
        path = self.settings.config_path
        text = gh.get_file(repo, path, ref=self.default or gh.default_branch(repo))
        return ConfigLoad.resolve(text, repo, gh, source=path)

    def invalidate(self, repo: str) -> None:
        pass  # one job reads the file once


def build_context(settings: ActionSettings, payload: dict, *, gh: GitHubPort | None = None, llm: Any = None) -> Context:
    repo = settings.repository or (payload.get("repository") or {}).get("full_name")
    if not repo:
        raise ActionError("no repository: GITHUB_REPOSITORY is unset and the event names none")
    if gh is None:
        if settings.token is None:
            raise ActionError("the github-token input is empty (pass `github-token: ${{ github.token }}`)")
        gh = RestGitHub(settings.token.get_secret_value(), base_url=settings.api_url)
    if settings.dry_run:
        gh = DryRunGitHub(gh)
    if llm is None and settings.anthropic_api_key is not None:
        llm = AnthropicLLM(settings.anthropic_api_key.get_secret_value(), base_url=settings.anthropic_base_url)
    return Context(
        gh=gh,
        repo=repo,
        store=scratch_store(settings),
        configs=ActionConfig(settings, payload),
        llm=llm,
        mode="action",
        dry_run=settings.dry_run,
        run_id=settings.run_id,
        run_url=settings.run_url(),
        state_key=settings.state_key.get_secret_value().encode() if settings.state_key else None,
        _default_branch=_default_branch(payload, repo),
    )


def _default_branch(payload: dict, repo: str) -> str | None:
    """The default branch GitHub's event names for `repo` (the config load reads it there too), so the outcome rules
    need not read the repository again; None when the event is about no repository or another one."""
    named = payload.get("repository") or {}
    branch = named.get("default_branch") if str(named.get("full_name", "")).lower() == repo.lower() else None
    return branch if isinstance(branch, str) and branch else None


def scratch_store(settings: ActionSettings) -> MemoryIssueStore:
    """The job's own scratch store, in memory: nothing is kept between jobs (the sticky comments carry what later
    jobs need, and bot.action.learned reads them back for routing), so the Action needs neither SQLAlchemy nor a
    database file."""
    return MemoryIssueStore()
