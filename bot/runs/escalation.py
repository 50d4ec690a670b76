"""After a failed run: the next tier up the repository's escalation ladder, started once per failed run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.models import Tier
from bot.routing.ladder import next_tier
from bot.runs import executor

if TYPE_CHECKING:
    from bot.context import Context
    from bot.store.records import DispatchRecord


def escalate(ctx: "Context", row: "DispatchRecord", run_id: int | str, context: str = "") -> str:
    """Start the next tier's run after a failed one (once per failed run), or say why not; `context` (what GitHub
    said of the failed attempt's PR) goes to the next run's prompt."""
    cfg = ctx.config.executor
    tier = Tier(row.tier)
    decision = ctx.store.decision(ctx.repo, row.number)  # a learned ladder decides the order (#22)
    nxt = next_tier(decision.ladder if decision is not None else [], tier, cfg.escalation)
    attempt = row.attempt or 1
    if nxt is None or attempt >= cfg.max_attempts:
        why = "no higher tier to escalate to" if nxt is None else f"{attempt} of {cfg.max_attempts} attempts used"
        return f"The {tier.value} run failed; not escalating ({why}). A human should take a look."
    res = executor.start_run(
        ctx, row.number, cause=f"escalate:{run_id}", by="model-router", tier=nxt, attempt=attempt + 1, context=context,
    )
    if res.status == "dispatched":
        return f"The {tier.value} run failed, so I escalated to **{nxt.value}** (`{res.model}`), attempt {attempt + 1} of {cfg.max_attempts}."
    if res.status == "duplicate":
        return ""
    return f"The {tier.value} run failed; escalation to {nxt.value} was not started: {res.message}"
