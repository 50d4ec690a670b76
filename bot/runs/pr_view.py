"""What GitHub shows of a run's pull request now: its checks verdict (required checks first), what failed, and the
changes writers asked for — read on every event, so the recorded outcome follows GitHub's current view. Only the base
branch's required checks are kept a while (`bot.runs.required_checks`: rulesets and branch protection change
rarely); a failing check's annotations are read only when the checks failed, a review only while the PR is open."""

from __future__ import annotations

from dataclasses import dataclass

from bot.context import Context
from bot.github.port import CheckRunInfo, GitHubError, PullInfo, RequiredCheck
from bot.permissions import WRITE_LEVELS, permission
from bot.runs import required_checks, status_apps, truth

MAX_FAILING = 5  # failing checks described to the next tier
MAX_ANNOTATED = 3  # of them, whose annotations are read (one request each)
MAX_REVIEWS = 5


@dataclass(frozen=True)
class PullView:
    checked: str  # passed | pending | failed (bot.runs.truth.checks)
    failing: tuple[tuple[str, str], ...] = ()  # (check name, its output): untrusted text, bounded when used
    changes: tuple[tuple[str, str], ...] = ()  # (writer's login, their review's text): the same

    @property
    def changes_requested(self) -> bool:
        return bool(self.changes)


def read_pull(ctx: Context, pull: PullInfo) -> PullView:
    """The PR's checks and reviews; what GitHub will not show (no permission) is pending, never a pass."""
    try:
        statuses = ctx.gh.commit_statuses(ctx.repo, pull.head_sha)
        runs = ctx.gh.check_runs(ctx.repo, pull.head_sha)
    except GitHubError as exc:
        if exc.transient:
            raise
        return PullView("pending")
    required = required_checks.required(ctx, pull.base_ref)  # kept a while per process (App)
    pinned = {name for name, app in required if app is not None}  # only there does a status's app matter
    apps = status_apps.status_apps(ctx, [s for s in statuses if s.context in pinned])
    checked = truth.checks([(s.context, s.state, apps.get(s.creator)) for s in statuses],
                           [(r.name, r.status, r.conclusion, r.app_id) for r in runs], required)
    failing: list[tuple[str, str]] = []
    if checked == "failed":
        failing = [(r.name, _output(ctx, r, i < MAX_ANNOTATED)) for i, r in enumerate(_failed_runs(runs, required))]
        failing += [(s.context, s.description) for s in _failed_statuses(statuses, apps, required)]
    open_ = pull.state == "open" and not pull.merged
    return PullView(checked, tuple(failing[:MAX_FAILING]), _changes(ctx, pull.number) if open_ else ())


def _failed_runs(runs: list[CheckRunInfo], required: tuple[RequiredCheck, ...]) -> list[CheckRunInfo]:
    failed = [r for r in runs if r.conclusion in truth.FAILED_RUN and truth.counts(r.name, r.app_id, required)]
    return failed[:MAX_FAILING]


def _failed_statuses(statuses: list, apps: dict[str, int], required: tuple[RequiredCheck, ...]) -> list:
    latest: dict[str, object] = {}
    for s in statuses:  # newest first: the newest per context counts
        latest.setdefault(s.context, s)
    return [s for s in latest.values()
            if s.state in truth.FAILED_STATUS and truth.counts(s.context, apps.get(s.creator), required)]


def _output(ctx: Context, run: CheckRunInfo, annotated: bool) -> str:
    """A failing check's output as its app wrote it, with its annotations (`path:line: message`) when read."""
    parts = [p for p in (run.title, run.summary, run.text) if p]
    if annotated and run.id:
        try:
            notes = ctx.gh.check_annotations(ctx.repo, run.id)
        except GitHubError as exc:
            if exc.transient:
                raise
            notes = []
        parts += [f"{a.path}:{a.start_line}: {a.title} {a.message}".strip() for a in notes
                  if a.annotation_level == "failure"]
    return "\n".join(parts)


def _changes(ctx: Context, number: int) -> tuple[tuple[str, str], ...]:
    """Writers whose latest review asks for changes (the bot's own reviews are the review gate's, not a person's)."""
    latest: dict[str, tuple[str, str]] = {}
    me = ctx.gh.bot_login().lower()
    for r in ctx.gh.list_reviews(ctx.repo, number):
        if r.user_login and r.user_login.lower() != me and r.state in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
            latest[r.user_login.lower()] = (r.state, r.body)
    asked = [(login, body) for login, (state, body) in latest.items() if state == "CHANGES_REQUESTED"]
    return tuple((login, body) for login, body in asked[:MAX_REVIEWS] if permission(ctx, login) in WRITE_LEVELS)
