"""The repository's routing history for `mode: report`, read back from the sticky comments' state lines.

Why the comments: every routed issue already carries one (decision, people's choices, runs with actual
costs), written by the bot and trusted only when the marker AND the bot's login match, so the report
needs no extra write permission, no branch and nothing that can drift from what the issues show. The
cost is one paginated listing of the repository's issue comments per report (a monthly job).
"""

from __future__ import annotations

from datetime import timezone

from bot.action.memory import _HUMAN_STRATEGIES, _restore_decision
from bot.context import Context
from bot.issues.labels import COMPLEXITY, TIER
from bot.issues.state import MARKER, IssueState, decode


def load_history(ctx: Context) -> int:
    """Fill the job's scratch store with every issue the bot's sticky comments describe; how many issues."""
    me = ctx.gh.bot_login().lower()
    store, clock = ctx.store, ctx.store.clock
    seen: set[int] = set()
    try:
        for comment in ctx.gh.list_repo_comments(ctx.repo):
            number = comment.issue_number
            if number is None or number in seen or MARKER not in comment.body or comment.user_login.lower() != me:
                continue
            state = decode(comment.body)
            if state is None or state.decision is None:
                continue
            when = comment.created_at or clock()
            if when.tzinfo is not None:
                when = when.astimezone(timezone.utc).replace(tzinfo=None)
            store.clock = lambda when=when: when  # the issue was routed when its comment was first written
            _restore_decision(ctx, number, state.decision)
            _people(ctx, number, state)
            store.clock = clock
            for run in state.runs:
                store.restore_run(ctx.repo, number, run, by="(recovered)")
            seen.add(number)
    finally:
        store.clock = clock
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

