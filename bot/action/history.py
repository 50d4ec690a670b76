"""The repository's routing history, read back from the sticky comments' state lines: all of it for `mode: report`
(bot.action.learned reads a bounded, cached part of it for routing).

Why the comments: every routed issue already carries one (decision, people's choices, runs with actual
costs), written by the bot and trusted only when the marker AND the bot's login match (and, with a
`state-key`, the signature), so the report needs no extra write permission, no branch and nothing that can
drift from what the issues show. The cost is one paginated listing of the repository's issue comments per
report (a monthly job).
"""

from __future__ import annotations

from datetime import datetime, timezone

from bot.action.memory import _HUMAN_STRATEGIES, _restore_decision
from bot.context import Context
from bot.github.port import Comment, GitHubError
from bot.issues import sticky
from bot.issues.labels import COMPLEXITY, TIER
from bot.issues.state import MARKER, IssueState, decode, issue_key


def trusted(ctx: Context, number: int, comment: Comment, me: str) -> IssueState | None:
    """The routing state a comment carries, only when it is the bot's sticky comment (marker AND login) and,
    with a `state-key`, signed for this issue: a copied, hand-edited or forged state line counts for nothing."""
    return trusted_text(ctx, number, comment.body, comment.user_login, me)


def trusted_text(ctx: Context, number: int, body: str, author: str, me: str) -> IssueState | None:
    """`trusted` for a comment's text and author login as read or cached (bot.action.history_cache): one rule."""
    if MARKER not in body or author.lower() != me.lower():
        return None
    state = decode(body, issue_key(ctx.state_key, ctx.repo, number))
    return state if state is not None and state.decision is not None else None


def restore(ctx: Context, number: int, state: IssueState, when: datetime | None,
            features: tuple[int, ...] | None = None) -> None:
    """One issue's routing (with its hashed words, when known), people's choices and runs into the scratch store,
    as routed at `when`."""
    store, clock = ctx.store, ctx.store.clock
    when = when or clock()
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    store.clock = lambda: when  # the issue was routed when its comment was first written
    try:
        _restore_decision(ctx, number, state.decision, features)  # type: ignore[arg-type]
        _people(ctx, number, state)
    finally:
        store.clock = clock
    for run in state.runs:
        store.restore_run(ctx.repo, number, run, by="(recovered)")


def sticky_or_none(ctx: Context, number: int) -> Comment | None:
    """The issue's sticky comment; None also when the issue is gone (deleted or transferred since it was named)."""
    try:
        return sticky.find(ctx, number)
    except GitHubError as exc:
        if exc.status in (404, 410):
            return None
        raise


def recover_issue(ctx: Context, number: int) -> bool:
    """One issue's routing and runs from its sticky comment, when this job does not hold it yet and the comment is
    trusted (the bot's, and with a `state-key` signed for this issue); whether it was restored."""
    if ctx.store.current(ctx.repo, number) is not None:
        return False
    comment = sticky_or_none(ctx, number)
    state = trusted(ctx, number, comment, ctx.gh.bot_login()) if comment is not None else None
    if state is not None:
        restore(ctx, number, state, comment.created_at)
    return state is not None


def load_history(ctx: Context) -> int:
    """Fill the job's scratch store with every issue the bot's sticky comments describe; how many issues."""
    me = ctx.gh.bot_login()
    seen: set[int] = set()
    for comment in ctx.gh.list_repo_comments(ctx.repo):
        number = comment.issue_number
        if number is None or number in seen:
            continue
        state = trusted(ctx, number, comment, me)
        if state is None:
            continue
        restore(ctx, number, state, comment.created_at)
        seen.add(number)
    return len(seen)


def _people(ctx: Context, number: int, state: IssueState) -> None:
    """People's recorded choices (a label or command that re-routed the issue) count against accuracy."""
    strategy = (state.strategy or "").replace("_", " ")
    for field in (TIER, COMPLEXITY):
        router = getattr(state, field)
        chosen = state.overrides.get(field)
        if chosen is None and router and strategy in _HUMAN_STRATEGIES[field]:
            chosen = router
        if chosen:
            ctx.store.record_override(ctx.repo, number, field=field, old=None if chosen == router else router,
                                      new=chosen, by="a person (recorded in the issue's state line)")
