"""README stays a front door, and every relative link in README and docs/ resolves to a file in the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", *ROOT.glob("*.md"), *(ROOT / "docs").rglob("*.md")])
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def links(text: str) -> list[str]:
    return [m.group(1) for m in LINK.finditer(FENCE.sub("", text))]


def test_readme_is_a_front_door():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.encode()) <= 10_500, f"README.md is {len(text.encode())} bytes; move details to docs/"
    assert "make demo" in text and "make test" in text  # the two set-up commands of a fresh clone
    assert "docs/img/sticky-comment.png" in links(text)


@pytest.mark.parametrize("doc", sorted(set(DOCS)), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc: Path):
    broken = []
    for target in links(doc.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path = (doc.parent / target.split("#")[0]).resolve()
        if not path.exists() or ROOT not in path.parents:
            broken.append(target)
    assert not broken, f"{doc.relative_to(ROOT)}: links to missing files: {broken}"


def test_the_link_check_can_fail(tmp_path):
    assert links("see [x](docs/nope.md) and ![i](a.png)\n```\n[not](a link)\n```") == ["docs/nope.md", "a.png"]
