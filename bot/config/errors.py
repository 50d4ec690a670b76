"""Config errors that point at the line: ConfigError, duplicate YAML keys, pydantic errors mapped back to the file."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

import yaml
from pydantic import BaseModel

from bot.models import Complexity, Tier


class ConfigError(Exception):
    """An invalid config file: every line names the file, line, key path and what is wrong."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def duplicate_key(node: yaml.Node | None, source: str) -> str | None:
    """PyYAML keeps the last of two equal keys silently; a config file with both is an error (this one)."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue  # a sequence or mapping key: building the data refuses it with its own line
            if key.value in seen:
                return f"{source}:{key.start_mark.line + 1}: duplicate key {key.value!r} (first on line {seen[key.value]})"
            seen[key.value] = key.start_mark.line + 1
            if problem := duplicate_key(value, source):
                return problem
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if problem := duplicate_key(item, source):
                return problem
    return None


def describe(error: Any, root: yaml.Node | None, source: str, model: type[BaseModel]) -> str:
    """One pydantic error as `file:line: key.path: message`, with a did-you-mean for unknown keys."""
    loc = [p for p in error["loc"] if p != "[key]"]
    path = ".".join(str(p) for p in loc) or "(top level)"
    line = _line_of(root, loc)
    where = f"{source}:{line}" if line else source
    if error["type"] == "extra_forbidden":
        hint = difflib.get_close_matches(str(loc[-1]), _keys_at(model, loc[:-1]), n=1, cutoff=0.6)
        suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
        return f"{where}: {path}: unknown key{suggestion}"
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {path}: {message}"


def _line_of(node: yaml.Node | None, loc: list[Any]) -> int | None:
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if match is None:
                return line
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _keys_at(model: Any, loc: list[Any]) -> list[str]:
    """Valid keys of the model reached by following loc through fields, lists and dicts."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return []
            current = field.annotation
        else:
            args = typing.get_args(current)
            current = args[-1] if args else None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    if typing.get_origin(current) is dict:
        key = typing.get_args(current)[0]
        if isinstance(key, type) and issubclass(key, (Tier, Complexity)):
            return [k.value for k in key]
    return []


def _unwrap(annotation: Any) -> Any:
    """Optional[X] → X."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation
