"""Which finished workflow runs the bot believes: only executor runs its own dispatch started, on its own ref.

A `workflow_run` event says nothing about who wrote the workflow file that ran: a fork's pull request can
edit `model-router-executor.yml` to run `on: pull_request`, upload an artifact of its choosing and put
`#<issue>` or even `[mr:<id>]` in its title. So a run counts only when every fact GitHub (not the run's
author) controls matches the dispatch: the event is a dispatch, the head repository is this repository,
the branch is the executor ref, the actor is the bot, and the title carries a dispatch id of this
repository. This is the one check; everything that handles executor runs calls `check_run`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.context import Context
    from bot.github.port import PullInfo
    from bot.store.records import DispatchRecord

DISPATCH_EVENTS = ("workflow_dispatch", "repository_dispatch")
_DISPATCH_ID = re.compile(r"\[mr:([A-Za-z0-9._-]{1,64})\]")


@dataclass(frozen=True)
class RunCheck:
    """The dispatch row a run belongs to, or why the run is not believed."""

    row: "DispatchRecord | None"
    reason: str = ""

    @property
    def accepted(self) -> bool:
        return self.row is not None


def dispatch_id_of(title: str) -> str | None:
    """The dispatch id a run's title (its run-name) carries in `[mr:<id>]`, or None."""
    m = _DISPATCH_ID.search(title or "")
    return m.group(1) if m else None


def executor_ref(ctx: "Context") -> str:
    """The branch executor runs start on: `executor.ref`, else the default branch (as executor.dispatch uses)."""
    return ctx.config.executor.ref or ctx.default_branch


def is_executor_workflow(run: dict, workflow: dict, executor_file: str) -> bool:
    path = (run.get("path") or workflow.get("path") or "").split("@", 1)[0]  # "@ref" for reusable workflows
    name = executor_file.rsplit("/", 1)[-1]
    return path == f".github/workflows/{name}"


def check_run(ctx: "Context", run: dict, workflow: dict | None = None) -> RunCheck:
    """Accept a completed run (`workflow_run` of the payload) only when it provably is the bot's own dispatched
    executor run."""
    if not is_executor_workflow(run, workflow or {}, ctx.config.executor.workflow):
        return RunCheck(None, "not the executor workflow")
    event = run.get("event")
    if event not in DISPATCH_EVENTS:
        return RunCheck(None, f"started by {event!r}, not by a dispatch")
    repo = ctx.repo.lower()
    for key in ("repository", "head_repository"):
        name = str((run.get(key) or {}).get("full_name") or "").lower()
        if name != repo:
            return RunCheck(None, f"its {key.replace('_', ' ')} is {name or 'unknown'!r}, not {ctx.repo!r}")
    ref = executor_ref(ctx)
    if run.get("head_branch") != ref:
        return RunCheck(None, f"ran on branch {run.get('head_branch')!r}, not the executor ref {ref!r}")
    actor = str((run.get("actor") or {}).get("login") or "")
    if actor.lower() != ctx.gh.bot_login().lower():
        return RunCheck(None, f"started by {actor or 'nobody'!r}, not by model-router")
    dispatch_id = dispatch_id_of(str(run.get("display_title") or ""))
    if not dispatch_id:
        return RunCheck(None, "its title carries no dispatch id")
    row = ctx.store.get_dispatch(dispatch_id)
    if not row or row.repo.lower() != repo:
        return RunCheck(None, f"dispatch id {dispatch_id!r} is not one of this repository's runs")
    return RunCheck(row)


def not_executors_pull(ctx: "Context", pull: "PullInfo") -> str | None:
    """Why `pull` is not one the executor opened from a branch of this repository (None when it is): its author
    is in `executor.pr_authors` or is the bot, and its head is not a fork. Convoy reviews believe only such pull
    requests; run outcomes also believe a writer's from the run's branch (bot.runs.pull_outcome)."""
    authors = {a.lower() for a in ctx.config.executor.pr_authors} | {ctx.gh.bot_login().lower()}
    if (pull.head_repo or "").lower() != ctx.repo.lower():
        return "a fork's pull request"
    return None if pull.user_login.lower() in authors else f"not opened by the executor ({pull.user_login})"
