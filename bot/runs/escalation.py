"""After a failed run: the next tier up the repository's escalation ladder, started once per failed run.

Once means exactly once: the escalation's cause (`escalate:<run id>`) is claimed before GitHub is asked, so a
redelivery, a retried job or a re-run Action job never starts a second run; and a dispatch GitHub did not take (a
5xx, a secondary limit, the network: its row left in DISPATCH_ERROR) is never lost: the job fails, its retry (or any
later event of the run's pull request, `not_started`) claims it again, and a comment says it did not start and that
`/dispatch <tier>` starts it, in case no retry does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.github.port import GitHubError
from bot.models import Tier
from bot.routing.ladder import next_tier
from bot.runs import executor
from bot.store.records import DISPATCH_ERROR, a_try

if TYPE_CHECKING:
    from bot.context import Context
    from bot.store.records import DispatchRecord


def cause(row: "DispatchRecord") -> str:
    """A failed run's escalation cause: its run's id, else its dispatch id (the Action's report step has no run)."""
    return f"escalate:{row.run_id or row.dispatch_id}"


def not_started(ctx: "Context", row: "DispatchRecord") -> bool:
    """`row` failed and its escalation did not start (GitHub refused or failed the dispatch): a retry starts it."""
    if row.mode != "execute" or row.status != "failure":
        return False
    found = ctx.store.find_dispatch(executor.cause_key(ctx, row.number, cause(row)))
    return found is not None and found.status == DISPATCH_ERROR


def superseded(ctx: "Context", earlier: "DispatchRecord") -> bool:
    """A run was started on the issue after this escalation failed to start (a person's `/dispatch`): retrying it
    would start a second one."""
    return any(r.id is not None and earlier.id is not None and r.id > earlier.id and a_try(r.status)
               for r in ctx.store.dispatches(ctx.repo, earlier.number))


def escalate(ctx: "Context", row: "DispatchRecord", context: str = "") -> str:
    """Start the next tier's run after a failed one (once per failed run), or say why not; `context` (what GitHub
    said of the failed attempt's PR) goes to the next run's prompt. "" when there is nothing new to say: started
    already, or a retry that failed as before (said the first time). A failure to start that raises (transient: the
    job is retried) is said once, then raised."""
    cfg = ctx.config.executor
    tier = Tier(row.tier)
    decision = ctx.store.decision(ctx.repo, row.number)  # a learned ladder decides the order (#22)
    nxt = next_tier(decision.ladder if decision is not None else [], tier, cfg.escalation)
    attempt = row.attempt or 1
    if nxt is None or attempt >= cfg.max_attempts:
        why = "no higher tier to escalate to" if nxt is None else f"{attempt} of {cfg.max_attempts} attempts used"
        return f"The {tier.value} run failed; not escalating ({why}). A human should take a look."
    earlier = ctx.store.find_dispatch(executor.cause_key(ctx, row.number, cause(row)))
    retry = earlier is not None and earlier.status == DISPATCH_ERROR
    if retry and superseded(ctx, earlier):
        return ""
    try:
        res = executor.start_run(
            ctx, row.number, cause=cause(row), by="model-router", tier=nxt, attempt=attempt + 1, context=context,
        )
    except GitHubError as exc:
        if not retry:  # once, however many times the job is retried
            ctx.gh.create_comment(ctx.repo, row.number, _not_started(ctx, tier, nxt, exc))
        raise
    if res.status == "dispatched":
        return f"The {tier.value} run failed, so I escalated to **{nxt.value}** (`{res.model}`), attempt {attempt + 1} of {cfg.max_attempts}."
    if res.status == "duplicate" or retry:  # a retry says only that it started: what stopped it was said
        return ""
    return f"The {tier.value} run failed; escalation to {nxt.value} was not started: {res.message}"


def _not_started(ctx: "Context", tier: Tier, nxt: Tier, exc: GitHubError) -> str:
    """What a failed run's issue is told when GitHub failed its escalation's dispatch, and how it still starts."""
    start = f"a maintainer can comment `/dispatch {nxt.value}` to start it"
    if ctx.mode == "action":
        then = f"Re-run this job to start it, or {start}."
    elif exc.transient:
        then = f"I will try again; if no {nxt.value} run starts, {start}."
    else:
        then = start[0].upper() + start[1:] + "."
    return (f"The {tier.value} run failed, but the escalation to **{nxt.value}** could not be started (GitHub answered "
            f"{exc.status}). {then}")
