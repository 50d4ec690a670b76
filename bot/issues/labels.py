"""The router's labels: exactly one `model:*` and one `complexity:*` per issue; other labels untouched."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

from bot.config.schema import COMPLEXITY, TIER
from bot.github.port import GitHubError, Label
from bot.kept import Kept
from bot.models import RoutingDecision

if TYPE_CHECKING:
    from bot.config import RepoConfig
    from bot.context import Context

def field_of(label: str, config: "RepoConfig") -> tuple[str, str] | None:
    """`model:opus` → ("tier", "opus"); None for labels the router does not manage."""
    return config.labels.parse(label)


def wanted(decision: RoutingDecision, config: "RepoConfig") -> dict[str, str]:
    return {
        TIER: config.labels.model_label(decision.tier),
        COMPLEXITY: config.labels.complexity_label(decision.complexity),
    }


class KnownLabels:
    """Per process, the label names each repository had when last listed, kept `ttl` seconds (bot.kept) or until a
    `label` delivery this process runs (bot.facts), so routing an issue does not list the repository's labels every
    time. A stale entry costs only a colour: add-labels creates a label the repository no longer has."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic):
        self._kept: Kept[frozenset[str]] = Kept(ttl, clock=clock)

    def get(self, repo: str) -> frozenset[str] | None:
        return self._kept.get(repo)

    def put(self, repo: str, names: set[str] | frozenset[str]) -> None:
        self._kept.put(repo, "", frozenset(names))

    def add(self, repo: str, name: str) -> None:
        self._kept.amend(repo, "", lambda names: names | {name.lower()})

    def forget(self, repo: str) -> None:
        self._kept.forget(repo)


def _repo_labels(ctx: "Context", names: list[str]) -> frozenset[str]:
    known = ctx.known_labels.get(ctx.repo) if ctx.known_labels is not None else None
    if known is not None and all(name.lower() in known for name in names):
        return known
    have = frozenset(label.name.lower() for label in ctx.gh.list_repo_labels(ctx.repo))
    if ctx.known_labels is not None:
        ctx.known_labels.put(ctx.repo, have)
    return have


def ensure_exist(ctx: "Context", names: list[str]) -> list[str]:
    """Create the missing ones with the configured colour and description; returns those created."""
    if not names:
        return []
    have = _repo_labels(ctx, names)
    specs = {name.lower(): spec for name, spec in ctx.config.label_specs().items()}
    created = []
    for name in names:
        if name.lower() in have:
            continue
        spec = specs.get(name.lower())
        label = Label(name=name, color=spec.color, description=spec.description or None) if spec else Label(name=name)
        try:
            ctx.gh.create_label(ctx.repo, label)
        except GitHubError as exc:
            if exc.status != 422:  # 422 already_exists: another worker created it first
                raise
        if ctx.known_labels is not None:
            ctx.known_labels.add(ctx.repo, name)
        created.append(name)
    return created


def _confidence(value: float) -> str:
    return "high" if value >= 0.85 else "medium" if value >= 0.6 else "low"


def _add(ctx: "Context", number: int, names: list[str], decision: RoutingDecision) -> None:
    # The add-labels API takes an optional rationale/confidence per label.
    ctx.gh.add_labels(
        ctx.repo, number, names, rationale=decision.rationale[:500], confidence=_confidence(decision.confidence)
    )


def apply(
    ctx: "Context",
    number: int,
    decision: RoutingDecision,
    current: list[str],
    *,
    hands_off: frozenset[str] = frozenset(),
) -> tuple[list[str], list[str]]:
    """Add the decision's labels and remove other router labels; fields in `hands_off` are left alone
    (a person removed that label: never fight it). Returns (added, removed)."""
    config = ctx.config
    want = {f: name for f, name in wanted(decision, config).items() if f not in hands_off}
    have = {name.lower() for name in current}
    to_add = [name for name in want.values() if name.lower() not in have]
    want_lower = {name.lower() for name in want.values()}
    stale = []
    for name in current:
        managed = field_of(name, config)
        if managed and managed[0] not in hands_off and name.lower() not in want_lower:
            stale.append(name)
    if ctx.dry_run:
        return to_add, stale
    if to_add:
        ensure_exist(ctx, to_add)
        _add(ctx, number, to_add, decision)
    for name in stale:
        try:
            ctx.gh.remove_label(ctx.repo, number, name)
        except GitHubError as exc:
            if exc.status != 404:  # already gone
                raise
    return to_add, stale
