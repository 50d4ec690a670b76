"""The App's side of a finished run: a `workflow_run.completed` event, believed and read, into `run_finished`.

The executor workflow's `run-name` carries `#<issue> … [mr:<dispatch id>]`, which GitHub sends
as `workflow_run.display_title`; that ties a run to the dispatch (and issue) that started it, once
`bot.runs.trust.check_run` has proved the run is the bot's own dispatched run. The outcome comes from
the run's uploaded execution file; everything after that is `bot.runs.pull_outcome.run_ended`
(`bot.runs.finished.run_finished`, then the run's pull request).
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.context import Context, Result
from bot.github.port import GitHubError
from bot.runs.finished import RunReport, agent_step, followed_up, judge
from bot.runs.outcome import Outcome, parse_artifact_zip
from bot.runs.pull_outcome import record_branch, run_ended
from bot.runs.trust import check_run
from bot.runs.truth import branch_of, run_file

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


def workflow_run_finished(ctx: Context, run: dict, workflow: dict) -> Result:
    """A completed run of the executor workflow (others, and forged ones, are ignored) → `run_ended`."""
    check = check_run(ctx, run, workflow)  # forged runs (a fork's edited workflow, a copied title) stop here
    if not check.accepted:
        log.info("workflow run %s ignored: %s", run.get("id"), check.reason)
        return Result(action="ignored", messages=[f"run not started by model-router: {check.reason}"])
    row, run_id = check.row, int(run["id"])
    if followed_up(row):  # a redelivery: not even the artifact is read again; its PR is looked at until it is
        return run_ended(ctx, row, RunReport())
    outcome, texts, note = fetch_outcome(ctx, run_id)
    report = RunReport(
        outcome=outcome, run_id=run_id, run_url=run.get("html_url"), conclusion=run.get("conclusion"),
        duration_s=_seconds(run.get("run_started_at"), run.get("updated_at")), texts=texts, note=note,
        agent=agent_step(run_file(texts).get("agent")),  # the executor wrote it after the agent (docs/security.md)
    )
    row = record_branch(ctx, row, branch_of(texts), claimed=judge(report)[0] is True)  # ties the run to its PR
    return run_ended(ctx, row, report)
