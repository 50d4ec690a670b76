"""The base branch's required checks, kept a little while per process: every check suite reads a PR's checks
again, but a repository's rulesets and classic branch protection change rarely, so re-reading them on every event
is waste. Both count: rulesets (`required_checks`) and classic protection (`classic_required_checks`, "Get a
branch"), two reads per base branch per TTL. The repository's default branch is kept the same way
(`bot.kept.Kept[str]`, read through `Context.default_branch`): every event on a run's branch asks whether it is the
default branch.

Each required check is kept with the app it must come from (`RequiredCheck`: None for any source), so a check run
or a commit status of the same name from another app never meets one GitHub pins to an app (`bot.runs.truth.counts`;
a status's app from its creator, `bot.runs.status_apps`).

`RequiredChecks` is the App's per-process copy (built once by `bot.worker.Runtime`, handed on in the Context, as
`KnownLabels` is): per repository and base branch, `ttl` seconds (`MODEL_ROUTER_RULES_CACHE_SECONDS`),
at most `size` branches, the least recently used dropped first. A ruleset or protection change is seen at once by
the process that runs its `repository_ruleset` or `branch_protection_rule` delivery (bot.facts; the App subscribes
to them only with Administration), by the others once their copy is older than the TTL. What could not be read is
never kept, so the next event asks again. The Action (one job) keeps no process copy; its Context reads the default
branch once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.github.port import GitHubError, RequiredCheck
from bot.kept import Kept

if TYPE_CHECKING:
    from bot.context import Context


class RequiredChecks(Kept[tuple[RequiredCheck, ...]]):
    """The required checks (name, app) per repository and base branch."""


def required(ctx: "Context", base: str) -> tuple[RequiredCheck, ...]:
    """The base branch's required checks: its rulesets' and its classic protection's, each (name, app) once (GitHub
    enforces both, so a name both require, pinned or not, must meet each). Unreadable: none, so every check counts
    (the stricter reading), and not kept."""
    cache = ctx.required_checks
    if cache is not None and (checks := cache.get(ctx.repo, base)) is not None:
        return checks
    try:
        checks = tuple(dict.fromkeys([*ctx.gh.required_checks(ctx.repo, base), *_classic(ctx, base)]))
    except GitHubError as exc:
        if exc.transient:
            raise
        return ()
    if cache is not None:
        cache.put(ctx.repo, base, checks)
    return checks


def _classic(ctx: "Context", base: str) -> list[RequiredCheck]:
    """Classic branch protection's required checks; none when GitHub will not show the branch (403) or has none by
    that name (404): the rulesets' alone then decide."""
    try:
        return ctx.gh.classic_required_checks(ctx.repo, base)
    except GitHubError as exc:
        if exc.transient or exc.status not in (403, 404):
            raise
        return []
