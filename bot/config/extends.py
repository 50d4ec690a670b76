"""Organisation-wide config (Probot's convention): `_extends: org/.github` deep-merges another repository's file
under this one, and a repository without the file uses its owner's `.github` repository's file.

`_extends` names `.github` or `repo` (same owner), `owner/repo`, or either with `:path/to/file.yml`. Mappings
merge key by key; any other value (lists included) in the extending file replaces the inherited one. Every
file is validated on its own first, so an error names the file and line it is in. A base that cannot be
read is an error (the defaults are used, and the message says which file); chains stop after 3 files.
"""

from __future__ import annotations

import re
from typing import Callable

from bot.config.errors import ConfigError
from bot.config.loading import CONFIG_PATH, read_mapping, validate
from bot.config.schema import RepoConfig

EXTENDS_KEY = "_extends"
ORG_REPO = ".github"
MAX_FILES = 3
Fetch = Callable[[str, str], "str | bytes | None"]  # (owner/repo, path) -> the file's text, None when absent
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def target(value: object, repo: str, source: str) -> tuple[str, str]:
    """(owner/repo, path) that `_extends: value` in `repo`'s file points at."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError([f"{source}: {EXTENDS_KEY}: expected a repository name such as `.github` or `org/.github`"])
    name, _, path = value.strip().partition(":")
    full = name if "/" in name else f"{repo.split('/')[0]}/{name}"
    if not _REPO.match(full) or ".." in path:
        raise ConfigError([f"{source}: {EXTENDS_KEY}: {value!r} is not `repo`, `owner/repo` or `owner/repo:path`"])
    return full, path.lstrip("/") or CONFIG_PATH


def deep_merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        out[key] = deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _data(text: str | bytes, repo: str, path: str, fetch: Fetch, chain: list[str]) -> dict:
    source = path if not chain else f"{repo}:{path}"
    data, root = read_mapping(text, source)
    ext = data.pop(EXTENDS_KEY, None)
    if data:
        validate(data, root, source)
    if ext is None:
        return data
    base_repo, base_path = target(ext, repo, source)
    link = f"{base_repo}:{base_path}"
    if link in chain or len(chain) + 1 >= MAX_FILES:
        raise ConfigError([f"{source}: {EXTENDS_KEY}: {link} makes a chain that is circular or longer than {MAX_FILES} files"])
    base_text = fetch(base_repo, base_path)
    if base_text is None:
        raise ConfigError([f"{source}: {EXTENDS_KEY}: cannot read {link} (missing, or not readable with this token)"])
    return deep_merge(_data(base_text, base_repo, base_path, fetch, [*chain, f"{repo}:{path}"]), data)


def load(text: str | bytes | None, repo: str, fetch: Fetch, path: str = CONFIG_PATH) -> RepoConfig:
    """The repository's config with what it extends, or its owner's `.github` file when it has none."""
    if not text:
        org = f"{repo.split('/')[0]}/{ORG_REPO}"
        text = fetch(org, CONFIG_PATH) if org != repo else None
        if not text:
            return RepoConfig()
        return validate(_data(text, org, CONFIG_PATH, fetch, [f"{repo}:{path}"]), None, f"{org}:{CONFIG_PATH}")
    return validate(_data(text, repo, path, fetch, []), None, path)
