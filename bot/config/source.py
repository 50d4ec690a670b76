"""Each repository's `.github/model-router.yml`, read from its default branch and cached per repo.

The cache entry is keyed by a version that a `push` touching the file bumps in the shared store,
so every process (web workers, `model-router worker`) drops its copy, not just the one that saw the push.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Callable

from bot.config.errors import ConfigError
from bot.config.loading import CONFIG_PATH, load_config_text
from bot.config.schema import RepoConfig

if TYPE_CHECKING:
    from bot.context import Context
    from bot.github.port import GitHubPort


def load_repo_config(gh: "GitHubPort", repo: str) -> tuple["RepoConfig", str | None]:
    """(config, error): an invalid file yields the defaults plus the message naming what is wrong."""
    text = gh.get_file(repo, CONFIG_PATH)  # no ref: the contents API reads the default branch
    if text is None:
        return RepoConfig(), None
    try:
        return load_config_text(text, source=CONFIG_PATH), None
    except ConfigError as exc:
        return RepoConfig(), str(exc)


class RepoConfigCache:
    def __init__(
        self,
        ttl: float = 600.0,
        version_of: Callable[[str], int] | None = None,
        bump: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.ttl = ttl
        self.version_of = version_of or (lambda repo: 0)
        self.bump = bump  # tells the other processes (shared store) that their copy is stale
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, float, "RepoConfig", str | None]] = {}

    def get(self, gh: "GitHubPort", repo: str) -> tuple["RepoConfig", str | None]:
        version = self.version_of(repo)
        now = self.clock()
        with self._lock:
            hit = self._entries.get(repo)
        if hit and hit[0] == version and hit[1] > now:
            return hit[2], hit[3]
        config, error = load_repo_config(gh, repo)
        with self._lock:
            self._entries[repo] = (version, now + self.ttl, config, error)
        return config, error

    def invalidate(self, repo: str) -> None:
        with self._lock:
            self._entries.pop(repo, None)
        if self.bump is not None:
            self.bump(repo)

    def loader(self, ctx: "Context") -> Callable[[], "RepoConfig"]:
        """The `Context.load_config` for one job: also sets `ctx.config_error`."""

        def load() -> "RepoConfig":
            config, error = self.get(ctx.gh, ctx.repo)
            ctx.config_error = error
            return config

        return load


def touches_config(payload: dict) -> bool:
    """A push to the default branch that changed the config file (or may have: commit list truncated)."""
    repo = payload.get("repository") or {}
    default = repo.get("default_branch") or repo.get("master_branch")
    if not default or payload.get("ref") != f"refs/heads/{default}":
        return False
    commits = payload.get("commits") or []
    if len(commits) >= 20 or not commits:  # GitHub lists at most 20 commits in a push payload
        return True
    for commit in commits:
        for key in ("added", "modified", "removed"):
            if CONFIG_PATH in (commit.get(key) or []):
                return True
    return False
