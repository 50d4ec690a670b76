"""Which app posted a commit status: GitHub's status names only its `creator`, a GitHub App's being its bot user
`<app-slug>[bot]`, so the slug is resolved to the app's id ("Get an app", GET /apps/{app_slug}: any installation
token or GITHUB_TOKEN may read it, no permission needed) for a required check pinned to an app
(`bot.runs.truth.counts`).

Ids are read once per PR view per distinct slug (at most `MAX_SLUGS`) and kept per process (`StatusApps`, built
once by `bot.worker.Runtime` and handed on in the Context as `RequiredChecks` is): an app's id never changes, so the
TTL is long. A slug GitHub will not show (a private app, a deleted one) is not kept and its statuses' app stays
unknown, as are a person's or a machine user's; unknown, a status counts as it did before its app could be known.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.github.port import CommitStatus, GitHubError
from bot.kept import Kept

if TYPE_CHECKING:
    from bot.context import Context

TTL = 7 * 86400.0  # seconds: an app's id never changes; the bound is only against a stale, renamed slug
MAX_SLUGS = 10  # distinct apps resolved per PR view; beyond them a status's app is unknown
_BOT = re.compile(r"([a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?)\[bot\]", re.IGNORECASE)


class StatusApps(Kept[int]):
    """App ids per slug (kept under the slug as its "repository")."""


def slug_of(creator: str) -> str | None:
    """The app slug of a status's creator when it is a GitHub App's bot user (`<slug>[bot]`), else None."""
    return match.group(1).lower() if (match := _BOT.fullmatch(creator or "")) else None


def status_apps(ctx: "Context", statuses: list[CommitStatus]) -> dict[str, int]:
    """The app id of each distinct bot creator among `statuses` (by creator login) that GitHub shows; others absent."""
    slugs = list(dict.fromkeys(s for st in statuses if (s := slug_of(st.creator))))[:MAX_SLUGS]
    ids = {slug: app for slug in slugs if (app := _app_id(ctx, slug)) is not None}
    return {st.creator: ids[s] for st in statuses if (s := slug_of(st.creator)) in ids}


def _app_id(ctx: "Context", slug: str) -> int | None:
    kept = ctx.status_apps
    if kept is not None and (app := kept.get(slug)) is not None:
        return app
    try:
        app = ctx.gh.app_id_of(slug)
    except GitHubError as exc:
        if exc.transient:
            raise
        return None  # not kept: the next view asks again
    if app is not None and kept is not None:
        kept.put(slug, "", app)
    return app
