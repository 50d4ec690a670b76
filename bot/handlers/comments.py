"""issue_comment.created → the comment's slash-commands (bot.commands.replies)."""

from __future__ import annotations

from bot.commands import replies
from bot.context import Context, Result
from bot.handlers.registry import is_bot, register


@register("issue_comment", "created")
def handle(payload: dict, ctx: Context) -> Result:
    if is_bot((payload.get("comment") or {}).get("user") or {}):  # handle_event checks the sender; the author may differ
        return Result(action="ignored", messages=["comment by a bot"])
    return replies.answer(ctx, payload)
