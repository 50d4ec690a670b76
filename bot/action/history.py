"""The repository's routing history for `mode: report`, read back from the sticky comments' state lines.

Why the comments: every routed issue already carries one (decision, people's choices, runs with actual
costs), written by the bot and trusted only when the marker AND the bot's login match, so the report
needs no extra write permission, no branch and nothing that can drift from what the issues show. The
cost is one paginated listing of the repository's issue comments per report (a monthly job).
"""

from __future__ import annotations

from datetime import datetime, timezone

from bot.action.memory import _HUMAN_STRATEGIES, _restore_decision, _restore_runs
from bot.context import Context
from bot.issues.labels import COMPLEXITY, TIER
from bot.issues.render import MARKER, read_state


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
            state = read_state(comment.body)
            if state is None:
                continue
            when = comment.created_at or clock()
            if when.tzinfo is not None:
                when = when.astimezone(timezone.utc).replace(tzinfo=None)
            store.clock = lambda when=when: when  # the issue was routed when its comment was first written
            _restore_decision(ctx, number, state.get("decision"))
            _people(ctx, number, state)
            store.clock = clock
            _restore_runs(ctx, number, state.get("runs"))
            seen.add(number)
    finally:
        store.clock = clock
    return len(seen)


def _people(ctx: Context, number: int, state: dict) -> None:
    """People's recorded choices (a label or command that re-routed the issue) count against accuracy."""
    people = state.get("overrides") if isinstance(state.get("overrides"), dict) else {}
    strategy = str(state.get("strategy") or "").replace("_", " ")
    for field in (TIER, COMPLEXITY):
        router = state.get(field)
        chosen = people.get(field) if isinstance(people.get(field), str) else None
        if chosen is None and isinstance(router, str) and strategy in _HUMAN_STRATEGIES[field]:
            chosen = router
        if chosen:
            ctx.store.record_override(ctx.repo, number, field=field, old=None if chosen == router else router,
                                      new=chosen, by="a person (recorded in the issue's state line)")

