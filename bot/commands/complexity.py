"""`/complexity <level>`: a human sets the complexity; recorded as an override."""

from __future__ import annotations

from bot.commands import CommandReply, CommandRequest, command
from bot.commands._shared import override
from bot.context import Context
from bot.models import Complexity


@command(
    "complexity",
    usage="/complexity trivial|simple|standard|complex",
    description="Override the estimated complexity (the tier follows it unless a tier was forced).",
    who="write",
    examples=("/complexity complex",),
)
def run(req: CommandRequest, ctx: Context) -> CommandReply:
    return override(req, ctx, Complexity)
