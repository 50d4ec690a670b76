"""`/review`: run the Opus review gate again on the pull request's current head."""

from __future__ import annotations

from bot.commands import CommandReply, CommandRequest, command
from bot.context import Context
from bot.review import ReviewUnavailable
from bot.review.service import run_gate


@command(
    "review",
    usage="/review",
    description="Run the Opus security review again on the pull request's current head commit.",
    who="write",
    examples=("/review",),
    pr_only=True,
)
def run(req: CommandRequest, ctx: Context) -> CommandReply:
    try:
        res = run_gate(ctx, req.number, trigger="/review")
    except ReviewUnavailable as exc:
        return CommandReply(
            body=f"The review API is unavailable ({exc.reason}); the gate stays pending. Try `/review` again later.",
            reaction="confused",
        )
    text = "; ".join(res.messages) or res.action
    return CommandReply(body=f"Review gate on `{res.outputs.get('review_sha', '')[:12]}`: {text}", reaction="rocket")
