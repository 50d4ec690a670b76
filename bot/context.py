"""What every event handler gets: the GitHub port, the store, the LLM and the repository's config."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Literal

if TYPE_CHECKING:
    from bot.config import RepoConfig
    from bot.github.port import GitHubPort
    from bot.issues.labels import KnownLabels
    from bot.llm import LLMPort
    from bot.store.issues import IssueStore


@dataclass
class Context:
    gh: "GitHubPort"
    repo: str  # "owner/name"
    store: "IssueStore"
    load_config: Callable[[], "RepoConfig"]  # cached per repo by the caller; may record a config error
    llm: "LLMPort | None" = None  # None when no ANTHROPIC_API_KEY
    mode: Literal["app", "action"] = "app"  # action mode: commit statuses only, no check runs
    dry_run: bool = False
    installation_id: int | None = None
    config_error: str | None = None  # set when .github/model-router.yml was invalid (defaults used)
    known_labels: "KnownLabels | None" = None  # the process's cache of repository label names (App mode)
    extra: dict[str, Any] = field(default_factory=dict)

    _config: "RepoConfig | None" = None

    @property
    def config(self) -> "RepoConfig":
        if self._config is None:
            self._config = self.load_config()
        return self._config


@dataclass
class Result:
    """What a handler did, for the Action's outputs, the job summary and tests."""

    action: str = "ignored"
    decision: Any = None  # RoutingDecision when the handler routed
    messages: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
