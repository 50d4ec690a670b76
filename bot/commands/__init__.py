"""Slash-command registry: each command module declares its help beside its code.

A command module defines one `Command` and decorates its run function with `@command(...)`.
`/help` and the command table in docs/commands.md are generated from `REGISTRY`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from bot.context import Context


# Who may use a command: "anyone", "write" (write/maintain/admin), "admin".
ROLES = ("anyone", "write", "admin")


@dataclass(frozen=True)
class Invocation:
    """One parsed command line in a comment."""

    name: str
    args: list[str]
    line: str  # the raw line, quoted in replies


@dataclass
class CommandRequest:
    inv: Invocation
    repo: str
    number: int  # issue or PR number
    is_pull_request: bool
    comment_id: int
    sender: str
    payload: dict  # the whole webhook payload (untrusted text inside)


@dataclass
class CommandReply:
    body: str = ""
    reaction: str | None = None  # "eyes", "rocket", "confused", "+1"


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    description: str
    who: str  # one of ROLES
    examples: tuple[str, ...] = ()
    pr_only: bool = False
    run: Callable[["CommandRequest", "Context"], CommandReply] = field(compare=False, default=None)  # type: ignore[assignment]


REGISTRY: dict[str, Command] = {}


def command(name: str, *, usage: str, description: str, who: str, examples: tuple[str, ...] = (), pr_only: bool = False):
    assert who in ROLES, who

    def deco(fn: Callable[[CommandRequest, "Context"], CommandReply]):
        REGISTRY[name] = Command(name, usage, description, who, examples, pr_only, fn)
        return fn

    return deco


def load_all() -> dict[str, Command]:
    """Import every module of this package so each registers its commands (other helpers' too)."""
    import importlib
    import pkgutil

    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{mod.name}")
    return REGISTRY
