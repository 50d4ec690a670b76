"""Action mode keeps no store between jobs: recover the issue's routing, people's overrides and runs from it.

The App remembers which `model:`/`complexity:` labels a person chose and which executor runs it
started; a fresh Action job does not. The router's sticky comment carries a hidden state line
(`bot.issues.state`: the decision, people's overrides, the runs), trusted only in the comment
`bot.issues.sticky.find` returns (marker AND the bot's own login).

The labels show what is in effect now: a label that differs from what the comment recorded, or a
router label that is gone, is a person's choice made since. Everything recovered goes into the job's
scratch store, so the shared handlers treat it exactly as the App does (overrides never fought, edits
no longer re-route, budgets and the concurrent-run cap count this issue's earlier runs).
"""

from __future__ import annotations

from bot.context import Context
from bot.issues import sticky
from bot.issues.labels import COMPLEXITY, TIER, field_of
from bot.issues.state import STATE_PREFIX, IssueState, decode, issue_key
from bot.issues.service import REMOVED
from bot.models import RoutingDecision

BY = "a person (recovered from the issue's labels)"
_HUMAN_STRATEGIES = {"tier": {"model label", "override"}, "complexity": {"complexity label", "override"}}


def labels_before(payload: dict) -> list[str]:
    """The issue's labels before this event (a labeled/unlabeled event is the handler's own business)."""
    issue = payload.get("issue") or {}
    names = [lb.get("name") if isinstance(lb, dict) else lb for lb in issue.get("labels") or []]
    names = [n for n in names if isinstance(n, str)]
    label = (payload.get("label") or {}).get("name")
    if label and payload.get("action") == "labeled":
        names = [n for n in names if n != label]
    elif label and payload.get("action") == "unlabeled" and label not in names:
        names.append(label)
    return names


def recover(ctx: Context, number: int, labels: list[str]) -> list[str]:
    """Fill the scratch store from the sticky comment; returns people's choices as `field=value` strings."""
    if ctx.store.overrides(ctx.repo, number) or ctx.store.current(ctx.repo, number):
        return []  # this job already knows the issue
    comment = sticky.find(ctx, number)
    if comment is None:
        return []
    state = decode(comment.body, issue_key(ctx.state_key, ctx.repo, number))
    if state is None:  # absent, unreadable, or (with a state-key) not signed by us: trust nothing in it
        if ctx.state_key is not None and STATE_PREFIX in comment.body:
            ctx.notes.append("The sticky comment's state line is not signed with this repository's state-key "
                             "(edited by hand?), so it was ignored.")
        return []
    recovered = _overrides(ctx, number, labels, state)
    if state.decision is not None:  # an unreadable decision only costs the App-like record, not the overrides
        _restore_decision(ctx, number, state.decision)
    for run in state.runs:
        ctx.store.restore_run(ctx.repo, number, run, by="(recovered)")
    return recovered


def _overrides(ctx: Context, number: int, labels: list[str], shown: IssueState) -> list[str]:
    people = shown.overrides
    now: dict[str, str] = {}
    for name in labels:
        managed = field_of(name, ctx.config)
        if managed:
            now[managed[0]] = managed[1]
    strategy = (shown.strategy or "").replace("_", " ")
    recovered = []
    for field in (TIER, COMPLEXITY):
        router = getattr(shown, field)
        if not router:
            continue
        chosen = people.get(field)
        if chosen is None and strategy in _HUMAN_STRATEGIES[field]:
            chosen = router  # a person's label or command decided the last routing
        changes = []
        if chosen:
            changes.append((None if chosen == router else router, chosen))
        expected = chosen or router  # what the labels show if nobody touched them since
        if now.get(field, REMOVED) != expected:
            changes.append((expected, now.get(field, REMOVED)))
        for old, new in changes:
            ctx.store.record_override(ctx.repo, number, field=field, old=old, new=new, by=BY)
        if changes:
            recovered.append(f"{field}={changes[-1][1]}")
    return recovered


def _restore_decision(ctx: Context, number: int, decision: RoutingDecision,
                      features: tuple[int, ...] | None = None) -> None:
    source = "override" if decision.strategy.value == "override" else "auto"
    ctx.store.record_decision(ctx.repo, number, decision, source=source, features=features)
