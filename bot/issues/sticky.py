"""The one sticky comment per issue: found by its hidden marker AND our own login, edited only on change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.github.port import Comment
from bot.issues.render import MARKER

if TYPE_CHECKING:
    from bot.context import Context

MAX_BODY = 65_536  # GitHub refuses longer comment bodies
_NOTE = "\n\n_…truncated: the full text did not fit in one GitHub comment._\n"


def _units(text: str) -> int:
    # Count UTF-16 code units: never under-counts what GitHub measures, whatever it uses.
    return len(text.encode("utf-16-le")) // 2


def fit(body: str, limit: int = MAX_BODY) -> str:
    """Cut at a line break so the body fits, closing an open code fence and saying it was cut."""
    if _units(body) <= limit:
        return body
    budget = limit - _units(_NOTE) - 8
    cut = body[:budget]
    while _units(cut) > budget:
        cut = cut[: len(cut) - (_units(cut) - budget)]
    if "\n" in cut:
        cut = cut[: cut.rindex("\n")]
    if sum(1 for line in cut.splitlines() if line.lstrip().startswith("```")) % 2:
        cut += "\n```"
    return cut + _NOTE


def _same(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def find(ctx: "Context", number: int, marker: str = MARKER) -> Comment | None:
    """Our comment carrying the marker; someone quoting the marker does not count."""
    me = ctx.gh.bot_login().lower()
    for comment in ctx.gh.list_comments(ctx.repo, number):  # every page
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
