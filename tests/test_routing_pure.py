"""#36: routing reads no file: the ladder objective's priors come from the shell with the Knowledge (the stores pass
`bot.priors.load_ladder_priors`, called on first use), never from a loader bot/routing calls itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.priors import load_ladder_priors
from bot.routing.ladder import LadderStats
from bot.routing.learning import Knowledge
from bot.store.memory import MemoryIssueStore


def _runtime_imports(path: Path) -> set[str]:
    """Modules `path` imports outside `if TYPE_CHECKING:` blocks (imports inside functions count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and getattr(block.test, "id", "") == "TYPE_CHECKING" for n in ast.walk(block)}
    return {node.module or "" for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and id(node) not in typing_only}


def test_no_routing_module_loads_the_priors_itself():
    loaders = {p.name for p in Path("bot/routing").glob("*.py") if "bot.priors" in _runtime_imports(p)}
    assert loaders == set()


def test_the_priors_are_the_ones_the_shell_passes():
    priors = load_ladder_priors()
    assert Knowledge(priors=priors).ladders.priors is priors
    assert Knowledge(priors=load_ladder_priors).ladders.priors is priors  # a loader: called on first use
    with pytest.raises(LookupError):
        LadderStats().priors  # none given: routing does not go and read the file


def test_the_stores_knowledge_carries_the_dated_priors():
    assert MemoryIssueStore().knowledge().ladders.priors is load_ladder_priors()
