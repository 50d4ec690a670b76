"""`/dispatch [tier]`: start the executor workflow on the routed (or given) tier's model."""

from __future__ import annotations

from bot.runs import executor
from bot.commands import CommandReply, CommandRequest, command
from bot.commands._shared import choices
from bot.context import Context
from bot.models import Tier


@command(
    "dispatch",
    usage=f"/dispatch [{'|'.join(t.value for t in Tier)}]",
    description="Run the executor workflow on the routed model (or the given tier), within the repository's budgets.",
    who="write",
    examples=("/dispatch", "/dispatch sonnet"),
)
def run(req: CommandRequest, ctx: Context) -> CommandReply:
    tier = None
    if req.inv.args:
        try:
            tier = Tier(req.inv.args[0].lower())
        except ValueError:
            return CommandReply(body=f"Usage: `/dispatch [{choices(Tier)}]`.", reaction="confused")
    res = executor.start_run(ctx, req.number, cause=f"comment:{req.comment_id}", by=req.sender, tier=tier, comment_id=req.comment_id)
    return reply_for(res)


def reply_for(res: executor.DispatchResult) -> CommandReply:
    body = "\n\n".join([res.message, *res.notes])
    reaction = {"dispatched": "rocket", "duplicate": None}.get(res.status, "confused")
    return CommandReply(body=body, reaction=reaction)
