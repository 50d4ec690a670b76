"""A person's quality score (1–5) of an issue's latest executor run: one per run, the latest wins, shown as `N/5`.

The score sits beside success, cost and time on the run's own row (`IssueStore.record_score`), so the sticky
comment's runs table and its state line carry it (the Action recovers it from there), `/cost` shows it and
the measures count it (`bot.measures.definitions.average_score`). The note is untrusted text: one line,
bounded here, and shown only through `bot.untrusted`.
"""

from __future__ import annotations

from bot.context import Context, Result
from bot.issues.service import refresh_comment
from bot.store.records import DISPATCH_ERROR, MAX_SCORE_NOTE, NO_AGENT, DispatchRecord

SCORES = range(1, 6)


def score_of(text: str | None) -> int | None:
    """`"4"` → 4; anything but a whole number from 1 to 5 (`"0"`, `"6"`, `"four"`, `"4.5"`, nothing) → None."""
    if text is None or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if value in SCORES else None


def bounded_note(text: str) -> str:
    """The note as kept: one line of single spaces, at most MAX_SCORE_NOTE characters."""
    note = " ".join(text.split())
    return note if len(note) <= MAX_SCORE_NOTE else note[: MAX_SCORE_NOTE - 1] + "…"


def latest_run(ctx: Context, number: int) -> DispatchRecord | None:
    """The issue's latest dispatch (the run a `/rate` is about), or None when it has none; a dispatch GitHub
    refused (`error`: no run ever started) is not a run."""
    runs = [run for run in ctx.store.dispatches(ctx.repo, number) if run.status != DISPATCH_ERROR]
    return runs[-1] if runs else None


def rate(ctx: Context, number: int, *, score: int, by: str, note: str = "", pull: bool = False) -> Result:
    """Record `score` (1–5) by `by` for the issue's latest run — on a pull request, for the run whose PR it is
    (bot.runs.pull_outcome recorded it) — replacing an earlier one; refresh the issue's comment. A run whose agent
    never ran (NO_AGENT) is refused: there is no work of a tier's to score."""
    if score not in SCORES:
        raise ValueError(f"a score is a whole number from 1 to 5, not {score!r}")
    run = ctx.store.dispatch_for_pull(ctx.repo, number) if pull else latest_run(ctx, number)
    if run is None:
        return Result(action="ignored", messages=[f"#{number} has no executor run to rate"])
    if run.status == NO_AGENT:  # it ended before its agent ran: no work to score (bot.runs.finished.judge)
        return Result(action="refused", messages=[f"run {run.dispatch_id} never reached its agent: not rated"],
                      outputs={"dispatch_id": run.dispatch_id, "attempt": str(run.attempt), "tier": run.tier})
    number = run.number
    row, earlier = ctx.store.record_score(run.dispatch_id, score=score, by=by[:100], note=bounded_note(note))
    refresh_comment(ctx, number)  # writes nothing in a dry run
    return Result(
        action="rated",
        messages=[f"run {row.dispatch_id} rated {score}/5 by {by}" + (f" (was {earlier}/5)" if earlier else "")],
        outputs={"dispatch_id": row.dispatch_id, "attempt": str(row.attempt), "tier": row.tier, "score": str(score),
                 "earlier_score": "" if earlier is None else str(earlier), "note": row.score_note or ""},
    )
