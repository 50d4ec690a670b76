"""Reading a config file: YAML text → RepoConfig, or a ConfigError naming file, line and key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.config.errors import ConfigError, describe, duplicate_key
from bot.config.schema import CONFIG_PATH, RepoConfig
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE  # what PyYAML's reader refuses and libyaml may accept


def read_mapping(text: str | bytes, source: str = CONFIG_PATH) -> tuple[dict, yaml.Node | None]:
    """The file's top-level mapping (empty for an empty file) and its YAML node tree (for line numbers)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError([f"{source}: not UTF-8 text (byte {exc.start})"]) from exc
    try:
        root, loader = _compose(text)
        if problem := duplicate_key(root, source):
            raise ConfigError([problem])
        if loader is None:
            data = yaml.load(text, Loader=_Loader)
        else:
            try:
                data = loader.construct_document(root) if root is not None else None
            finally:
                loader.dispose()
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


def _compose(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and a loader to build the data from it. libyaml composes ~15x faster
    than PyYAML's own parser, which the CLI would pay at every start; PyYAML's parser is kept for what
    libyaml reads differently (tabs, characters PyYAML refuses) and for its error messages."""
    if _Loader is not yaml.SafeLoader and "\t" not in text and not _NON_PRINTABLE.search(text):
        loader = _Loader(text)
        try:
            return loader.get_single_node(), loader
        except yaml.YAMLError:
            loader.dispose()
    return yaml.compose(text, Loader=yaml.SafeLoader), None


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
