"""A finished executor run → its outcome and actual cost, the sticky comment updated, escalation or a convoy started.

The executor workflow's `run-name` carries `#<issue> … [mr:<dispatch id>]`, which GitHub sends
as `workflow_run.display_title`; that ties a run to the dispatch (and issue) that started it, once
`bot.runs.trust.check_run` has proved the run is the bot's own dispatched run.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.context import Context, Result
from bot.convoy import service
from bot.github.port import GitHubError
from bot.issues.service import refresh_comment  # renders the runs table from the store
from bot.runs.escalation import escalate
from bot.runs.outcome import PLAN_FILE, Outcome, parse_artifact_zip
from bot.runs.trust import check_run

log = logging.getLogger(__name__)

ARTIFACT_PREFIX = "model-router-execution"


def _seconds(start: str | None, end: str | None) -> float | None:
    try:
        a = datetime.fromisoformat(str(start).replace("Z", "+00:00"))
        b = datetime.fromisoformat(str(end).replace("Z", "+00:00"))
    except ValueError:
        return None
    return max(0.0, (b - a).total_seconds())


def fetch_outcome(ctx: Context, run_id: int) -> tuple[Outcome, dict[str, str], str | None]:
    """The execution file's outcome from the run's artifact; a missing artifact is a note, not an error."""
    try:
        artifacts = ctx.gh.list_run_artifacts(ctx.repo, run_id)
    except GitHubError as exc:
        if exc.transient:
            raise
        return Outcome(), {}, f"artifacts unavailable ({exc.status})"
    ours = [a for a in artifacts if a.name.startswith(ARTIFACT_PREFIX)] or artifacts[:1]
    if not ours:
        return Outcome(), {}, "the run uploaded no execution file"
    try:
        blob = ctx.gh.download_artifact(ctx.repo, ours[0].id)
    except GitHubError as exc:
        if exc.transient:
            raise
        return Outcome(), {}, f"artifact download failed ({exc.status})"
    outcome, texts = parse_artifact_zip(blob)
    return outcome, texts, None if outcome.found else "the execution file had no result message"


def _start_convoy(ctx: Context, row: dict, run_id: int, outcome: Outcome, texts: dict[str, str]) -> str:
    """A finished planning run: its plan (structured, else plain text) becomes a convoy of sub-issues."""
    plain = next((t for name, t in sorted(texts.items()) if name.endswith("plan.md") and t.strip()), "") or outcome.result
    service.start(ctx, int(row["number"]), run_id=run_id, plan_json=texts.get(PLAN_FILE), plan_text=plain)
    return ""  # the convoy comment on the parent says what happened


def run_completed(ctx: Context, run: dict, workflow: dict) -> Result:
    """Record a completed workflow run of the executor workflow (others are ignored), then follow it up."""
    check = check_run(ctx, run, workflow)  # forged runs (a fork's edited workflow, a copied title) stop here
    if not check.accepted:
        log.info("workflow run %s ignored: %s", run.get("id"), check.reason)
        return Result(action="ignored", messages=[f"run not started by model-router: {check.reason}"])
    row = check.row
    run_id = int(run["id"])
    number = int(row["number"])
    if row["status"] in ("success", "failure"):
        if row.get("followed_up"):
            return Result(action="ignored", messages=[f"run {row['dispatch_id']} already recorded"])
        # Recorded, but the follow-up did not finish (a retried job): redo it; dispatches are idempotent.
        outcome, texts = Outcome(), {}
        if row["mode"] == "plan" and row["status"] == "success":
            outcome, texts, _ = fetch_outcome(ctx, run_id)
        return _follow_up(ctx, row, run_id, outcome, texts, [f"run {row['dispatch_id']} follow-up retried"])
    outcome, texts, note = fetch_outcome(ctx, run_id)
    success = run.get("conclusion") == "success" and (outcome.succeeded if outcome.found else True)
    row, first = ctx.store.record_outcome(
        row["dispatch_id"], run_id=run_id, success=success, conclusion=run.get("conclusion"), run_url=run.get("html_url"),
        duration_s=_seconds(run.get("run_started_at"), run.get("updated_at")),
        actual_cost_usd=outcome.total_cost_usd, num_turns=outcome.num_turns, duration_ms=outcome.duration_ms,
    )
    if not first:
        return Result(action="ignored", messages=[f"run {row['dispatch_id']} already recorded"])
    messages = [f"{row['mode']} run {row['dispatch_id']} on {row['tier']}: {'success' if success else 'failure'}"]
    if note:
        messages.append(note)
    if not ctx.dry_run:
        refresh_comment(ctx, number)
    return _follow_up(ctx, row, run_id, outcome, texts, messages)


def _follow_up(ctx: Context, row: dict, run_id: int, outcome: Outcome, texts: dict[str, str], messages: list[str]) -> Result:
    """Escalate a failure, or turn a finished plan into a convoy; update the task's convoy; mark the run followed up."""
    number, success = int(row["number"]), row["status"] == "success"
    if not ctx.dry_run:
        comment = ""
        if not success:
            comment = escalate(ctx, row, run_id)
        elif row["mode"] == "plan":
            comment = _start_convoy(ctx, row, run_id, outcome, texts)
        if comment:
            ctx.gh.create_comment(ctx.repo, number, comment)
            messages.append(next(line for line in comment.splitlines() if not line.startswith("<!--")))
            refresh_comment(ctx, number)
        if row["mode"] != "plan":
            if note := service.on_run(ctx, number):  # a convoy task: update it, dispatch what it unblocked
                messages.append(note)
        ctx.store.update_dispatch(row["dispatch_id"], followed_up=True)
    cost = row.get("actual_cost_usd")
    return Result(
        action="outcome",
        messages=messages,
        outputs={
            "success": "true" if success else "false",
            "actual_cost_usd": "" if cost is None else f"{cost:.6f}",
            "tier": row["tier"],
        },
    )
