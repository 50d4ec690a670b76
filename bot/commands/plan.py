"""`/plan`: start a convoy — Sonnet plans and splits the issue into sub-issues that cheaper tiers execute.

The executor workflow runs with `mode=plan` on the sonnet tier and answers with a plan that fits the
shipped schema (uploaded as `model-router-plan.json`; a plain-text plan is one task). When that run
succeeds, bot.convoy creates one sub-issue per task and dispatches them in dependency order.
"""

from __future__ import annotations

from bot.runs import executor
from bot.commands import CommandReply, CommandRequest, command
from bot.commands.dispatch import reply_for
from bot.context import Context


@command(
    "plan",
    usage="/plan",
    description="Start a convoy: Sonnet splits the issue into sub-issues, run in dependency order on the cheapest adequate tier.",
    who="write",
    examples=("/plan",),
)
def run(req: CommandRequest, ctx: Context) -> CommandReply:
    res = executor.start_run(ctx, req.number, cause=f"comment:{req.comment_id}", by=req.sender, mode="plan", comment_id=req.comment_id)
    reply = reply_for(res)
    if res.started:
        reply.body += "\n\nWhen the plan is ready, its tasks become sub-issues here and run in dependency order (see the convoy comment)."
    return reply
