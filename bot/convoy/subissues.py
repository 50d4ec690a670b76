"""Turn a convoy's tasks into GitHub sub-issues: create, attach, record blocked-by, route — each step once.

Every step is saved as soon as GitHub answers, so a retried job resumes where the last one stopped.
A task whose issue exists but was never saved (a crash right after GitHub answered) is found again by
its marker — among the parent's sub-issues, or among the issues the bot opened since it claimed the
task (`creating_since`, saved before the create call) — before anything new is created.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Callable

from bot.convoy import render
from bot.convoy.state import Convoy
from bot.issues.labels import ensure_exist
from bot.issues.service import route_issue

if TYPE_CHECKING:
    from bot.context import Context


def materialise(ctx: "Context", c: Convoy, save: Callable[[], None]) -> None:
    """Create the missing sub-issues, attach them, record dependencies, route each one."""
    known = None
    for t in c.tasks:
        if t.issue is None:
            if known is None:  # once per job: sub-issues a crashed job created but did not save
                me = ctx.gh.bot_login().lower()
                known = {render_marker_id(i.body, c.parent): i for i in ctx.gh.list_sub_issues(ctx.repo, c.parent)
                         if i.user_login.lower() == me}  # a person's copy of the marker does not count
            found = known.get(t.id)
            if found is not None:
                t.attached = True
            elif t.creating_since:  # an earlier job died between creating the issue and attaching it
                found = _created(ctx, c, t.id, t.creating_since)
            if found is None:
                t.creating_since = (ctx.store.clock() - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
                save()
                found = ctx.gh.create_issue(ctx.repo, render.title(t), render.task_body(c, t))
            t.issue, t.issue_id = found.number, found.id
            save()
        if not t.attached:
            ctx.gh.add_sub_issue(ctx.repo, c.parent, t.issue_id)
            t.attached = True
            save()
    for t in c.tasks:
        if not t.linked:
            for dep in t.depends_on:
                blocker = c.task(dep)
                ctx.gh.add_blocked_by(ctx.repo, t.issue, blocker.issue_id)
            t.linked = True
            save()
    for t in c.tasks:
        if not t.routed:
            route(ctx, c, t)
            t.routed = True
            save()


def _created(ctx: "Context", c: Convoy, tid: str, since: str):
    """The task's issue, if the bot opened it since the claim (found by its marker)."""
    me = ctx.gh.bot_login()
    for issue in ctx.gh.issues_created_by(ctx.repo, me, since):
        if render_marker_id(issue.body, c.parent) == tid and issue.user_login.lower() == me.lower():
            return issue
    return None


def route(ctx: "Context", c: Convoy, t) -> None:
    """Route the sub-issue like any new issue (labels + its sticky comment); remember tier and prices.

    A security-sensitive parent's sub-issue gets the security label first, so it is routed (and escalated,
    and re-routed) with the security floor however harmless its own text reads."""
    labels = ctx.config.security.labels
    if c.security and labels:
        ensure_exist(ctx, labels[:1])
        ctx.gh.add_labels(ctx.repo, t.issue, labels[:1])
    decision = route_issue(ctx, t.issue).decision
    if decision is not None:
        t.tier = decision.tier.value
        t.estimate_usd, t.baseline_usd = decision.estimated_cost_usd, decision.baseline_cost_usd


def render_marker_id(body: str, parent: int) -> str | None:
    prefix = f"<!-- model-router:convoy-task parent={parent} id="
    start = (body or "").find(prefix)
    if start < 0:
        return None
    rest = body[start + len(prefix):]
    end = rest.find(" -->")
    return rest[:end] if end > 0 else None
