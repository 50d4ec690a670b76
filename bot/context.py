"""What every service call gets, built complete: the ports, the store, where the config comes from, the run's facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from bot.config import RepoConfig
    from bot.config.source import ConfigLoad, ConfigSource
    from bot.github.port import GitHubPort
    from bot.issues.labels import KnownLabels
    from bot.llm import LLMPort
    from bot.kept import Kept
    from bot.runs.required_checks import RequiredChecks
    from bot.runs.status_apps import StatusApps
    from bot.store.issues import IssueStore


@dataclass
class Context:
    gh: "GitHubPort"
    repo: str  # "owner/name"
    store: "IssueStore"
    configs: "ConfigSource"  # read on first use, once per Context
    llm: "LLMPort | None" = None  # None when no ANTHROPIC_API_KEY
    mode: Literal["app", "action"] = "app"  # action mode: commit statuses only, no check runs
    dry_run: bool = False
    installation_id: int | None = None
    known_labels: "KnownLabels | None" = None  # the process's cache of repository label names (App mode)
    required_checks: "RequiredChecks | None" = None  # the process's cache of base branches' required checks (App)
    status_apps: "StatusApps | None" = None  # the process's cache of status creators' app ids (App)
    default_branches: "Kept[str] | None" = None  # the process's cache of repositories' default branches (App)
    delivery_id: str | None = None  # App: the webhook delivery this job runs
    run_id: str | None = None  # Action: the workflow run this step belongs to
    run_url: str | None = None
    notes: list[str] = field(default_factory=list)  # said before the result's own messages (Action)
    # dispatches GitHub refused for a reason a person must mend (the token's permission, the executor workflow's
    # trigger or inputs), each naming it: the Action fails its step with each after everything else is recorded;
    # the App has said it where it was asked (a reply, a comment)
    refused: list[str] = field(default_factory=list)
    state_key: bytes | None = field(default=None, repr=False)  # Action: signs the sticky comment's state line

    _loaded: "ConfigLoad | None" = field(default=None, repr=False)
    _default_branch: str | None = field(default=None, repr=False)

    @property
    def loaded(self) -> "ConfigLoad":
        if self._loaded is None:
            self._loaded = self.configs.load(self.gh, self.repo)
        return self._loaded

    @property
    def default_branch(self) -> str:
        """The repository's default branch: read once per Context, and once per process while `default_branches`
        keeps it (every event on a run's branch asks). Unreadable, it raises: never taken for another branch."""
        if self._default_branch is None:
            kept = self.default_branches
            if (name := kept.get(self.repo) if kept is not None else None) is None:
                name = self.gh.default_branch(self.repo)
                if kept is not None:
                    kept.put(self.repo, "", name)
            self._default_branch = name
        return self._default_branch

    @property
    def config(self) -> "RepoConfig":
        return self.loaded.config

    @property
    def config_error(self) -> str | None:
        """Why .github/model-router.yml was invalid (defaults used); None when valid or not read yet."""
        return self._loaded.error if self._loaded is not None else None


@dataclass
class Result:
    """What a service call did, for the Action's outputs, the job summary and tests."""

    action: str = "ignored"
    decision: Any = None  # RoutingDecision when the call routed
    messages: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
