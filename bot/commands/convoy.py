"""`/convoy`, `/convoy cancel`, `/convoy retry <task>`: show, stop or resume the issue's convoy."""

from __future__ import annotations

from bot.commands import CommandReply, CommandRequest, command
from bot.context import Context
from bot.convoy import render, service
from bot.permissions import allowed

USAGE = "Usage: `/convoy`, `/convoy cancel` or `/convoy retry <task>`."


@command(
    "convoy",
    usage="/convoy [cancel | retry <task>]",
    description="Show the convoy's checklist; `cancel` stops dispatching (runs in flight finish); "
    "`retry <task>` re-dispatches one failed task (write access for both).",
    who="anyone",
    examples=("/convoy", "/convoy cancel", "/convoy retry 3"),
)
def run(req: CommandRequest, ctx: Context) -> CommandReply:
    convoy = service.load(ctx, req.number)
    if convoy is None:
        return CommandReply(body="This issue has no convoy; `/plan` starts one.", reaction="confused")
    args = [a.lower() for a in req.inv.args]
    if not args:
        return CommandReply(body=render.checklist(convoy).replace(render.MARKER, "").strip())
    if args[0] not in ("cancel", "retry") or (args[0] == "retry") != (len(args) == 2) or len(args) > 2:
        return CommandReply(body=USAGE, reaction="confused")
    if not allowed(ctx, req.sender, "write"):
        return CommandReply(body=f"`/convoy {args[0]}` needs write access to this repository.", reaction="confused")
    if args[0] == "cancel":
        return CommandReply(body=service.cancel(ctx, req.number), reaction="+1")
    return CommandReply(body=service.retry(ctx, req.number, req.inv.args[1]), reaction="+1")
