"""`/override-review <sha> <reason>`: an admin lets one commit of a pull request merge without a passing Opus review.

The admin names the commit they looked at by its full 40-hex SHA: the override applies to exactly that
commit, and only while it is the head. A prefix is refused (an author can grind a commit sharing 7 hex
digits), and if the head moved (a push between the comment and the job, or an old Action job re-run),
the override is refused, so it can never land on code nobody saw.
"""

from __future__ import annotations

import logging
import re

from bot.review import gate
from bot.commands import CommandReply, CommandRequest, command
from bot.context import Context
from bot.permissions import permission
from bot.review import publish
from bot.untrusted import defuse

log = logging.getLogger(__name__)

_SHA = re.compile(r"[0-9a-f]{40}")
USAGE = "/override-review <sha> <reason>"


@command(
    "override-review",
    usage=USAGE,
    description="Set the Opus review gate to success on the named head commit (its full 40-hex SHA), with an audited reason (admins only).",
    who="admin",
    examples=("/override-review 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b false positive: test fixture, not a real key",),
    pr_only=True,
)
def run(req: CommandRequest, ctx: Context) -> CommandReply:
    named = req.inv.args[0].lower() if req.inv.args else ""
    reason = " ".join(req.inv.args[1:]).strip()
    if not _SHA.fullmatch(named) or not reason:
        return CommandReply(body=f"Usage: `{USAGE}`: name the head commit you checked by its full 40-character SHA "
                                 "(a prefix is refused: another commit can share it). Copy it from the pull request's "
                                 "Commits tab or run `git rev-parse HEAD` on the branch; the reason is recorded with "
                                 "your name.", reaction="confused")
    # Defence in depth: the comment handler checks roles too, but this command opens the gate.
    level = permission(ctx, req.sender)
    if level != "admin":
        return CommandReply(body=f"Only admins may override the review gate (@{req.sender} has `{level}`).",
                            reaction="confused")
    sha = ctx.gh.get_pull(ctx.repo, req.number).head_sha
    if sha.lower() != named:
        return CommandReply(body=(f"Not overridden: you named `{named}`, but the head is now `{sha}` (pushed after "
                                  "you looked?). Check the new commit, then override it by its full SHA."),
                            reaction="confused")
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
