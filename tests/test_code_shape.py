"""The shape of bot/'s code: few long functions (a long one is split where that makes it clearer)."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"
LONG = 50  # lines, `def` to the last line
MAX_LONG = 3


def long_functions(root: Path = BOT, limit: int = LONG) -> dict[str, int]:
    """`path:function` → lines, for every function in root/**/*.py (migrations aside) longer than `limit`."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.relative_to(root).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > limit:
                    out[f"{path.relative_to(root)}:{node.name}"] = lines
    return out


def test_at_most_three_functions_over_fifty_lines():
    found = long_functions()
    assert len(found) <= MAX_LONG, f"{len(found)} functions over {LONG} lines: {found}"


def test_the_measure_counts_def_to_last_line(tmp_path):
    (tmp_path / "m.py").write_text("def f():\n" + "    x = 1\n" * 50 + "\n\ndef g():\n    pass\n")
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "v.py").write_text("def h():\n" + "    x = 1\n" * 60)
    assert long_functions(tmp_path) == {"m.py:f": 51}
