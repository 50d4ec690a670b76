"""Release check and notes: the tag, pyproject's version and a CHANGELOG section must agree.

    python scripts/release_notes.py v1.2.3 > notes.md   # exit 2 with one line when they do not

Prints the CHANGELOG section of that version (the release notes) and, on stderr, the major tag to move.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TAG = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")


class ReleaseError(Exception):
    """The tag, the version and the changelog disagree."""


def notes(tag: str, root: Path = ROOT) -> tuple[str, str]:
    """(release notes, major tag) for `tag`, or ReleaseError naming what is wrong."""
    m = TAG.match(tag)
    if not m:
        raise ReleaseError(f"tag {tag!r} is not vX.Y.Z")
    version = tag[1:]
    declared = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    if declared != version:
        raise ReleaseError(f"pyproject.toml says version {declared}, the tag says {version}")
    text = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    section = re.search(rf"^## \[{re.escape(version)}\][^\n]*\n(.*?)(?=^## \[|\Z)", text, re.M | re.S)
    if not section or not section.group(1).strip():
        raise ReleaseError(f"CHANGELOG.md has no '## [{version}]' section with notes")
    return section.group(1).strip() + "\n", f"v{m.group(1)}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: release_notes.py vX.Y.Z", file=sys.stderr)
        return 2
    try:
        text, major = notes(argv[0])
    except ReleaseError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    print(major, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
