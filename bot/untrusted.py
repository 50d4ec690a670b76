"""How untrusted or model-written text appears in what the bot posts: inert, never a mention or a command.

Issue, comment, PR, diff, artifact and plan text, and everything a model wrote about them, is data. The
command parser ignores code blocks and quotes (bot.commands.parser), so text shown through `fenced` or
`quoted` can never start a slash-command line, and `defuse` keeps it from pinging people or teams.
"""

from __future__ import annotations

import re

_MENTION = re.compile(r"@(?=[A-Za-z0-9-])")


def defuse(text: str) -> str:
    """No @mention in `text` notifies anyone."""
    return _MENTION.sub("@\u200b", text)


def fenced(text: str, limit: int = 4_000) -> str:
    """A code block: no markup, no mentions; the fence is longer than any backtick run, so text cannot close it."""
    body = defuse(text[:limit])
    fence = "```"
    while fence in body:
        fence += "`"
    return f"{fence}text\n{body}\n{fence}"


def quoted(text: str) -> str:
    """Prose as a block quote: it renders, but no line of it can read as a slash-command."""
    lines = defuse(text.replace("\r\n", "\n")).split("\n")
    return "\n".join("> " + line if line.strip() else ">" for line in lines)
