"""The package's shape: no import cycles in bot/, and nothing outside the simulator imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "bot"


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports(module: str, *, in_functions: bool = True) -> set[str]:
    """The bot modules `module` imports (TYPE_CHECKING blocks left out: they never run)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import) and (in_functions or not in_function):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom) and (in_functions or not in_function):
                base = child.module or ""
                if child.level:
                    up = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join(up + ([base] if base else []))
                names = [base] + [f"{base}.{a.name}" for a in child.names]
            else:
                visit(child, inside)
                continue
            for name in names:
                target = _resolve(name) if name.startswith("bot") else None
                if target and target != module:
                    found.add(target)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in graph:
        if v not in index:
            connect(v)
    return groups


def test_bot_has_no_import_cycles():
    graph = {m: imports(m) for m in MODULES}
    assert cycles(graph) == []


def test_the_cycle_check_can_fail():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("module", sorted(m for m in MODULES if not m.startswith("bot.simulator")))
def test_runtime_never_imports_the_simulator(module):
    assert not {m for m in imports(module) if m.startswith("bot.simulator")}


def test_domain_never_imports_adapters():
    """Services and the core never reach up into event handlers, slash-commands or Action modes."""
    adapters = ("bot.handlers", "bot.commands", "bot.action", "bot.app", "bot.cli")
    for module in MODULES:
        if module.startswith(adapters + ("bot.simulator", "bot.worker", "bot.__main__")):
            continue
        reached = {m for m in imports(module) if m.startswith(adapters)}
        assert not reached, f"{module} imports {sorted(reached)}"
