"""Find slash-commands in a comment: line-anchored, case-insensitive, never inside code, quotes or HTML comments."""

from __future__ import annotations

import re
from typing import Iterable

from bot.commands import Invocation

LONG_PREFIX = "model-router"
MAX_COMMANDS = 10  # per comment; more is almost certainly not a person typing
MAX_LINE = 500

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_COMMAND = re.compile(r"^ {0,3}/([A-Za-z][A-Za-z0-9_-]*)(?=\s|$)(.*)$")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _visible_lines(body: str) -> Iterable[tuple[str, str]]:
    """(raw, text) for lines that render as paragraph text: code, quotes and HTML comments dropped."""
    # An unterminated HTML comment hides the rest of the comment, as GitHub renders it.
    body = _HTML_COMMENT.sub("", body.replace("\r\n", "\n").replace("\r", "\n"))
    if "<!--" in body:
        body = body[: body.index("<!--")]
    fence: str | None = None
    for line in body.split("\n"):
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not m.group(2).strip():
                fence = None
            continue
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            fence = m.group(1)
            continue
        # Four spaces or a tab: indented code (or a paragraph continuation, which is not line-anchored).
        if line.startswith("\t") or line.startswith("    "):
            continue
        if line.lstrip(" ").startswith(">"):
            continue
        yield line, _INLINE_CODE.sub(" ", line)


def parse(body: str | None, known: Iterable[str] | None = None) -> list[Invocation]:
    """Every command line in `body`, in order.

    Short forms (`/route`) count only for `known` names, so other bots' commands (`/assign`,
    `/lgtm`) and paths (`/etc/hosts`) are left alone; the long form (`/model-router <cmd>`)
    always counts, so a typo there is reported as not understood.
    """
    if not body:
        return []
    names = {n.lower() for n in known} if known is not None else None
    out: list[Invocation] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for raw, line in _visible_lines(body):
        m = _COMMAND.match(line[:MAX_LINE])
        if not m:
            continue
        name, rest = m.group(1).lower(), m.group(2).split()
        if name == LONG_PREFIX:
            if not rest:
                name, rest = "help", []
            else:
                name, rest = rest[0].lstrip("/").lower(), rest[1:]
        elif names is not None and name not in names:
            continue
        key = (name, tuple(rest))
        if key in seen:
            continue
        seen.add(key)
        out.append(Invocation(name=name, args=rest, line=raw.strip()[:MAX_LINE]))
        if len(out) >= MAX_COMMANDS:
            break
    return out
