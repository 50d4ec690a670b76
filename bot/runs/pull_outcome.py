"""A run's pull request changed (closed, merged, its checks completed, a writer reviewed it, a revert merged), or
its run ended: record what GitHub says the run achieved.

The run is found by the branch its executor pushed (read from the run's own artifact, `bot.runs.workflow_run`),
never by PR text: a pull request counts only when it is in this repository (not a fork), its head branch is the
run's branch and its author is the executor (`executor.pr_authors` or the bot) or a person with write access (the
Action leaves opening the PR to a person: `first_look`). The PR, its checks and reviews
are read from GitHub on every event (`bot.runs.pr_view`), so redeliveries and out-of-order events converge
(`bot.runs.truth`). A failure (checks failing, a writer's change request, closed unmerged, no PR) becomes the
run's status and escalates once per run with what failed (`bot.runs.failure_context`); a settled outcome lets
the services react (`bot.runs.finished.react`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from bot.context import Context, Result
from bot.github.port import GitHubError, PullInfo
from bot.issues.service import refresh_comment
from bot.permissions import allowed
from bot.runs import failure_context, truth
from bot.runs.escalation import not_started
from bot.runs.finished import (RunFinished, RunReport, awaits_pull, escalate_failure, pushed_nothing, react,
                                run_finished)
from bot.runs.pr_view import read_pull
from bot.runs.trust import not_executors_pull
from bot.store.records import DispatchRecord, stale_truth

log = logging.getLogger(__name__)


def pull_refusal(ctx: Context, p: PullInfo, branch: str, *, since: datetime | None) -> str | None:
    """Why `p` is not the run's PR on `branch` in this repository, or None when it is: opened after the run was
    dispatched (`since`), by the executor or by a person with write access from the run's branch (in Action mode a
    person always does). A run file can name a writer's older branch: its PR's checks are not the run's."""
    if p.head_ref != branch:  # checked first: it costs no request
        return "not the run's branch"
    if predates(p, since):
        return "opened before the run was dispatched"
    why = not_executors_pull(ctx, p)
    forked = (p.head_repo or "").lower() != ctx.repo.lower()
    return None if why and not forked and allowed(ctx, p.user_login, "write") else why


def predates(p: PullInfo, since: datetime | None) -> bool:
    """Whether `p` was opened before a run dispatched at `since` (either time unknown: yes, fail closed). GitHub
    gives whole seconds, so the dispatch time is compared at whole seconds too."""
    opened = utc(p.created_at)
    return opened is None or since is None or opened < since.replace(tzinfo=None, microsecond=0)


def utc(iso: str | None) -> datetime | None:
    """GitHub's timestamp as the store keeps times: naive UTC (None when it is not one)."""
    try:
        when = datetime.fromisoformat((iso or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when


def _seconds(start: datetime | None, end: str | None) -> float | None:
    if start is None or (merged := utc(end)) is None:
        return None
    return max(0.0, (merged - start.replace(tzinfo=None)).total_seconds())


def pull_outcome(ctx: Context, number: int | None, branch: str, pull: PullInfo | None = None, *,
                 refresh: bool = True) -> Result:
    """PR `number` on head `branch` changed: if it is a run's PR, record the run's outcome state once. Without a
    number (a check suite completing after the merge lists no PR), the run's recorded PR is read again; `pull` is
    the PR when the caller has just read it from GitHub (not from an event); `refresh` as in `settled`."""
    row = ctx.store.dispatch_for_branch(ctx.repo, branch) if truth.valid_branch(branch) else None
    if row is None or run_branch(ctx, branch) is None:
        return Result(action="ignored", messages=[f"no run pushed {branch!r}"])
    if (number := number or row.pr_number) is None:
        return Result(action="ignored", messages=[f"run {row.dispatch_id} has no pull request recorded yet"])
    got = pull if pull is not None and pull.number == number else read(ctx, number)  # GitHub's view, not the event's
    if isinstance(got, str):
        return Result(action="ignored", messages=[got])
    pull = got
    if why := pull_refusal(ctx, pull, branch, since=row.created_at):
        return Result(action="ignored", messages=[f"#{number} is not run {row.dispatch_id}'s: {why}"])
    view = read_pull(ctx, pull)
    state, success = truth.outcome(state=pull.state, merged=pull.merged, checked=view.checked,
                                   changes_requested=view.changes_requested)
    row, changed = ctx.store.record_truth(row.dispatch_id, truth=state, pr_number=number, success=success,
                                          time_to_merge_s=_seconds(row.created_at, pull.merged_at) if pull.merged else None)
    if not changed and not not_started(ctx, row):  # a retry whose escalation GitHub did not start: start it now
        return Result(action="ignored", messages=[f"run {row.dispatch_id} already {state}"])
    context = failure_context.summary(pr=number, state=state, failing=view.failing, changes=view.changes)
    return Result(action="outcome", messages=settled(ctx, row, success if changed else False, context, refresh=refresh))


def run_branch(ctx: Context, name: str | None) -> str | None:
    """`name` when it can be a run's branch in this repository (`truth.run_branch`: never the default branch)."""
    return truth.run_branch(name, ctx.default_branch) if truth.valid_branch(name) else None


def read(ctx: Context, number: int) -> PullInfo | str:
    """GitHub's view of PR `number`, or why it cannot be read (transient errors raise: the queue retries)."""
    try:
        return ctx.gh.get_pull(ctx.repo, number)
    except GitHubError as exc:
        if exc.transient:
            raise
        return f"#{number} unreadable ({exc.status})"


def settled(ctx: Context, row: DispatchRecord, success: bool | None, context: str = "", *,
            escalating: bool = True, refresh: bool = True) -> list[str]:
    """After a run's true outcome changed: the sticky comment (unless the caller refreshes it once later: `run_ended`),
    also when the escalation's dispatch raised (the record, and the run that did not start, shown before the retry);
    a failure escalates (once per run, with what failed); a settled outcome lets the services react (a convoy's task
    is done or failed only now)."""
    verdict = {True: "success", False: "failure", None: "pending"}[success]
    where = f" (#{row.pr_number})" if row.pr_number else ""
    messages = [f"run {row.dispatch_id} on {row.tier}: {row.truth}{where}, {verdict}"]
    try:
        if row.mode == "execute" and not ctx.dry_run:
            if success is False and escalating:
                messages += escalate_failure(ctx, row, context)
            if success is not None:
                messages += react(ctx, RunFinished(row, RunReport()))
    except GitHubError:
        if refresh:
            show(ctx, row.number)
        raise
    if refresh:
        refresh_comment(ctx, row.number)  # once, with any escalation's run in it
    return messages


def show(ctx: Context, number: int) -> None:
    """The sticky comment with what is recorded, before the job's error is raised (it is retried: the App's queue, a
    re-run of the Action's job, which reads the state line); an error of its own leaves the job's to be raised."""
    try:
        refresh_comment(ctx, number)
    except GitHubError as exc:
        log.warning("sticky comment of #%s not refreshed before the retry: %s", number, exc)


NO_PR = "The previous attempt opened no pull request: it changed nothing GitHub can check."


def record_branch(ctx: Context, row: DispatchRecord, branch: str | None, *, claimed: bool) -> DispatchRecord:
    """Record the branch a run pushed (the App: its artifact's; the Action: claude-code-action's step output), which
    ties the run to its pull request; an execute run that claims success on one is `claimed`, pending, until that
    PR says more. Once: a run already recorded, or already judged by its PR, keeps what it has; a branch another
    run recorded first stays that run's (this run then has none: `no_pr`, a failure)."""
    if row.finished or row.truth is not None or (branch := run_branch(ctx, branch)) is None:  # never main
        return row
    if (first := ctx.store.dispatch_for_branch(ctx.repo, branch)) and first.dispatch_id != row.dispatch_id:
        log.warning("run %s names branch %r, already run %s's: kept by the first, the run has none",
                    row.dispatch_id, branch, first.dispatch_id)
        return row  # first come, first kept: a forged name takes over no other run's outcome
    state = "claimed" if claimed and row.mode == "execute" else None
    return ctx.store.update_dispatch(row.dispatch_id, branch=branch, truth=state)


def run_ended(ctx: Context, row: DispatchRecord, report: RunReport) -> Result:
    """A run ended (the App's `workflow_run`, the Action's report step): its record (`run_finished`), then what its
    pull request says (`first_look`; `no_pull` when its run file — the App's artifact, the Action's `branch-name` —
    names no branch it may have: none, or the default branch), then the sticky comment once for both — one edit per
    run end, not one each. A redelivery with nothing left to do touches nothing."""
    try:
        res = run_finished(ctx, row, report)
        row = ctx.store.get_dispatch(row.dispatch_id) or row
        looked = no_pull(ctx, row) if pushed_nothing(row, report) else first_look(ctx, row)
    except GitHubError:  # the job is retried: the record now, with any escalation GitHub did not start
        show(ctx, row.number)
        raise
    if res.action != "ignored" or looked:
        refresh_comment(ctx, row.number)  # writes nothing in a dry run, nor when the body did not change
    if not looked:
        return res
    return Result(action="outcome", messages=res.messages + looked, outputs=res.outputs)


def first_look(ctx: Context, row: DispatchRecord) -> list[str]:
    """A run that claimed success is judged by its pull request: the newest from the branch it pushed (this
    repository's), else one the bot opens from that branch (claude-code-action pushes a branch and leaves the PR
    to a person); a branch with no change is `no_pr`, a failure, until a person closes the issue as completed.
    The Action only looks: without a pull request the run stays `claimed` (pending) until one closes. The caller
    refreshes the sticky comment (`run_ended`)."""
    if ctx.dry_run:
        return []
    if not awaits_pull(row):
        return retry_escalation(ctx, row)
    branch, opens = row.branch or "", opens_pulls(ctx)
    if row.truth is None:  # pending from now on: a lookup that fails below never leaves the claim standing
        row, _ = ctx.store.record_truth(row.dispatch_id, truth="claimed", pr_number=None, success=None,
                                        time_to_merge_s=None)
    try:
        pull = ctx.gh.find_pull(ctx.repo, branch) or (open_pull(ctx, row, branch) if opens else None)
    except GitHubError as exc:
        if exc.transient:
            raise
        return [f"pull requests of {branch!r} unreadable ({exc.status})"]
    if pull is not None and predates(pull, row.created_at):  # a writer's older PR: the run opened none of its own
        return no_pull(ctx, row)
    if pull is not None:
        return pull_outcome(ctx, pull.number, branch, pull, refresh=False).messages  # just read: not read again
    if opens:
        return no_pull(ctx, row)
    return [f"run {row.dispatch_id} pushed {branch!r}: pending until its pull request closes"]


def retry_escalation(ctx: Context, row: DispatchRecord) -> list[str]:
    """A run that opened no pull request (`no_pull`), whose escalation GitHub did not start (the job raised,
    `bot.runs.escalation`): the job's retry starts it, told what failed as the first time. (A failure its pull
    request said is retried by the PR's next event, `pull_outcome`.)"""
    return settled(ctx, row, False, NO_PR, refresh=False) if row.truth == "no_pr" and not_started(ctx, row) else []


def opens_pulls(ctx: Context) -> bool:
    """Whether the bot opens a run's pull request itself: the App does. The Action does not, because GitHub starts
    no workflow for events its GITHUB_TOKEN causes, so the PR's checks would never run; a person opens it
    (claude-code-action's "Create PR" link), and a branch without one is pending, not `no_pr`."""
    return ctx.mode == "app"  # GitHub quirk: a GITHUB_TOKEN's pull request starts no `pull_request` workflow


def open_pull(ctx: Context, row: DispatchRecord, branch: str) -> PullInfo | None:
    """The run's pull request, opened by the bot (whose PRs start the repository's checks, unlike the workflow
    token's) when the branch holds commits the default branch lacks; None when it holds none or is gone."""
    base = ctx.default_branch
    try:
        ahead = ctx.gh.compare(ctx.repo, base, branch).ahead_by
    except GitHubError as exc:
        if exc.transient or exc.status not in (404, 422):
            raise
        return None
    if ahead < 1:
        return None
    issue = ctx.gh.get_issue(ctx.repo, row.number)
    body = (f"Closes #{row.number}\n\nOpened by model-router from the branch `{branch}` that the {row.tier} run "
            f"`{row.dispatch_id}` (attempt {row.attempt or 1}) pushed.")
    return ctx.gh.create_pull(ctx.repo, head=branch, base=base, title=issue.title[:200] or f"#{row.number}", body=body)


def no_pull(ctx: Context, row: DispatchRecord) -> list[str]:
    """The run claimed success but pushed no pull request: a failure (the next tier is told so); the caller refreshes
    the sticky comment (`run_ended`)."""
    row, changed = ctx.store.record_truth(row.dispatch_id, truth="no_pr", pr_number=None, success=False,
                                          time_to_merge_s=None)
    return settled(ctx, row, False, NO_PR, refresh=False) if changed else []


def closed_by_person(ctx: Context, number: int, *, completed: bool) -> list[str]:
    """A person closed the issue as completed: its latest run that opened no PR succeeded after all."""
    rows = [r for r in ctx.store.dispatches(ctx.repo, number) if r.mode == "execute" and r.truth == "no_pr"]
    if not completed or not rows:
        return []
    row, changed = ctx.store.record_truth(rows[-1].dispatch_id, truth="issue_completed", pr_number=None, success=True,
                                          time_to_merge_s=None)
    return settled(ctx, row, True) if changed else []
