"""The Action's side of a finished run: the executor workflow's `mode: report` step, into `run_finished`.

The step runs in the executor's run, after the agent's job (in a job of its own), so it has claude-code-action's
execution file (the outcome, from the run's artifact; none when the agent never ran) and the inputs the run was
started with, but not the run's conclusion; the dispatch is the one named by `routing_id` (recovered from the
sticky comment's state line), else a row of its own for a run started by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot import catalog
from bot.context import Context, Result
from bot.issues.render import why_not_run
from bot.issues.service import refresh_comment, route_issue
from bot.models import Complexity, RoutingDecision, Tier
from bot.runs.finished import RunReport, agent_step, judge, verdict
from bot.runs.outcome import PLAN_FILE, RUN_FILE, Outcome
from bot.runs.pull_outcome import record_branch, run_ended
from bot.store.records import DispatchRecord, a_try


@dataclass(frozen=True)
class StartedAs:
    """What the run was started as, from the step's inputs, else the issue's routing; None where neither says."""

    tier: Tier | None
    complexity: Complexity | None
    model: str
    estimate: float | None
    mode: str

    @classmethod
    def read(cls, ctx: Context, info: dict, known: RoutingDecision | None) -> "StartedAs":
        tier = _valid(Tier, info.get("tier")) or (known.tier if known else None)
        complexity = _valid(Complexity, info.get("complexity")) or (known.complexity if known else None)
        model = str(info.get("model") or (catalog.model_for(tier, ctx.config) if tier else "—"))
        estimate = catalog.estimate_cost(tier, complexity, ctx.config).usd if tier and complexity else None
        return cls(tier, complexity, model, estimate, "plan" if info.get("mode") == "plan" else "execute")

    def outputs(self) -> dict[str, str]:
        out = {"tier": self.tier.value, "model": self.model} if self.tier else {}
        out |= {"complexity": self.complexity.value} if self.complexity else {}
        return out | ({"estimated-cost": f"{self.estimate:.6f}"} if self.estimate is not None else {})


def report_step_finished(ctx: Context, number: int, outcome: Outcome, info: dict, *, by: str,
                         plan_json: str | None = None, branch: str | None = None, agent: str | None = None) -> Result:
    """One run's outcome and actual cost on its issue, through `run_ended`; `info` is what the run was
    started with (tier, model, complexity, mode, routing_id), any of it missing; `branch` the one it pushed; `agent`
    its agent step's outcome (bot.runs.finished.never_ran).

    Labels and the routing stay as they are; the comment's runs table and state line keep every earlier run
    side by side. Outputs: the run's actual and estimated cost, tier, model and complexity."""
    messages: list[str] = []
    decision: RoutingDecision | None = None
    record = ctx.store.current(ctx.repo, number)  # recovered from the comment's state line
    if record is None:  # never routed: route first so the cost has a comment to land in
        routed = route_issue(ctx, number)
        messages += routed.messages
        decision = routed.decision
        record = ctx.store.current(ctx.repo, number)
    ran = StartedAs.read(ctx, info, RoutingDecision.model_validate(record["decision"]) if record else None)
    texts = {PLAN_FILE: plan_json} if plan_json is not None else {}
    # the branch it named (`branch-name`), as the App's run file says it: none (empty) or none of its own (the
    # default branch) is no_pr by the App's rule (bot.runs.finished.pushed_nothing), never a success on its word
    texts[RUN_FILE] = json.dumps({"branch_name": branch or ""})
    report = RunReport(outcome=outcome, run_id=_run_id(ctx), run_url=ctx.run_url, texts=texts, agent=agent_step(agent))
    success, why = judge(report)  # None: the agent never ran (bot.runs.finished.never_ran says why)
    dispatch = _dispatch(ctx, number, ran, str(info.get("routing_id") or ""), by=by)
    if dispatch is None:  # nothing routed: no run to count (cannot happen once the issue is routed)
        refresh_comment(ctx, number)
    else:
        dispatch = record_branch(ctx, dispatch, branch, claimed=success is True)
        messages += run_ended(ctx, dispatch, report).messages
    cost, tier = outcome.total_cost_usd, ran.tier.value if ran.tier else "—"
    if success is None:
        log = f"the run's log ({ctx.run_url})" if ctx.run_url else "the run's log"
        messages.append(f"{ctx.repo}#{number}: {verdict(success, why)} on {tier}: recorded as ended before its agent "
                        f"ran ({why_not_run(why, log)}); not escalated, not counted against the tier; `/dispatch` "
                        "runs it again")
    else:
        messages.append(
            f"{ctx.repo}#{number}: run {verdict(success, why)} on {tier}, actual "
            + (f"${cost:.4f}" if cost is not None else "cost unknown (no cost in the result message)")
            + (f" vs estimated ${ran.estimate:.4f}" if ran.estimate is not None else "")
        )
    outputs = {"actual-cost": "" if cost is None else f"{cost:.6f}", "success": str(success is True).lower(),
               **ran.outputs()}
    return Result(action="reported", decision=decision, messages=messages, outputs=outputs)


def _dispatch(ctx: Context, number: int, ran: StartedAs, dispatch_id: str, *, by: str) -> DispatchRecord | None:
    """The dispatch that started this run, or a row of its own (a run started by hand); None when unrouted."""
    found = ctx.store.get_dispatch(dispatch_id) if dispatch_id else None
    if found and (found.repo, found.number) == (ctx.repo, number):
        return found
    if ran.tier is None or ran.complexity is None:
        return None
    run = ctx.run_url or ctx.run_id or "local"
    found, _ = ctx.store.claim_dispatch(
        key=f"{ctx.repo}#{number}:report:{run}"[:300], repo=ctx.repo, number=number, tier=ran.tier.value, mode=ran.mode,
        model=ran.model[:100], complexity=ran.complexity.value, estimated_cost_usd=ran.estimate or 0.0,
        attempt=sum(a_try(r.status) for r in ctx.store.dispatches(ctx.repo, number)) + 1, by=by[:100],
    )
    return found


def _run_id(ctx: Context) -> int | None:
    try:
        return int(ctx.run_id or 0) or None
    except ValueError:
        return None


def _valid(enum, value):
    try:
        return enum(str(value).strip().lower()) if value not in (None, "") else None
    except ValueError:
        return None
