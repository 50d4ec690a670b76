"""docs/action.md's Inputs and Outputs tables list exactly what action.yml declares, with its defaults."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
DOC = (ROOT / "docs" / "action.md").read_text()


def _table(heading: str) -> dict[str, list[str]]:
    section = DOC.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"^\| `([a-z-]+)` \|(.*)\|$", line)
        if m:
            rows[m.group(1)] = [c.strip() for c in m.group(2).split("|")]
    return rows


def test_every_input_is_documented_with_its_default():
    rows = _table("Inputs")
    assert set(rows) == set(ACTION["inputs"])
    for name, spec in ACTION["inputs"].items():
        default = str(spec.get("default", ""))
        shown = rows[name][0].strip("`")
        assert shown == (default or "—"), (name, shown, default)


def test_every_output_is_documented():
    assert set(_table("Outputs")) == set(ACTION["outputs"])
