"""`/why`: the rule trace behind this issue's routing."""

from __future__ import annotations

from bot.commands import CommandReply, CommandRequest, command
from bot.context import Context
from bot.routing import explain


@command(
    "why",
    usage="/why",
    description="Explain which rules decided the tier and complexity.",
    who="anyone",
    examples=("/why",),
)
def run(req: CommandRequest, ctx: Context) -> CommandReply:
    decision = ctx.store.decision(ctx.repo, req.number)
    if decision is None:
        return CommandReply(body="This issue has not been routed yet; someone with write access can run `/route`.")
    overrides = ctx.store.overrides(ctx.repo, req.number)
    text = explain(decision)
    if overrides:
        text += "\n\nOverrides: " + "; ".join(f"{o['field']} {o['old'] or '-'} → {o['new']} by @{o['by']}" for o in overrides)
    return CommandReply(body=text)
