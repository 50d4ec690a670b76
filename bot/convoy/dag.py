"""Pure dependency-graph rules for a convoy: cycles, order, and which tasks may start now."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

DONE = frozenset({"done", "closed"})  # a task a person closed counts as done
IN_FLIGHT = frozenset({"running"})


def find_cycle(deps: Mapping[str, Sequence[str]]) -> list[str] | None:
    """One dependency cycle as a path that returns to its start (`a → b → a`), or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {n: WHITE for n in deps}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        colour[n] = GREY
        stack.append(n)
        for m in deps.get(n, ()):
            if m not in colour:
                continue
            if colour[m] == GREY:
                return stack[stack.index(m):] + [m]
            if colour[m] == WHITE and (found := visit(m)):
                return found
        stack.pop()
        colour[n] = BLACK
        return None

    for n in deps:
        if colour[n] == WHITE and (found := visit(n)):
            return found
    return None


def topo_order(deps: Mapping[str, Sequence[str]]) -> list[str]:
    """Tasks so that each follows its dependencies; ties keep the plan's order. Assumes no cycle."""
    order: list[str] = []
    placed: set[str] = set()
    pending = list(deps)
    while pending:
        for n in pending:
            if all(d in placed or d not in deps for d in deps[n]):
                order.append(n)
                placed.add(n)
                pending.remove(n)
                break
        else:
            raise ValueError("dependency cycle")
    return order


def ready(deps: Mapping[str, Sequence[str]], status: Mapping[str, str]) -> list[str]:
    """Pending tasks whose every dependency is done, in dependency order."""
    return [n for n in topo_order(deps) if status.get(n) == "pending" and all(status.get(d) in DONE for d in deps[n])]


def to_dispatch(deps: Mapping[str, Sequence[str]], status: Mapping[str, str], *, in_flight: int, cap: int) -> list[str]:
    """The ready tasks to start now: as many as the concurrency cap leaves room for."""
    room = max(0, cap - in_flight)
    return ready(deps, status)[:room]


def blocked(deps: Mapping[str, Sequence[str]], status: Mapping[str, str]) -> list[str]:
    """Pending tasks that can never start because a dependency failed or was cancelled."""
    dead = {n for n, s in status.items() if s in ("failed", "cancelled")}
    changed = True
    while changed:
        changed = False
        for n in deps:
            if n not in dead and status.get(n) == "pending" and any(d in dead for d in deps[n]):
                dead.add(n)
                changed = True
    return [n for n in deps if n in dead and status.get(n) == "pending"]


def finished(status: Mapping[str, str]) -> bool:
    return bool(status) and all(s in DONE for s in status.values())
