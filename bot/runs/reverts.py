"""A run's merged pull request undone: a revert merged with GitHub's Revert button (`Reverts owner/repo#N`) or a
`git revert` of its merge commit pushed to the default branch, within `executor.revert_window_days` of the merge,
makes the run `reverted` — a failure. Not escalated: the issue's work is undone, and a person decides what next."""

from __future__ import annotations

import re
from datetime import datetime

from bot.context import Context, Result
from bot.runs.pull_outcome import pull_outcome, read, settled, utc
from bot.store.records import utcnow

_REVERTS = re.compile(r"^Reverts ([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)#([0-9]{1,9})\s*$", re.M)  # GitHub's Revert button
_GIT_REVERT = re.compile(r"^This reverts commit ([0-9a-f]{40})\b", re.M)  # `git revert`'s message
MAX_REVERTED = 5  # merge commits looked up per push


def pull_closed(ctx: Context, number: int, branch: str, body: str) -> Result:
    """A pull request closed: if it was a run's, its outcome; if it merged a revert of a run's merged PR, that run
    is `reverted`, within the window."""
    res = pull_outcome(ctx, number, branch)
    m = _REVERTS.search(body or "")
    if not m or m.group(1).lower() != ctx.repo.lower():
        return res
    messages = reverted(ctx, number, int(m.group(2)))
    return Result(action="outcome", messages=messages) if messages else res


def reverted(ctx: Context, revert: int, original: int) -> list[str]:
    """PR `revert` reverts PR `original`: counted once GitHub says it merged."""
    if isinstance(undo := read(ctx, revert), str):
        return [undo]
    if not undo.merged:
        return [f"#{revert} reverts #{original}, but was not merged"]
    return _undone(ctx, original, utc(undo.merged_at), f"#{revert}")


def pushed_reverts(ctx: Context, ref: str, default_branch: str, commits: list[dict]) -> list[str]:
    """A push to the default branch whose commits revert merge commits (`This reverts commit <sha>`): each run PR
    that merged one of them is `reverted` (the push is now). Pushing to the default branch takes write access."""
    if ref != f"refs/heads/{default_branch}":
        return []
    shas = sorted({m.group(1) for c in commits[:100] for m in _GIT_REVERT.finditer(str(c.get("message") or ""))})
    messages: list[str] = []
    for sha in shas[:MAX_REVERTED]:
        for pull in ctx.gh.pulls_for_commit(ctx.repo, sha):
            if pull.merged:
                messages += _undone(ctx, pull.number, utcnow(), f"a push reverting {sha[:12]}")
    return messages


def _undone(ctx: Context, original: int, when: datetime | None, by: str) -> list[str]:
    """Run PR `original` was undone at `when` by `by`: within the window of its merge, the run failed after all."""
    row = ctx.store.dispatch_for_pull(ctx.repo, original)
    if row is None or row.truth != "merged":
        return []
    if isinstance(done := read(ctx, original), str):
        return [done]
    merged = utc(done.merged_at)
    gap = (when - merged).total_seconds() if when and merged and done.merged else None
    if gap is None or gap > ctx.config.executor.revert_window_days * 86_400:
        return [f"{by} reverts #{original}, but not within the window"]
    row, changed = ctx.store.record_truth(row.dispatch_id, truth="reverted", pr_number=original, success=False,
                                          time_to_merge_s=row.time_to_merge_s)
    return settled(ctx, row, False, escalating=False) if changed else []

