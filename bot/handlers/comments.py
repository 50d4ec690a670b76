"""issue_comment.created → the comment's slash-commands (bot.commands.replies)."""

from __future__ import annotations

from bot.commands import replies
from bot.context import Context, Result
from bot.handlers.registry import is_bot, register


@register("issue_comment", "created")
def handle(payload: dict, ctx: Context) -> Result:
    author = (payload.get("comment") or {}).get("user") or {}
    if is_bot(author):  # handle_event checks the sender; the author may differ
        return Result(action="ignored", messages=["comment by a bot"])
    if str(author.get("login", "")).lower() == ctx.gh.bot_login().lower():
        # With a personal token the bot posts as a User: its own comments (plans, replies) are never commands.
        return Result(action="ignored", messages=["comment by model-router itself"])
    return replies.answer(ctx, payload)
