"""`/route`: route the issue again from scratch and update its labels and comment."""

from __future__ import annotations

from bot.commands import CommandReply, CommandRequest, command
from bot.commands._shared import summary
from bot.context import Context
from bot.issues.service import route_issue


@command(
    "route",
    usage="/route",
    description="Route this issue again (labels and the routing comment are updated).",
    who="write",
    examples=("/route",),
)
def run(req: CommandRequest, ctx: Context) -> CommandReply:
    res = route_issue(ctx, req.number, by=req.sender)
    if res.decision is None:
        return CommandReply(body="Could not route this issue: " + ("; ".join(res.messages) or res.action), reaction="confused")
    return CommandReply(body=f"Routed again: {summary(res.decision)}.")
