"""The workflow `if:` that starts a command job only when a line of the comment starts with a known command.

Workflow expressions have no regex and no escapes, but `toJSON()` of the body writes each line break
as the two characters `\\n` and opens with `"`: so `"/<name>` at the start of the JSON text is a
command on the first line and `\\n/<name>` one on any later line. `contains`/`startsWith` ignore case,
as the parser does. A URL or a path in the middle of a line never starts a job. The Action parses the
comment again (code blocks, quotes, permissions), so a rare extra match only costs one short job.
"""

from __future__ import annotations

import json
import sys

from bot.commands import load_all
from bot.commands.parser import LONG_PREFIX

BODY = "toJSON(github.event.comment.body)"


def names() -> list[str]:
    """Every command name and the long form, without names another one already covers as a prefix."""
    every = sorted({*load_all(), LONG_PREFIX})
    return [n for n in every if not any(n != o and n.startswith(o) for o in every)]


def condition() -> str:
    """The expression (without `${{ }}`), one command per line, for a folded (`>-`) YAML scalar."""
    clauses = [f"startsWith({BODY}, '\"/{n}') || contains({BODY}, '\\n/{n}')" for n in names()]
    return "github.event.comment.user.type != 'Bot' && (\n" + " ||\n".join(clauses) + ")"


def matches(body: str) -> bool:
    """What GitHub evaluates `condition()` to for a comment by a person (for tests and docs)."""
    text = json.dumps(body).lower()
    return any(text.startswith(f'"/{n}') or f"\\n/{n}" in text for n in names())


def main() -> int:
    print(condition())
    return 0


if __name__ == "__main__":
    sys.exit(main())
