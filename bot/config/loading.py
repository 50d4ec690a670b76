"""Reading a config file: YAML text → RepoConfig, or a ConfigError naming file, line and key."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.config.errors import ConfigError, describe, duplicate_key
from bot.config.schema import RepoConfig

CONFIG_PATH = ".github/model-router.yml"  # the one place the file's path is spelled
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_mapping(text: str | bytes, source: str = CONFIG_PATH) -> tuple[dict, yaml.Node | None]:
    """The file's top-level mapping (empty for an empty file) and its YAML node tree (for line numbers)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError([f"{source}: not UTF-8 text (byte {exc.start})"]) from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if problem := duplicate_key(root, source):
            raise ConfigError([problem])
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}" if mark else source
        raise ConfigError([f"{where}: invalid YAML: {exc.problem or exc.context}"]) from exc
    except yaml.YAMLError as exc:
        raise ConfigError([f"{source}: invalid YAML: {exc}"]) from exc
    if data is None:
        return {}, root
    if not isinstance(data, dict):
        raise ConfigError([f"{source}:1: the file must be a mapping of settings, not {type(data).__name__}"])
    return data, root


def validate(data: dict, root: yaml.Node | None, source: str = CONFIG_PATH) -> RepoConfig:
    try:
        return RepoConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError([describe(e, root, source, RepoConfig) for e in exc.errors()]) from exc


def load_config_text(text: str | bytes, source: str = CONFIG_PATH) -> RepoConfig:
    """Parse and validate one file; empty text gives the defaults; anything wrong raises ConfigError.

    `_extends` is not followed here (no GitHub at hand): bot.config.extends does that for the App and the Action."""
    data, root = read_mapping(text, source)
    data.pop("_extends", None)
    return validate(data, root, source) if data else RepoConfig()


def load_config_file(path: str | Path) -> RepoConfig:
    """A missing file gives the defaults (like a repo without the file)."""
    p = Path(path)
    if not p.exists():
        return RepoConfig()
    if p.is_dir():
        raise ConfigError([f"{p}: is a directory"])
    return load_config_text(p.read_bytes(), source=str(p))
