"""Small helpers the command modules share (no commands here)."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from bot.commands import CommandReply, CommandRequest
from bot.models import RoutingDecision, Tier
from bot.issues.render import money
from bot.issues.service import route_issue

if TYPE_CHECKING:
    from bot.context import Context


def summary(d: RoutingDecision) -> str:
    return (
        f"**{d.tier.value}** (`{d.model}`), complexity **{d.complexity.value}**, "
        f"confidence {d.confidence:.2f}, estimated {money(d.estimated_cost_usd)} "
        f"(no routing {money(d.baseline_cost_usd)})"
    )


def choices(values) -> str:
    return " | ".join(v.value for v in values)


def override(req: CommandRequest, ctx: "Context", kind: type[Enum]) -> CommandReply:
    """`/model <tier>` and `/complexity <level>`: record a person's choice, then route with it forced."""
    field = "tier" if kind is Tier else "complexity"
    try:
        value = kind(req.inv.args[0].lower() if req.inv.args else "")
    except ValueError:
        return CommandReply(body=f"Usage: `/{req.inv.name} {choices(kind)}`.", reaction="confused")
    # Recorded first, so routing sees it as this person's choice (and keeps it on later re-routes).
    before = ctx.store.current(ctx.repo, req.number)
    ctx.store.record_override(
        ctx.repo, req.number, field=field, old=before[field] if before else None, new=value.value, by=req.sender
    )
    forced = {"forced_tier": value} if kind is Tier else {"forced_complexity": value}
    res = route_issue(ctx, req.number, by=req.sender, **forced)
    if res.decision is None:
        return CommandReply(body="Could not apply the override: " + "; ".join(res.messages), reaction="confused")
    raised = kind is Tier and res.decision.tier is not value
    note = f" ({'; '.join(res.decision.notes) or 'raised by a routing rule'})" if raised else ""
    return CommandReply(body=f"Override by @{req.sender}: {summary(res.decision)}{note}.")


