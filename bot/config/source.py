"""Where a job's repository config comes from: `load(gh, repo) -> ConfigLoad` (the config, or the defaults and an error).

The App reads `.github/model-router.yml` from the default branch and caches it per repo; the cache entry
is keyed by a version that a `push` touching the file bumps in the shared store, so every process (web
workers, `model-router worker`) drops its copy, not just the one that saw the push. The Action has its
own source (bot.action.context); tests and the CLI use `FixedConfig`.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Protocol

from bot.config import extends
from bot.config.errors import ConfigError
from bot.config.loading import CONFIG_PATH, load_config_text
from bot.config.schema import RepoConfig
from bot.github.port import GitHubError

if TYPE_CHECKING:
    from bot.github.port import GitHubPort


@dataclass(frozen=True)
class ConfigLoad:
    """A loaded config; when the file was invalid, the defaults plus the error (a value, never raised)."""

    config: RepoConfig
    error: str | None = None
    line: int | None = None  # the first problem's line in the file, for an annotation

    @classmethod
    def parse(cls, text: str | bytes | None, source: str = CONFIG_PATH) -> "ConfigLoad":
        """No file or an empty one gives the defaults; an invalid one the defaults and what is wrong."""
        return cls.of(lambda: load_config_text(text, source=source) if text else RepoConfig(), source)

    @classmethod
    def resolve(cls, text: str | bytes | None, repo: str, gh: "GitHubPort", source: str = CONFIG_PATH) -> "ConfigLoad":
        """The file as found on GitHub: `_extends` followed, the owner's `.github` repository when there is none."""
        return cls.of(lambda: extends.load(text, repo, fetcher(gh), source), source)

    @classmethod
    def of(cls, load: Callable[[], RepoConfig], source: str) -> "ConfigLoad":
        try:
            return cls(load())
        except ConfigError as exc:
            m = re.match(re.escape(source) + r":(\d+):", exc.problems[0] if exc.problems else "")
            return cls(RepoConfig(), str(exc), int(m.group(1)) if m else None)


def fetcher(gh: "GitHubPort") -> "extends.Fetch":
    """Another repository's file for `_extends`; None when it is absent or this credential may not read it."""
    def fetch(repo: str, path: str) -> str | None:
        try:
            return gh.get_file(repo, path)
        except GitHubError as exc:
            if exc.status in (401, 403, 404):
                return None
            raise

    return fetch


class ConfigSource(Protocol):
    def load(self, gh: "GitHubPort", repo: str) -> ConfigLoad: ...

    def invalidate(self, repo: str) -> None:
        """The file changed on the default branch: forget any copy."""


class FixedConfig:
    """A config known in advance (tests, the CLI): a RepoConfig, or a function returning one."""

    def __init__(self, config: RepoConfig | Callable[[], RepoConfig] | None = None):
        self._config = config if config is not None else RepoConfig()

    def load(self, gh: "GitHubPort", repo: str) -> ConfigLoad:
        return ConfigLoad(self._config() if callable(self._config) else self._config)

    def invalidate(self, repo: str) -> None:
        pass


def load_repo_config(gh: "GitHubPort", repo: str) -> ConfigLoad:
    """The default branch's file (no ref: the contents API reads the default branch), with what it extends."""
    return ConfigLoad.resolve(gh.get_file(repo, CONFIG_PATH), repo, gh)


class RepoConfigCache:
    """The App's config source: each repo's file cached `ttl` seconds and until a push bumps its version."""

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
        self._entries: dict[str, tuple[int, float, ConfigLoad]] = {}

    def load(self, gh: "GitHubPort", repo: str) -> ConfigLoad:
        version = self.version_of(repo)
        now = self.clock()
        with self._lock:
            hit = self._entries.get(repo)
        if hit and hit[0] == version and hit[1] > now:
            return hit[2]
        loaded = load_repo_config(gh, repo)
        with self._lock:
            self._entries[repo] = (version, now + self.ttl, loaded)
        return loaded

    def invalidate(self, repo: str) -> None:
        with self._lock:
            self._entries.pop(repo, None)
        if self.bump is not None:
            self.bump(repo)


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
