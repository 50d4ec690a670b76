"""Action mode keeps no store between jobs: recover people's routing overrides from the issue itself.

The App remembers which `model:`/`complexity:` labels a person chose; a fresh Action job does not,
and would re-route over them. What the router last said is in its sticky comment (tier, complexity,
strategy), and the labels show what is in effect now: a label that differs from what the router said,
a router label that is gone, or a comment whose strategy was a label or an override, is a person's
choice. Recording those as overrides in the job's scratch store lets the shared handlers treat them
exactly as the App does (never fought; edits no longer re-route).
"""

from __future__ import annotations

import re

from bot.handlers.context import Context

BY = "a person (recovered from the issue's labels)"
_ROW = re.compile(r"^\|\s*(Tier|Complexity|Strategy)\s*\|\s*(.+?)\s*\|\s*$", re.MULTILINE)
_HUMAN_STRATEGIES = {"tier": {"model label", "override"}, "complexity": {"complexity label", "override"}}


def said(body: str) -> dict[str, str]:
    """tier / complexity / strategy as the router's comment shows them."""
    out: dict[str, str] = {}
    for key, value in _ROW.findall(body):
        first = re.sub(r"[*`]", "", value).split("—")[0].strip().lower()
        out[key.lower()] = first
    return out


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


def recover_overrides(ctx: Context, number: int, labels: list[str]) -> list[str]:
    """Record the person-chosen fields in the scratch store; returns them as `field=value` strings."""
    from bot import sticky
    from bot.handlers.issues import REMOVED
    from bot.labels import COMPLEXITY, TIER, field_of

    if ctx.store.overrides(ctx.repo, number) or ctx.store.current(ctx.repo, number):
        return []  # this job already knows the issue
    comment = sticky.find(ctx, number)
    if comment is None:
        return []
    shown = said(comment.body)
    now: dict[str, str] = {}
    for name in labels:
        managed = field_of(name, ctx.config)
        if managed:
            now[managed[0]] = managed[1]
    recovered = []
    for field in (TIER, COMPLEXITY):
        router = shown.get(field)
        if not router:
            continue
        if now.get(field, REMOVED) != router:
            new, old = now.get(field, REMOVED), router
        elif shown.get("strategy") in _HUMAN_STRATEGIES[field]:
            new, old = router, None
        else:
            continue
        ctx.store.record_override(ctx.repo, number, field=field, old=old, new=new, by=BY)
        recovered.append(f"{field}={new}")
    return recovered
