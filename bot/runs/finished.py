"""An executor run finished: the one path the App (`workflow_run`) and the Action (`mode: report`) both take.

The surfaces only say which dispatch finished and what they saw of the run (`RunReport`); from there on it
is the same for both: `judge` reads the outcome (the one place that decides what a finished run achieved, or that
its agent never ran: recorded as NO_AGENT, no tier's failure), the store records it, a failure escalates per the
repository's ladder, and every service that reacts to a
finished run (a convoy advances) runs through `after_run`, a hook this module owns, so `bot.runs` imports none of
them. The surfaces reach it through `bot.runs.pull_outcome.run_ended`, which also looks at the run's pull request
and then refreshes the sticky comment once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from bot.context import Context, Result
from bot.measures.definitions import API_REFUSED, NO_FILE, NO_RESULT, SETUP_FAILED
from bot.runs.escalation import escalate
from bot.runs.outcome import RUN_FILE, Outcome
from bot.store.records import DispatchRecord

# the agent step's outcome as GitHub reports it (`steps.claude.outcome`): these three mean the step ran (a failure
# ran the agent only if it left an execution file: `never_ran`)
AGENT_RAN = ("success", "failure", "cancelled")
AGENT_STEP = (*AGENT_RAN, "skipped")


def agent_step(value: object) -> str | None:
    """The agent step's outcome the executor recorded, or None when it is not one GitHub reports (unknown)."""
    text = value.strip().lower() if isinstance(value, str) else ""
    return text if text in AGENT_STEP else None


@dataclass(frozen=True)
class RunReport:
    """What a surface saw of a finished run."""

    outcome: Outcome = field(default_factory=Outcome)
    run_id: int | None = None
    run_url: str | None = None
    conclusion: str | None = None  # the workflow run's conclusion, when the surface saw the run end (the App)
    duration_s: float | None = None
    texts: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # plan.md, the plan's JSON
    note: str | None = None  # what the surface could not read (no artifact, no result message)
    agent: str | None = None  # the agent step's outcome (AGENT_STEP) the executor recorded; None: unknown


@dataclass(frozen=True)
class RunFinished:
    """The event services react to: the dispatch as recorded, and what its run left."""

    row: DispatchRecord
    report: RunReport

    @property
    def number(self) -> int:
        return self.row.number

    @property
    def mode(self) -> str:
        return self.row.mode

    @property
    def succeeded(self) -> bool:
        return self.row.status == "success"

    @property
    def failed(self) -> bool:
        """Its agent ran and failed: the tier's failure, which escalates (a run without its agent does not)."""
        return self.row.status == "failure"


AfterRun = Callable[[Context, RunFinished], "str | None"]
AFTER_RUN: list[AfterRun] = []


def after_run(react: AfterRun) -> AfterRun:
    """Register a service's reaction to a finished run (after the record and any escalation); it returns a note."""
    if react not in AFTER_RUN:
        AFTER_RUN.append(react)
    return react


def never_ran(report: RunReport) -> str | None:
    """Why the run's agent never ran (the conclusion `judge` records), or None when it ran: its execution file holds a
    result message, the executor says its agent step ran (AGENT_RAN: cancelled by the job's time limit, crashed, or
    out of turns or budget without a result: the tier's failure), or GitHub says the run succeeded (the App could
    not read its artifact). It did not when the run ended before (the executor refused an issue edited after the
    dispatch: the step was skipped; the runner failed: nothing recorded), nor when the executor failed before the
    model did any work, as it would on every tier (`executor_failed`); unknown is not: only an agent that
    demonstrably ran counts against its tier (docs/security.md). Never a success without a result message."""
    outcome = report.outcome
    if failed := executor_failed(report):
        return failed
    if outcome.found or report.agent in AGENT_RAN or report.conclusion == "success":
        return None
    return NO_RESULT if outcome.file else NO_FILE


def executor_failed(report: RunReport) -> str | None:
    """SETUP_FAILED when the agent step failed and left no execution file, or one without a readable message (the
    Agent SDK failing before its first message writes `[]`): claude-code-action checks its environment
    (the API key among it) and installs the Claude CLI first, and writes the file once the CLI ran, so the model was
    never reached (a step cancelled without one most likely hit the job's time limit: the tier's). API_REFUSED when
    the CLI's result message is an error that cost nothing within its one synthetic turn (an invalid API key, an
    API it could not reach): no model output was billed. Else None."""
    outcome = report.outcome
    if report.agent == "failure" and not (outcome.found or outcome.messages):  # no file, or one with no message
        return SETUP_FAILED
    if outcome.found and outcome.is_error and outcome.total_cost_usd == 0 and outcome.num_turns in (0, 1):
        return API_REFUSED
    return None


def ended_without_result(report: RunReport) -> str:
    """What the next tier is told of an attempt whose agent ran but left no result message ("" otherwise)."""
    if report.outcome.found or report.agent not in AGENT_RAN:
        return ""
    return (f"The previous attempt's agent step ended ({report.agent}) without a result message: it may have hit "
            "the job's time limit, its turn or budget cap, or crashed. Keep the change smaller and finish sooner.")


def judge(report: RunReport) -> tuple[bool | None, str | None]:
    """Whether the run succeeded (None: its agent never ran, `never_ran`), and the conclusion to record — the
    one rule for the App and the Action. A workflow run that concluded (the App sees it) succeeded when GitHub
    says so and its execution file does not say otherwise; the Action's report step runs before its job
    concludes, so there the execution file alone decides. A run without its agent records why (`never_ran`): it
    does not escalate, and learning does not count it (status NO_AGENT)."""
    outcome = report.outcome
    if why := never_ran(report):
        return None, why
    if report.conclusion is None:
        return outcome.succeeded, None if outcome.found else f"agent {report.agent}: no result"
    return report.conclusion == "success" and (outcome.succeeded if outcome.found else True), report.conclusion


def verdict(success: bool | None, conclusion: str | None) -> str:
    """What a log line or message says of a judged run."""
    return f"no agent run ({conclusion})" if success is None else ("success" if success else "failure")


def followed_up(row: DispatchRecord) -> bool:
    """This dispatch's run was recorded and everything after it done: a redelivery has nothing left to do."""
    return row.finished and row.followed_up


def run_finished(ctx: Context, dispatch: DispatchRecord, report: RunReport) -> Result:
    """Record the run of `dispatch`, escalate a failure, let the services react; once. The sticky comment is the
    caller's: `bot.runs.pull_outcome.run_ended` refreshes it once, after the run's pull request is looked at too."""
    if followed_up(dispatch):
        return Result(action="ignored", messages=[f"run {dispatch.dispatch_id} already recorded"])
    retried = dispatch.finished  # recorded, but the follow-up did not finish (a retried job)
    success, conclusion = judge(report)
    outcome = report.outcome
    row, first = ctx.store.record_outcome(
        dispatch.dispatch_id, run_id=report.run_id, success=success, conclusion=conclusion, run_url=report.run_url,
        duration_s=report.duration_s, actual_cost_usd=outcome.total_cost_usd, num_turns=outcome.num_turns,
        duration_ms=outcome.duration_ms,
    )
    if not first and not retried:  # a concurrent delivery recorded it first, and follows it up
        return Result(action="ignored", messages=[f"run {row.dispatch_id} already recorded"])
    if first:
        messages = [f"{row.mode} run {row.dispatch_id} on {row.tier}: {verdict(success, conclusion)}"]
        messages += [report.note] if report.note else []
    else:  # redo the follow-up; dispatches are idempotent
        messages = [f"run {row.dispatch_id} follow-up retried"]
    return _follow_up(ctx, RunFinished(row, report), messages)


def escalate_failure(ctx: Context, row: DispatchRecord, context: str = "") -> list[str]:
    """The next tier after a failed run, once per failed run (`escalate` claims it by the run's id, else its dispatch
    id): its comment; what it said (the caller refreshes the sticky comment once). A repeat (a redelivery, the run's
    PR failing after the agent gave up, checks failing again after a re-run) says nothing. A dispatch GitHub failed
    raises (the job is retried; `escalate` said so once)."""
    if not (comment := escalate(ctx, row, context)):
        return []
    ctx.gh.create_comment(ctx.repo, row.number, comment)
    return [next(line for line in comment.splitlines() if not line.startswith("<!--"))]


def awaits_pull(row: DispatchRecord) -> bool:
    """A run that claimed success on a branch and whose pull request is not known yet: what it achieved is that
    PR's (bot.runs.pull_outcome)."""
    return (row.mode == "execute" and row.status == "success" and row.branch is not None
            and row.truth in (None, "claimed") and row.pr_number is None)


def pushed_nothing(row: DispatchRecord, report: RunReport) -> bool:
    """An execute run that claims success while its run file (the App's artifact, the Action's `branch-name`) names
    no branch it may have (none, or the default branch: `record_branch` keeps neither): no pull request can say
    what it achieved, so it is `no_pr`, a failure (bot.runs.pull_outcome.no_pull), not a success to react to."""
    return (RUN_FILE in report.texts and row.branch is None and row.mode == "execute" and row.status == "success"
            and row.truth is None)


def react(ctx: Context, run: RunFinished) -> list[str]:
    """Every registered service's reaction to a run whose outcome is known (a convoy advances); their notes."""
    return [note for react_ in AFTER_RUN if (note := react_(ctx, run))]


def _follow_up(ctx: Context, run: RunFinished, messages: list[str]) -> Result:
    """Escalate a failure (never a run whose agent did not run), then every registered reaction (a convoy) unless
    the run's PR will say what it achieved; mark the run followed up."""
    row = run.row
    if not ctx.dry_run:
        if run.failed:
            messages += escalate_failure(ctx, row, ended_without_result(run.report))
        if not awaits_pull(row) and not pushed_nothing(row, run.report):  # else its PR, or no_pr, settles it
            messages += react(ctx, run)
        ctx.store.update_dispatch(row.dispatch_id, followed_up=True)
    cost = row.actual_cost_usd
    return Result(
        action="outcome",
        messages=messages,
        outputs={
            "success": "true" if run.succeeded else "false",
            "actual_cost_usd": "" if cost is None else f"{cost:.6f}",
            "tier": row.tier,
        },
    )
