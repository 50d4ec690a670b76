"""The one sticky comment per issue: found by its hidden marker AND our own login, edited only on change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.github.limits import fit
from bot.github.port import Comment
from bot.issues.state import MARKER

if TYPE_CHECKING:
    from bot.context import Context

def _same(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def find(ctx: "Context", number: int, marker: str = MARKER) -> Comment | None:
    """Our comment carrying the marker; someone quoting the marker does not count. The first one, so the pages
    after it are never read (it is written when the issue is routed: usually on the first page)."""
    me = ctx.gh.bot_login().lower()
    for comment in ctx.gh.list_comments(ctx.repo, number):  # a page at a time
        if marker in comment.body and comment.user_login.lower() == me:
            return comment
    return None


def upsert(ctx: "Context", number: int, body: str, marker: str = MARKER) -> int:
    """Create or edit the sticky comment; returns its id (0 in dry-run mode when none exists yet)."""
    if marker not in body:
        body = f"{marker}\n{body}"
    body = fit(body)
    existing = find(ctx, number, marker)
    if ctx.dry_run:
        return existing.id if existing else 0
    if existing is not None:
        if not _same(existing.body, body):
            ctx.gh.edit_comment(ctx.repo, existing.id, body)
        return existing.id
    return ctx.gh.create_comment(ctx.repo, number, body).id
