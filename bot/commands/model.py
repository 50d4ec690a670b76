"""`/model <tier>`: a human sets the tier; recorded as an override."""

from __future__ import annotations

from bot.commands import CommandReply, CommandRequest, command
from bot.commands._shared import override
from bot.context import Context
from bot.models import Tier


@command(
    "model",
    usage=f"/model {'|'.join(t.value for t in Tier)}",
    description="Override the routed tier; counts against routing accuracy.",
    who="write",
    examples=("/model sonnet", "/model-router model opus"),
)
def run(req: CommandRequest, ctx: Context) -> CommandReply:
    return override(req, ctx, Tier)
