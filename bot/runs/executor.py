"""Start an executor run on the routed model: workflow_dispatch or repository_dispatch, once per cause.

Every dispatch has a cause key — `comment:<id>` for `/dispatch`, `escalate:<run id>` after a
failed run, `plan:<run id>` after a planning run — claimed by a unique row before GitHub is called,
so a redelivered comment or workflow_run event never starts a second run. Budgets (monthly USD per
repository) and the concurrent-run cap are checked first and refused with the numbers.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, NamedTuple

from bot import catalog
from bot.github.port import GitHubError
from bot.config.schema import ExecutorConfig, RepoConfig
from bot.models import Complexity, RoutingDecision, Tier
from bot.issues.render import money
from bot.issues.service import route_issue
from bot.runs import unconfirmed
from bot.runs.trust import executor_ref
from bot.store.records import DISPATCH_ERROR, DispatchRecord

if TYPE_CHECKING:
    from bot.context import Context

log = logging.getLogger(__name__)

EVENT_TYPE = "model-router.execute"
MAX_INPUTS = 25  # workflow_dispatch: at most 25 inputs ...
MAX_INPUTS_CHARS = 65_535  # ... whose JSON payload is at most 65,535 characters
MAX_CLIENT_PAYLOAD_KEYS = 10  # repository_dispatch: at most 10 top-level client_payload keys

Mode = Literal["execute", "plan"]


@dataclass
class DispatchResult:
    status: Literal["dispatched", "duplicate", "refused", "error"]
    message: str
    dispatch: DispatchRecord | None = None
    tier: Tier | None = None
    model: str = ""
    estimate_usd: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def started(self) -> bool:
        return self.status == "dispatched"


def issue_digest(title: str, body: str) -> str:
    """The issue as dispatched: SHA-256 of `title + "\n" + body` (the executor workflow checks the same)."""
    return hashlib.sha256(f"{title}\n{body}".encode("utf-8")).hexdigest()


def build_inputs(
    *, number: int, tier: Tier, model: str, complexity: Complexity, routing_id: str, mode: Mode = "execute",
    plan: str | None = None, issue_sha256: str = "", context: str = "",
) -> dict[str, str]:
    """The workflow inputs (all strings); `mode`/`plan` only for the plan pipeline. `issue_sha256` snapshots
    the issue: the executor workflow refuses to run when the issue changed after the dispatch. `context` is what
    GitHub said of the failed attempt an escalation follows (bot.runs.failure_context: fenced, bounded)."""
    inputs = {
        "issue_number": str(number),
        "tier": tier.value,
        "model": model,
        "complexity": complexity.value,
        "routing_id": routing_id,
        "issue_sha256": issue_sha256,
    }
    if mode != "execute" or plan:
        inputs["mode"] = mode
    if context:
        inputs["context"] = context
    if plan:
        room = MAX_INPUTS_CHARS - len(json.dumps(inputs, ensure_ascii=False)) - 200
        inputs["plan"] = _fit(plan, room)
    assert len(inputs) <= MAX_INPUTS
    return inputs


def _fit(text: str, room: int) -> str:
    """Cut `text` so its JSON encoding fits in `room` characters, saying so."""
    note = "\n\n[plan truncated to fit GitHub's workflow input limit]"
    if len(json.dumps(text, ensure_ascii=False)) <= room:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # longest prefix whose encoding fits (escapes make the length non-linear)
        mid = (lo + hi + 1) // 2
        if len(json.dumps(text[:mid] + note, ensure_ascii=False)) <= room:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + note


def budget_check(ctx: "Context", estimate: float) -> str | None:
    """A refusal message with the numbers, or None when the run fits the budgets."""
    budgets = ctx.config.budgets
    cap = budgets.max_concurrent_runs
    if cap is not None:
        active = ctx.store.active_runs(ctx.repo)
        if active >= cap:
            return (
                f"Refused: {active} executor run(s) are already in flight in this repository "
                f"and the cap is {cap} (`budgets.max_concurrent_runs`). Try again when one finishes."
            )
    limit = budgets.monthly_usd
    if limit is not None:
        spent = ctx.store.month_spend(ctx.repo)
        if spent + estimate > limit:
            return (
                f"Refused: this run is estimated at {money(estimate)}; this month's spend is {money(spent)}, "
                f"so it would reach {money(spent + estimate)}, over the monthly budget of {money(limit)} "
                "(`budgets.monthly_usd`)."
            )
    return None


def cause_key(ctx: "Context", number: int, cause: str) -> str:
    """The dispatch row's unique key: one run per cause on an issue."""
    return f"{ctx.repo}#{number}:{cause}"


def start_run(
    ctx: "Context",
    number: int,
    *,
    cause: str,
    by: str,
    tier: Tier | None = None,
    mode: Mode = "execute",
    attempt: int = 1,
    comment_id: int | None = None,
    plan: str | None = None,
    context: str = "",
) -> DispatchResult:
    """Start one executor run for an issue unless this cause already did (then "duplicate"); `context` tells the
    run what failed before it."""
    key = cause_key(ctx, number, cause)
    existing = ctx.store.find_dispatch(key)
    if existing and existing.status != DISPATCH_ERROR:
        return _duplicate(existing)
    config = ctx.config
    decision = ctx.store.decision(ctx.repo, number)
    if decision is None:
        decision = route_issue(ctx, number).decision  # routes, labels and records it first
        if decision is None:
            return DispatchResult("error", "Could not route this issue, so nothing was dispatched.")
    mode, run_tier, notes = _choose(decision, config, tier=tier, mode=mode, plan=plan, attempt=attempt)
    model = catalog.model_for(run_tier, config)
    estimate = catalog.estimate_cost(run_tier, decision.complexity, config, "plan" if mode == "plan" else "execute").usd
    planned = Planned(mode, run_tier, model, decision.complexity, estimate, attempt, notes)
    refusal = budget_check(ctx, estimate)
    if refusal:
        return DispatchResult("refused", refusal, tier=run_tier, model=model, estimate_usd=estimate, notes=notes)
    if ctx.dry_run:  # compute and say, write nothing (not even the store row)
        return DispatchResult(
            "dispatched", f"Dry run: would dispatch {'a planning' if mode == 'plan' else 'an executor'} run on "
            f"**{run_tier.value}** (`{model}`), estimated {money(estimate)}.",
            tier=run_tier, model=model, estimate_usd=estimate, notes=notes,
        )
    return _claim_and_send(ctx, number, key, planned, by=by, comment_id=comment_id, plan=plan, context=context)


class Planned(NamedTuple):
    """The run start_run decided on, before anything is written."""

    mode: Mode
    tier: Tier
    model: str
    complexity: Complexity
    estimate: float
    attempt: int
    notes: list[str]


def _claim_and_send(ctx: "Context", number: int, key: str, run: Planned, *, by: str, comment_id: int | None,
                    plan: str | None, context: str = "") -> DispatchResult:
    """Claim the cause's row, then ask GitHub to start the run (the issue's text snapshotted in its inputs)."""
    row, claimed = ctx.store.claim_dispatch(
        key=key, repo=ctx.repo, number=number, comment_id=comment_id, mode=run.mode, tier=run.tier.value,
        model=run.model, complexity=run.complexity.value, attempt=run.attempt, estimated_cost_usd=run.estimate, by=by,
    )
    if not claimed or row is None:  # lost a race with a concurrent delivery of the same cause
        return DispatchResult("duplicate", "Already dispatched for this request; nothing new started.", dispatch=row)
    try:  # a 5xx on an earlier attempt may have started the run: look for it (the first try adds no request)
        started = unconfirmed.started_run(ctx, row)
        issue = None if started else ctx.gh.get_issue(ctx.repo, number)  # the text the run may act on, as of now
    except GitHubError as exc:
        ctx.store.update_dispatch(row.dispatch_id, status=DISPATCH_ERROR, error=str(exc)[:500])  # claimable again
        raise  # never dispatched blind: the job's retry looks again
    executor = ctx.config.executor
    if started is not None:
        row = unconfirmed.adopt(ctx, row, started)
    else:
        inputs = build_inputs(
            number=number, tier=run.tier, model=run.model, complexity=run.complexity, routing_id=row.dispatch_id,
            mode=run.mode, plan=plan, issue_sha256=issue_digest(issue.title, issue.body), context=context,
        )
        refused = _send(ctx, executor, row, inputs)
        if refused is not None:
            return refused
        row = ctx.store.update_dispatch(row.dispatch_id, status="dispatched")
    how = "repository_dispatch" if executor.dispatch == "repository_dispatch" else f"`{executor.workflow}`"
    what = "a planning run" if run.mode == "plan" else "an executor run"
    log.info("dispatched repo=%s issue=%s tier=%s id=%s", ctx.repo, number, run.tier.value, row.dispatch_id)
    return DispatchResult(
        "dispatched",
        f"Dispatched {what} on **{run.tier.value}** (`{run.model}`) via {how}, estimated {money(run.estimate)} "
        f"(attempt {run.attempt}, id `{row.dispatch_id}`).",
        dispatch=row, tier=run.tier, model=run.model, estimate_usd=run.estimate, notes=run.notes,
    )


def _duplicate(existing: DispatchRecord) -> DispatchResult:
    return DispatchResult(
        "duplicate",
        f"Already dispatched for this request: **{existing.tier}** (`{existing.model}`), "
        f"id `{existing.dispatch_id}`; nothing new started.",
        dispatch=existing,
        tier=Tier(existing.tier),
        model=existing.model,
    )


def _choose(decision: RoutingDecision, config: RepoConfig, *, tier: Tier | None, mode: Mode, plan: str | None,
            attempt: int) -> tuple[Mode, Tier, list[str]]:
    """The run's mode and tier: the routed phases, a person's tier, and the security floor; notes say why."""
    notes: list[str] = []
    phases = {p.role.value: p for p in decision.phases}
    if mode == "execute" and tier is None and plan is None and attempt == 1 and "plan" in phases:
        mode = "plan"  # the routed phases start with a plan: Sonnet plans, then the execute phase's tier runs it
    run_tier = Tier(tier) if tier is not None else decision.tier
    if mode == "plan":
        run_tier = phases["plan"].tier if "plan" in phases else Tier.sonnet  # Sonnet plans
    floor = config.security.min_tier  # the router's floor for security-sensitive work
    if decision.security_sensitive and run_tier.rank < floor.rank:
        notes.append(f"This issue is security-sensitive, so it runs on {floor.value} rather than {run_tier.value}.")
        run_tier = floor
    return mode, run_tier, notes


def _dispatch(ctx: "Context", executor: ExecutorConfig, inputs: dict[str, str]) -> None:
    if executor.dispatch == "repository_dispatch":
        assert len(inputs) <= MAX_CLIENT_PAYLOAD_KEYS
        ctx.gh.repository_dispatch(ctx.repo, EVENT_TYPE, dict(inputs))
    else:
        ctx.gh.dispatch_workflow(ctx.repo, executor.workflow, executor_ref(ctx), inputs)


def _send(ctx: "Context", executor: ExecutorConfig, row: DispatchRecord, inputs: dict[str, str]) -> DispatchResult | None:
    """Ask GitHub to start the run; None when it did, the refusal otherwise (transient errors raise; a 5xx's time is
    kept: GitHub may have started the run all the same, bot.runs.unconfirmed)."""
    sent_at = ctx.store.clock()
    try:
        try:
            _dispatch(ctx, executor, inputs)
        except GitHubError as exc:
            if exc.status != 422 or "context" not in inputs:
                raise
            log.warning("executor workflow without a `context` input: escalation %s dispatched without what failed",
                        row.dispatch_id)  # a copy of the workflow from before #21 refuses unknown inputs
            _dispatch(ctx, executor, {k: v for k, v in inputs.items() if k != "context"})
    except GitHubError as exc:
        since = row.unconfirmed_at or (sent_at if exc.status >= 500 else None)  # the earliest such attempt
        ctx.store.update_dispatch(row.dispatch_id, status=DISPATCH_ERROR, error=str(exc)[:500], unconfirmed_at=since)
        if exc.transient:
            raise  # the job queue retries; the error row is claimable again
        message = f"GitHub refused the dispatch ({exc.status}: {exc.message}).{_hint(ctx, executor, exc.status)}"
        if exc.status in (403, 404, 422):  # the token's permission (404: what it may not see), the workflow file
            ctx.refused.append(f"{ctx.repo}#{row.number}: {message}")
        return DispatchResult("error", message, dispatch=row)
    return None


def dispatch_permission(executor: ExecutorConfig) -> str:
    """The token permission GitHub wants for starting the executor the configured way."""
    return "contents: write" if executor.dispatch == "repository_dispatch" else "actions: write"


def _hint(ctx: "Context", executor: ExecutorConfig, status: int) -> str:
    """What to change after GitHub refused a dispatch with `status`: the permission, the workflow file."""
    workflow = (f" Is `{executor.workflow}` on the default branch with `on: workflow_dispatch`, and does it declare"
                " the `issue_sha256` input (see docs/security.md)?") if executor.dispatch == "workflow_dispatch" else ""
    if status == 422:
        return workflow
    if status not in (403, 404):
        return ""
    need = dispatch_permission(executor)
    grant = (f"the job token's `{need}`: add it to the `permissions:` of the job that runs the Action, then re-run it"
             if ctx.mode == "action" else f"the App's {need.split(':')[0].capitalize()} read & write permission (accept"
             " it in the installation's settings)")
    return f" Starting the executor by {executor.dispatch} needs {grant}." + (workflow if status == 404 else "")
