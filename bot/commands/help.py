"""`/help`: the command table, generated from each command's declaration."""

from __future__ import annotations

from bot.commands import REGISTRY, CommandReply, CommandRequest, command, load_all
from bot.context import Context

WHO = {"anyone": "anyone", "write": "write access", "admin": "admins"}


def table() -> str:
    """The Markdown table of every registered command (also the table in docs/commands.md)."""
    load_all()
    lines = ["| command | what it does | who | example |", "|---|---|---|---|"]
    for name in sorted(REGISTRY):
        c = REGISTRY[name]
        where = " (pull requests)" if c.pr_only else ""
        example = ", ".join(f"`{e}`" for e in c.examples[:2])
        row = [f"`{c.usage}`", c.description + where, WHO[c.who], example]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines)


@command(
    "help",
    usage="/help",
    description="List the commands.",
    who="anyone",
    examples=("/help", "/model-router help"),
)
def run(req: CommandRequest, ctx: Context) -> CommandReply:
    return CommandReply(
        body="Commands go at the start of a line in a comment (several allowed; also `/model-router <command>`):\n\n" + table()
    )
