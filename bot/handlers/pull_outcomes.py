"""A run's pull request closed (or a revert of one merged), its checks completed or a writer reviewed it → what
GitHub says the run achieved (bot.runs.pull_outcome)."""

from __future__ import annotations

from bot.context import Context, Result
from bot.handlers.registry import register
from bot.runs.pull_outcome import pull_outcome
from bot.runs.reverts import pull_closed

MAX_PULLS = 10  # a check suite lists the open same-repository PRs of its head; a run's branch has one


@register("pull_request", "closed", bots=True)  # merged or not; a merge queue or a bot may close it
@register("pull_request_target", "closed", bots=True)  # the Action's: runs the base branch's workflow
def on_closed(payload: dict, ctx: Context) -> Result:
    pull = payload["pull_request"]
    return pull_closed(ctx, int(pull["number"]), str((pull.get("head") or {}).get("ref") or ""), str(pull.get("body") or ""))


@register("pull_request_review", "submitted", "dismissed")  # a writer asked for changes, or took it back
def on_review(payload: dict, ctx: Context) -> Result:
    pull = payload["pull_request"]
    return pull_outcome(ctx, int(pull["number"]), str((pull.get("head") or {}).get("ref") or ""))


@register("check_suite", "completed", bots=True)  # GitHub Actions' suites are sent by a bot
def on_suite(payload: dict, ctx: Context) -> Result:
    suite = payload.get("check_suite") or {}
    numbers = [int(p["number"]) for p in (suite.get("pull_requests") or [])[:MAX_PULLS]] or [None]  # None: merged
    results = [pull_outcome(ctx, n, str(suite.get("head_branch") or "")) for n in numbers]
    return next((r for r in results if r.action != "ignored"), results[0])
