"""`/complexity <level>`: a human sets the complexity; recorded as an override."""

from __future__ import annotations

from bot.commands import CommandReply, CommandRequest, command
from bot.commands._shared import choices, summary
from bot.handlers.context import Context
from bot.models import Complexity


@command(
    "complexity",
    usage="/complexity trivial|simple|standard|complex",
    description="Override the estimated complexity (the tier follows it unless a tier was forced).",
    who="write",
    examples=("/complexity complex",),
)
def run(req: CommandRequest, ctx: Context) -> CommandReply:
    from bot.handlers.issues import route_issue

    arg = req.inv.args[0].lower() if req.inv.args else ""
    try:
        level = Complexity(arg)
    except ValueError:
        return CommandReply(body=f"Usage: `/complexity {choices(Complexity)}`.", reaction="confused")
    # Recorded first, so routing sees it as this person's choice (and keeps it on later re-routes).
    before = ctx.store.current(ctx.repo, req.number)
    old = before["complexity"] if before else None
    ctx.store.record_override(ctx.repo, req.number, field="complexity", old=old, new=level.value, by=req.sender)
    res = route_issue(ctx, req.number, forced_complexity=level, by=req.sender)
    if res.decision is None:
        return CommandReply(body="Could not apply the override: " + "; ".join(res.messages), reaction="confused")
    return CommandReply(body=f"Override by @{req.sender}: {summary(res.decision)}.")
