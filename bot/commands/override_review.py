"""`/override-review <reason>`: an admin lets a pull request merge without a passing Opus review."""

from __future__ import annotations

import logging

from bot.review import gate
from bot.commands import CommandReply, CommandRequest, command
from bot.context import Context
from bot.permissions import permission
from bot.review import publish
from bot.untrusted import defuse

log = logging.getLogger(__name__)


@command(
    "override-review",
    usage="/override-review <reason>",
    description="Set the Opus review gate to success on the current head commit, with an audited reason (admins only).",
    who="admin",
    examples=("/override-review false positive: test fixture, not a real key",),
    pr_only=True,
)
def run(req: CommandRequest, ctx: Context) -> CommandReply:
    reason = " ".join(req.inv.args).strip()
    if not reason:
        return CommandReply(body="Usage: `/override-review <reason>`: the reason is recorded with your name.",
                            reaction="confused")
    # Defence in depth: the comment handler checks roles too, but this command opens the gate.
    level = permission(ctx, req.sender)
    if level != "admin":
        return CommandReply(body=f"Only admins may override the review gate (@{req.sender} has `{level}`).",
                            reaction="confused")
    sha = ctx.gh.get_pull(ctx.repo, req.number).head_sha
    ctx.store.record_review_override(ctx.repo, req.number, head_sha=sha, by=req.sender, reason=reason)  # audit first
    publish.report(ctx, sha, gate.overridden(req.sender, reason))
    log.warning("review gate overridden repo=%s pr=%s sha=%s by=%s", ctx.repo, req.number, sha, req.sender)
    return CommandReply(
        body=(
            f"**Audit:** the Opus review gate (`{gate.CONTEXT}`) was overridden to success on commit `{sha}` "
            f"by @{req.sender}.\n\nReason: {defuse(reason)}\n\n"
            "A new push re-gates the pull request."
        ),
        reaction="+1",
    )
