"""A dispatch GitHub answered with a 5xx may have started its run anyway: the retry finds that run, not a second one.

Workflow and repository dispatches carry no idempotency key, and GitHub sometimes answers 5xx after it created the
run. So `executor._send` records when such an attempt was sent (`unconfirmed_at`, kept across retries: the earliest
one), and the retry of that dispatch first lists the executor workflow's dispatched runs created since then: one by
the bot whose run-name carries this dispatch's `[mr:<id>]` is adopted as the run the dispatch started. A refusal (4xx)
started nothing and is never looked for; a first attempt sends no extra request.
"""

from __future__ import annotations

import logging
from datetime import timedelta, timezone
from typing import TYPE_CHECKING

from bot.runs.trust import dispatch_id_of

if TYPE_CHECKING:
    from bot.context import Context
    from bot.github.port import WorkflowRun
    from bot.store.records import DispatchRecord

log = logging.getLogger(__name__)

# our clock against GitHub's: the runs listed start this much before the attempt was sent (the id decides, not time)
CLOCK_SKEW = timedelta(minutes=5)


def started_run(ctx: "Context", row: "DispatchRecord") -> "WorkflowRun | None":
    """The run an unconfirmed attempt of `row` started, or None. GitHub lists a new run after a few seconds; the
    job's retry comes later than that (a run GitHub lists only after this look is the one case left: docs)."""
    if row.unconfirmed_at is None:  # never answered 5xx: nothing to look for
        return None
    executor = ctx.config.executor
    since = row.unconfirmed_at.replace(tzinfo=timezone.utc) - CLOCK_SKEW  # the store keeps naive UTC
    event = "repository_dispatch" if executor.dispatch == "repository_dispatch" else "workflow_dispatch"
    runs = ctx.gh.list_workflow_runs(ctx.repo, executor.workflow, event, since)
    bot = ctx.gh.bot_login().lower()
    return next((r for r in runs if dispatch_id_of(r.display_title) == row.dispatch_id and r.actor.lower() == bot),
                None)


def adopt(ctx: "Context", row: "DispatchRecord", run: "WorkflowRun") -> "DispatchRecord":
    """Record `run` as the one the dispatch started, as a dispatch GitHub accepted is recorded (with its run)."""
    log.warning("dispatch %s: GitHub answered an error but started run %s; adopted, not dispatched again",
                row.dispatch_id, run.id)
    return ctx.store.update_dispatch(row.dispatch_id, status="dispatched", error=None, run_id=run.id,
                                     run_url=run.html_url or None)
