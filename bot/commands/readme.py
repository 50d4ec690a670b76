"""`python -m bot.commands.readme`: regenerate the command table in docs/commands.md from the registry."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.commands.help import table

DOC = Path(__file__).resolve().parents[2] / "docs" / "commands.md"
BEGIN = "<!-- commands-table -->"
END = "<!-- /commands-table -->"


def render(text: str) -> str:
    """`text` with the block between the table markers replaced by the current table."""
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + table() + "\n" + text[end:]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    path = Path(argv[0]) if argv else DOC
    text = path.read_text(encoding="utf-8")
    try:
        new = render(text)
    except ValueError:
        print(f"{path}: no {BEGIN} … {END} block", file=sys.stderr)
        return 2
    if new != text:
        path.write_text(new, encoding="utf-8")
        print(f"{path}: command table updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
