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


# --- packages: bot/ with its subpackages collapsed -------------------------------------------------------

SERVICES = ("bot.issues", "bot.review", "bot.runs", "bot.convoy", "bot.classifier", "bot.permissions")
ADAPTERS = ("bot.handlers", "bot.commands", "bot.action", "bot.app", "bot.cli", "bot.worker", "bot.dashboard")


def package(module: str) -> str:
    """A module's node in the package graph: its subpackage (`bot.store.issues` → `bot.store`); a top-level
    module (`bot.models`, `bot.context`, `bot.catalog`, `bot.metrics`, ...) is a node of its own."""
    return ".".join(module.split(".")[:2])


def package_graph(modules=MODULES, imports_of=imports) -> dict[str, set[str]]:
    """Which package imports which (function-level imports counted; `bot` itself, an empty root, left out)."""
    graph: dict[str, set[str]] = {}
    for module in modules:
        if module == "bot":
            continue
        node = graph.setdefault(package(module), set())
        node.update(package(m) for m in imports_of(module) if m != "bot" and package(m) != package(module))
    return graph


def test_packages_form_no_cycle():
    graph = package_graph()
    assert cycles(graph) == [], "surfaces → services → core and ports: an import back up closes a loop"


def test_the_package_graph_collapses_subpackages():
    graph = package_graph(["bot.a.x", "bot.a.y", "bot.b", "bot.c.z"],
                          {"bot.a.x": {"bot.a.y", "bot.b"}, "bot.a.y": {"bot.c.z"}, "bot.b": set(),
                           "bot.c.z": {"bot.a.x"}}.__getitem__)
    assert graph == {"bot.a": {"bot.b", "bot.c"}, "bot.b": set(), "bot.c": {"bot.a"}}
    assert cycles(graph) == [["bot.a", "bot.c"]]


def _reaching(prefix: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for module in MODULES:
        if module == prefix or module.startswith(prefix + "."):
            bad = sorted(m for m in imports(module) if m.startswith(forbidden))
            if bad:
                found[module] = bad
    return found


def test_the_store_imports_no_service():
    """The store keeps its own record types; services map them (never the other way round)."""
    assert _reaching("bot.store", SERVICES + ADAPTERS) == {}


def test_the_router_imports_no_service_or_store():
    """bot.routing is the pure core: no service, no store, no port."""
    assert _reaching("bot.routing", SERVICES + ADAPTERS + ("bot.store", "bot.github", "bot.llm")) == {}


# --- narrow ports: each service package calls only the slices of GitHub and of the store it declares -------

SLICED = ("bot.issues", "bot.review", "bot.runs", "bot.convoy")


def port_calls(sources) -> dict[str, set[str]]:
    """What code calls on `….gh` / `gh` and on `….store`: {"gh": methods, "store": methods}."""
    found: dict[str, set[str]] = {"gh": set(), "store": set()}
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Attribute):
                continue
            on = node.value
            name = on.attr if isinstance(on, ast.Attribute) else on.id if isinstance(on, ast.Name) else None
            if name == "gh" or (name == "store" and isinstance(on, ast.Attribute)):
                found[name].add(node.attr)
    return found


def test_port_calls_finds_what_a_service_asks_for():
    code = "def f(ctx, gh):\n    ctx.gh.get_issue(1)\n    gh.bot_login()\n    ctx.store.decision(1)\n    store(ctx).load(1)\n"
    assert port_calls([code]) == {"gh": {"get_issue", "bot_login"}, "store": {"decision"}}


@pytest.mark.parametrize("package", SLICED)
def test_a_service_calls_only_the_slices_it_declares(package):
    import importlib

    from bot.github.port import port_methods

    pkg = importlib.import_module(package)
    sources = [MODULES[m].read_text(encoding="utf-8") for m in MODULES if m == package or m.startswith(package + ".")]
    calls = port_calls(sources)
    assert calls["gh"] <= port_methods(pkg.GitHub), f"add the slice to {package}.GitHub: {calls['gh'] - port_methods(pkg.GitHub)}"
    assert calls["store"] <= port_methods(pkg.Store), f"add the slice to {package}.Store: {calls['store'] - port_methods(pkg.Store)}"


def test_the_slices_make_up_the_whole_ports():
    """GitHubPort and StorePort are their slices and nothing else; both stores and every GitHub adapter keep
    every method of them, with the same parameters."""
    import inspect

    from bot.github.port import GitHubPort, port_methods
    from bot.github.rest import RestGitHub
    from bot.simulator.github_memory import MemoryGitHub
    from bot.store.issues import IssueStore
    from bot.store.memory import MemoryIssueStore
    from bot.store.ports import StorePort

    def params(cls, name):
        return list(inspect.signature(getattr(cls, name)).parameters)

    store = port_methods(StorePort) - {"clock"}  # the stores' clock is a callable attribute, not a method
    assert store == {n for n, f in inspect.getmembers(IssueStore, inspect.isfunction) if not n.startswith("_")}
    for cls in (IssueStore, MemoryIssueStore):
        assert [n for n in sorted(store) if params(cls, n) != params(StorePort, n)] == [], cls
    for cls in (RestGitHub, MemoryGitHub):
        assert [n for n in sorted(port_methods(GitHubPort)) if params(cls, n) != params(GitHubPort, n)] == [], cls
