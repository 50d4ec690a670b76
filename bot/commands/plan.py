"""`/plan`: Sonnet plans, Haiku executes — a planning run whose plan a haiku run then carries out.

The executor workflow runs with `mode=plan` on the sonnet tier and must end with a plan (its final
result text, or a `plan.md` in the uploaded artifact). When that run succeeds, the workflow_run
handler posts the plan on the issue and dispatches a `mode=execute` run on the haiku tier with the
plan as its `plan` input; a failed haiku run escalates like any other run.
"""

from __future__ import annotations

from bot.runs import executor
from bot.commands import CommandReply, CommandRequest, command
from bot.commands.dispatch import reply_for
from bot.context import Context


@command(
    "plan",
    usage="/plan",
    description="Sonnet writes a step-by-step plan, then a haiku run executes it (two executor runs).",
    who="write",
    examples=("/plan",),
)
def run(req: CommandRequest, ctx: Context) -> CommandReply:
    res = executor.start_run(ctx, req.number, cause=f"comment:{req.comment_id}", by=req.sender, mode="plan", comment_id=req.comment_id)
    reply = reply_for(res)
    if res.started:
        reply.body += "\n\nWhen the plan is ready it is posted here and a haiku run executes it."
    return reply
