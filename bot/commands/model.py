"""`/model <tier>`: a human sets the tier; recorded as an override."""

from __future__ import annotations

from bot.commands import CommandReply, CommandRequest, command
from bot.commands._shared import choices, summary
from bot.handlers.context import Context
from bot.models import Tier


@command(
    "model",
    usage="/model haiku|sonnet|opus",
    description="Override the routed tier; counts against routing accuracy.",
    who="write",
    examples=("/model sonnet", "/model-router model opus"),
)
def run(req: CommandRequest, ctx: Context) -> CommandReply:
    from bot.handlers.issues import route_issue

    arg = req.inv.args[0].lower() if req.inv.args else ""
    try:
        tier = Tier(arg)
    except ValueError:
        return CommandReply(body=f"Usage: `/model {choices(Tier)}`.", reaction="confused")
    # Recorded first, so routing sees it as this person's choice (and keeps it on later re-routes).
    before = ctx.store.current(ctx.repo, req.number)
    old = before["tier"] if before else None
    ctx.store.record_override(ctx.repo, req.number, field="tier", old=old, new=tier.value, by=req.sender)
    res = route_issue(ctx, req.number, forced_tier=tier, by=req.sender)
    if res.decision is None:
        return CommandReply(body="Could not apply the override: " + "; ".join(res.messages), reaction="confused")
    note = "" if res.decision.tier is tier else f" ({'; '.join(res.decision.notes) or 'raised by a routing rule'})"
    return CommandReply(body=f"Override by @{req.sender}: {summary(res.decision)}{note}.")
