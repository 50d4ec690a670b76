"""Reading issues for `route`, `explain` and `eval`: flags, a JSON object or JSON Lines → IssueInput, or one clear error."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO, Any, Callable, Iterator

from pydantic import ValidationError

from bot.cli import UsageError
from bot.config import CONFIG_PATH, ConfigError, RepoConfig, load_config_file
from bot.config.schema import COMPLEXITY, TIER
from bot.models import Complexity, IssueInput, Tier

_TIERS = {t.value for t in Tier}
_COMPLEXITIES = {c.value for c in Complexity}


def load_config(path: str | None) -> RepoConfig:
    try:
        if path is None:
            return load_config_file(CONFIG_PATH)
        if not Path(path).is_file():
            raise UsageError(f"--config {path}: no such file")
        return load_config_file(path)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc


def parse_issue(obj: Any, config: RepoConfig, where: str) -> IssueInput:
    """A JSON object → IssueInput, or UsageError naming what is wrong."""
    if not isinstance(obj, dict):
        raise UsageError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    data = dict(obj)
    files = data.pop("files", None)
    if isinstance(files, bool) or not (files is None or isinstance(files, (int, list))):
        raise UsageError(f"{where}: files: expected a number or a list of paths")
    if isinstance(files, int):
        data.setdefault("changed_files", files)
    elif isinstance(files, list):
        data.setdefault("changed_paths", files)
    try:
        issue = IssueInput.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "input"
        raise UsageError(f"{where}: {loc}: {err['msg'].removeprefix('Value error, ')}") from None
    if not issue.title.strip():
        raise UsageError(f"{where}: title: must not be empty")
    _check_labels(issue.labels, config, where)
    return issue


def _check_labels(labels: list[str], config: RepoConfig, where: str) -> None:
    for name in labels:
        field, value = config.labels.parse(name) or ("", "")
        if field == TIER and value not in _TIERS:
            raise UsageError(f"{where}: label {name!r} names no tier ({', '.join(t.value for t in Tier)})")
        if field == COMPLEXITY and value not in _COMPLEXITIES:
            raise UsageError(f"{where}: label {name!r} names no complexity (trivial, simple, standard, complex)")


def _no_surrogates(value: str, flag: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"{flag}: not valid UTF-8") from None
    return value


def issue_from_args(args: argparse.Namespace, config: RepoConfig) -> IssueInput:
    if args.title is None and args.body is None and args.label is None and args.files is None:
        if sys.stdin.isatty():
            raise UsageError("give --title (and --body/--label/--files) or a JSON object on stdin")
        raw = sys.stdin.buffer.read()
        text = decode(raw, "stdin")
        try:
            obj = json.loads(text)
        except ValueError as exc:
            raise UsageError(f"stdin: invalid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
        return parse_issue(obj, config, "stdin")
    data: dict[str, Any] = {
        "title": _no_surrogates(args.title or "", "--title"),
        "body": _no_surrogates(args.body or "", "--body"),
        "labels": [_no_surrogates(lb, "--label") for lb in args.label or []],
    }
    if args.files is not None:
        try:
            data["files"] = int(args.files)
        except ValueError:
            raise UsageError(f"--files: expected a whole number, got {args.files!r}") from None
        if data["files"] < 0:
            raise UsageError("--files: must not be negative")
    return parse_issue(data, config, "input")


def decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{where}: not UTF-8 (byte {exc.start})") from None


def read_jsonl(stream: IO[bytes], config: RepoConfig, keep_going: bool,
               on_error: Callable[[int, str], None]) -> Iterator[tuple[int, dict[str, Any], IssueInput]]:
    """(line number, raw object, issue) per non-blank line; a broken line stops, or is reported and skipped."""
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        where = f"line {number}"
        try:
            obj = json.loads(decode(raw, where))
        except UsageError as exc:
            error: str = str(exc)
        except ValueError as exc:
            error = f"{where}: invalid JSON ({exc.msg}, column {exc.colno})"
        else:
            try:
                yield number, obj, parse_issue(obj, config, where)
                continue
            except UsageError as exc:
                error = str(exc)
        if not keep_going:
            raise UsageError(f"{error} (use --keep-going to skip broken lines)")
        on_error(number, error)


def open_input(name: str) -> IO[bytes]:
    if name == "-":
        return sys.stdin.buffer
    try:
        return open(name, "rb")  # noqa: SIM115 - closed by the caller
    except OSError as exc:
        raise UsageError(f"{name}: {exc.strerror}") from None
