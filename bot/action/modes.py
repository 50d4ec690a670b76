"""The Action's own modes, thin like the handlers: route-then-dispatch, and the cost report."""

from __future__ import annotations

from pathlib import Path

from bot.action.history import load_history
from bot.convoy import service as _convoy  # noqa: F401  (registers the convoy's reaction to a finished run)
from bot.context import Context, Result
from bot.issues.service import route_issue
from bot.measures import load_targets
from bot.measures.mermaid import report_markdown
from bot.permissions import allowed, permission
from bot.runs import executor
from bot.runs.outcome import MAX_BYTES, Outcome, parse_execution
from bot.runs.report_step import report_step_finished


def route_and_dispatch(ctx: Context, number: int, payload: dict) -> Result:
    """Route the issue (labels + sticky comment), then start the executor run on the routed model."""
    routed = route_issue(ctx, number)
    sender = (payload.get("sender") or {}).get("login") or ""
    if not allowed(ctx, sender, "write"):  # e.g. `mode: dispatch` on `issues: opened`: the author may be anyone
        have = permission(ctx, sender) if sender else "none"
        return Result(action="dispatch-refused", decision=routed.decision, outputs={**routed.outputs, "dispatch": "refused"},
                      messages=[*routed.messages, f"Not dispatched: starting a run needs write access, and the event's "
                                f"sender @{sender or '?'} has `{have}`. A maintainer can comment `/dispatch`."])
    cause = f"action:{ctx.run_id or 'local'}"
    result = executor.start_run(ctx, number, cause=cause, by=sender)
    outputs = dict(routed.outputs)
    outputs["dispatch"] = result.status
    if result.dispatch is not None:
        outputs["routing-id"] = result.dispatch.dispatch_id
    return Result(
        action="dispatched" if result.started else f"dispatch-{result.status}",
        decision=routed.decision,
        messages=[*routed.messages, result.message, *result.notes],
        outputs=outputs,
    )


def repository_report(ctx: Context, out_dir: Path) -> Result:
    """`mode: report` without an execution file: the repository's five numbers and Mermaid charts, from the
    routing history its sticky comments carry (bot.action.history), into the job summary and a file."""
    issues = load_history(ctx)
    markdown = report_markdown(ctx.store.rollup(repo=ctx.repo), title=f"model-router report: {ctx.repo}",
                               targets=load_targets())
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "model-router-report.md"
    path.write_text(markdown, encoding="utf-8")
    return Result(action="reported", messages=[f"{issues} routed issue(s) read back from the sticky comments"],
                  outputs={"report": markdown, "report-file": str(path), "issues": str(issues)})


def report(ctx: Context, number: int, execution_file: Path, payload: dict, plan_file: Path | None = None,
           branch: str | None = None, agent: str | None = None) -> Result:
    """Read claude-code-action's execution file (and a planning run's plan); the rest is bot.runs.report_step
    (`branch`: claude-code-action's `branch_name` step output, validated there; `agent`: its step's outcome). No file (the agent's job ended
    before the agent ran: an edited issue, a failed runner) or an unreadable one is a run without its agent."""
    outcome = _read_execution(execution_file)
    if not outcome.file and not agent:  # an older workflow without agent-outcome: a mistyped path looks the same
        ctx.notes.append(f"no execution file at {execution_file} and no agent-outcome: recorded as a run that never "
                         "reached its agent; if the agent ran, check the execution-file input")
    info = {**(payload.get("client_payload") or {}), **(payload.get("inputs") or {})}
    sender = (payload.get("sender") or {}).get("login") or "github-actions"
    return report_step_finished(ctx, number, outcome, info, by=sender, plan_json=_read_small(plan_file), branch=branch,
                                agent=agent)


def _read_execution(path: Path) -> Outcome:
    """The execution file's outcome: Outcome() when there is none, no result message when it cannot be read."""
    if not path.is_file():
        return Outcome()
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError:
        return Outcome(file=True)
    return parse_execution(data if len(data) <= MAX_BYTES else b"")


def _read_small(path: Path | None, limit: int = 256 * 1024) -> str | None:
    """A small text file the run left (the plan), or None when it is absent or too big."""
    try:
        return path.read_text(encoding="utf-8", errors="replace") if path and path.stat().st_size <= limit else None
    except OSError:
        return None
