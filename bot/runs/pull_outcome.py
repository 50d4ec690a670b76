"""A run's pull request changed (closed, merged, its checks completed): record what GitHub says the run achieved.

The run is found by the branch its executor pushed (read from the run's own artifact, `bot.runs.workflow_run`),
never by PR text: a pull request counts only when it is in this repository (not a fork), its head branch is the
run's branch and its author is the executor (`executor.pr_authors` or the bot). The PR, its head's statuses and
check runs are read from GitHub on every event, so redeliveries and out-of-order events converge
(`bot.runs.truth`). A settled outcome (merged with checks passing: success; closed unmerged or merged with
failing checks: failure) becomes the run's status, which learning and the measures read; a settled failure
escalates to the next tier once per run (`bot.runs.finished.escalate_failure`, keyed by the run's id, as when the
agent itself gives up). Failing checks on a still-open PR are recorded (`checks_failed`) but do not escalate yet.
"""

from __future__ import annotations

from datetime import datetime, timezone

from bot.context import Context, Result
from bot.github.port import GitHubError, PullInfo
from bot.issues.service import refresh_comment
from bot.runs import truth
from bot.runs.finished import escalate_failure
from bot.runs.trust import not_executors_pull


def _executors(ctx: Context, p: PullInfo, branch: str) -> str | None:
    """Why `p` is not the executor's PR on `branch` in this repository, or None when it is."""
    if why := not_executors_pull(ctx, p):
        return why
    return None if p.head_ref == branch else "not the run's branch"


def _seconds(start: datetime | None, end: str | None) -> float | None:
    if start is None or not end:
        return None
    try:
        merged = datetime.fromisoformat(end.replace("Z", "+00:00"))
    except ValueError:
        return None
    merged = merged.astimezone(timezone.utc).replace(tzinfo=None) if merged.tzinfo else merged  # the store: naive UTC
    return max(0.0, (merged - start.replace(tzinfo=None)).total_seconds())


def _checks(ctx: Context, sha: str) -> str:
    """The head's checks verdict; checks GitHub will not show (no permission) are `pending`, never `passed`."""
    try:
        statuses = [(s.context, s.state) for s in ctx.gh.commit_statuses(ctx.repo, sha)]
        runs = [(r.name, r.status, r.conclusion) for r in ctx.gh.check_runs(ctx.repo, sha)]
    except GitHubError as exc:
        if exc.transient:
            raise
        return "pending"
    return truth.checks(statuses, runs)


def pull_outcome(ctx: Context, number: int | None, branch: str) -> Result:
    """PR `number` on head `branch` changed: if it is a run's PR, record the run's outcome state once. Without a
    number (a check suite completing after the merge lists no PR), the run's recorded PR is read again."""
    row = ctx.store.dispatch_for_branch(ctx.repo, branch) if truth.valid_branch(branch) else None
    if row is None:
        return Result(action="ignored", messages=[f"no run pushed {branch!r}"])
    if (number := number or row.pr_number) is None:
        return Result(action="ignored", messages=[f"run {row.dispatch_id} has no pull request recorded yet"])
    try:
        pull = ctx.gh.get_pull(ctx.repo, number)  # GitHub's view now, not the event's
    except GitHubError as exc:
        if exc.transient:
            raise  # the queue retries the job
        return Result(action="ignored", messages=[f"#{number} unreadable ({exc.status})"])
    if why := _executors(ctx, pull, branch):
        return Result(action="ignored", messages=[f"#{number} is not run {row.dispatch_id}'s: {why}"])
    state, success = truth.outcome(state=pull.state, merged=pull.merged, checked=_checks(ctx, pull.head_sha))
    if row.truth == "merged" and state != "merged":  # a merge is final: an event read before it is stale
        return Result(action="ignored", messages=[f"run {row.dispatch_id} already merged"])
    row, changed = ctx.store.record_truth(row.dispatch_id, truth=state, pr_number=number, success=success,
                                          time_to_merge_s=_seconds(row.created_at, pull.merged_at) if pull.merged else None)
    if not changed:
        return Result(action="ignored", messages=[f"run {row.dispatch_id} already {state}"])
    refresh_comment(ctx, row.number)
    verdict = {True: "success", False: "failure", None: "pending"}[success]
    messages = [f"run {row.dispatch_id} on {row.tier}: {state} (#{number}), {verdict}"]
    if success is False and row.mode == "execute" and not ctx.dry_run:  # a real failure: the next tier, once per run
        messages += escalate_failure(ctx, row, row.run_id or 0)
    return Result(action="outcome", messages=messages)
