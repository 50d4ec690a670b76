"""A comment's slash-commands: parse, check permission, run each, ONE reply quoting the commands."""

from __future__ import annotations

import logging

from bot.commands import REGISTRY, CommandReply, CommandRequest, Invocation, load_all
from bot.commands.parser import parse
from bot.github.limits import COMMENT_MAX_CHARS, fit
from bot.github.port import GitHubError
from bot.context import Context, Result
from bot.permissions import allowed, permission
from bot.untrusted import quoted

log = logging.getLogger(__name__)

REPLY_MARKER = "<!-- model-router:command-reply -->"
NEEDS = {"write": "write access", "admin": "admin access"}


def _quote(line: str) -> str:
    """The command line as typed (its arguments may be free text, e.g. a `/rate` note): quoted, no mention."""
    return quoted(line.replace("\n", " "))


def _run_one(inv: Invocation, req: CommandRequest, ctx: Context) -> CommandReply:
    cmd = REGISTRY.get(inv.name)
    if cmd is None or cmd.run is None:
        return CommandReply(body=f"I don't know `/{inv.name}`; `/help` lists the commands.", reaction="confused")
    if cmd.pr_only and not req.is_pull_request:
        return CommandReply(body=f"`/{cmd.name}` works on pull requests only.", reaction="confused")
    if not allowed(ctx, req.sender, cmd.who):
        have = permission(ctx, req.sender)
        return CommandReply(
            body=(
                f"Sorry @{req.sender}, `/{cmd.name}` needs {NEEDS.get(cmd.who, cmd.who)} to this repository "
                f"(you have `{have}`), so nothing was changed. A maintainer can run it for you."
            )
        )
    try:
        return cmd.run(req, ctx)
    except GitHubError as exc:
        if exc.transient:
            raise  # the job is retried; dispatches and the reply are idempotent
        log.warning("command /%s failed: %s", cmd.name, exc)
        return CommandReply(body=f"`/{cmd.name}` failed: GitHub answered {exc.status} ({exc.message}).", reaction="confused")


def answer(ctx: Context, payload: dict) -> Result:
    """Run the commands of an `issue_comment` payload (a person's comment) and reply once."""
    comment = payload.get("comment") or {}
    issue = payload.get("issue") or {}
    sender = payload.get("sender") or comment.get("user") or {}
    invocations = parse(comment.get("body"), known=load_all().keys())
    if not invocations:
        return Result(action="ignored", messages=["no command"])

    repo, number, comment_id = ctx.repo, int(issue["number"]), int(comment["id"])
    if not ctx.dry_run:
        ctx.gh.add_reaction(repo, comment_id, "eyes")
    parts: list[str] = []
    reactions: list[str] = []
    messages: list[str] = []
    for inv in invocations:
        req = CommandRequest(
            inv=inv, repo=repo, number=number, is_pull_request=bool(issue.get("pull_request")),
            comment_id=comment_id, sender=str(sender.get("login", "")), payload=payload,
        )
        reply = _run_one(inv, req, ctx)
        parts.append(f"{_quote(inv.line)}\n\n{reply.body.strip()}")
        if reply.reaction and reply.reaction not in reactions:
            reactions.append(reply.reaction)
        messages.append(f"/{inv.name}: {reply.body.splitlines()[0] if reply.body else ''}")

    body = f"{REPLY_MARKER}\n" + fit("\n\n".join(parts), COMMENT_MAX_CHARS - len(REPLY_MARKER) - 1, "\n\n…(truncated)")
    if not ctx.dry_run:
        # A redelivered comment edits the earlier reply instead of adding a second one.
        earlier = ctx.store.reply_for(repo, comment_id)
        if earlier is not None:
            ctx.gh.edit_comment(repo, earlier, body)
        else:
            ctx.store.set_reply(repo, comment_id, ctx.gh.create_comment(repo, number, body).id)
        for r in reactions:
            ctx.gh.add_reaction(repo, comment_id, r)
    return Result(
        action="commands",
        messages=messages,
        outputs={
            "commands": ",".join(i.name for i in invocations),
            "dispatched": "true" if "rocket" in reactions else "false",
            "reply": body,
        },
    )
