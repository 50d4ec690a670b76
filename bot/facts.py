"""A repository's kept facts (bot.kept: its default branch, its branches' required checks, its label names) are
forgotten in this process as soon as a webhook says they changed, so the next use reads GitHub again instead of
acting on a stale copy until the TTL runs out (the default branch is never a run's branch). Other processes keep
theirs until their TTL (docs/operations.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.context import Result

if TYPE_CHECKING:
    from bot.context import Context

DEFAULT_BRANCH, REQUIRED_CHECKS, LABELS = "default branch", "required checks", "label names"


def worth_a_job(event: str, action: str | None, payload: dict) -> bool:
    """False for a `repository` edit that keeps the default branch (a description, topics, settings): nothing kept
    changed, so the door need not queue a job in the installation's lane ahead of real work."""
    return not (event == "repository" and action == "edited" and "default_branch" not in _object(payload.get("changes")))


def repository_changed(ctx: "Context", payload: dict) -> Result:
    """Its default branch changed (a ruleset may target `~DEFAULT_BRANCH`, so its branches' required checks may
    have too), or it was renamed, transferred or deleted: everything kept under its new and former names."""
    repo = _full_name(payload)
    changes = _object(payload.get("changes"))
    if not worth_a_job("repository", payload.get("action"), payload):
        return Result(action="ignored", messages=[f"{repo}: its default branch is unchanged"])
    if payload.get("action") == "edited":
        return _forget(ctx, [repo], (DEFAULT_BRANCH, REQUIRED_CHECKS))
    return _forget(ctx, [repo, *_former_names(payload, changes)], (DEFAULT_BRANCH, REQUIRED_CHECKS, LABELS))


def rules_changed(ctx: "Context", payload: dict) -> Result:
    """A branch protection rule or a ruleset was created, edited or deleted: the repository's required checks, or,
    for an organisation's ruleset (no repository named), those of every repository of the organisation."""
    if repo := _full_name(payload):
        return _forget(ctx, [repo], (REQUIRED_CHECKS,))
    owner = _text(_object(payload.get("organization")).get("login"))
    if not owner or ctx.required_checks is None:
        return Result(action="ignored", messages=["no repository or organisation whose required checks are kept"])
    ctx.required_checks.forget_owner(owner)
    return Result(action="forgotten", messages=[f"{owner}/*: {REQUIRED_CHECKS} forgotten; the next use reads GitHub"])


def labels_changed(ctx: "Context", payload: dict) -> Result:
    """A label was created, edited or deleted: the repository's label names."""
    return _forget(ctx, [_full_name(payload)], (LABELS,))


def _forget(ctx: "Context", repos: list[str], facts: tuple[str, ...]) -> Result:
    caches = {DEFAULT_BRANCH: ctx.default_branches, REQUIRED_CHECKS: ctx.required_checks, LABELS: ctx.known_labels}
    names = [repo for repo in dict.fromkeys(repos) if repo]
    kept = [fact for fact in facts if caches[fact] is not None]  # the Action keeps none
    if not names or not kept:
        return Result(action="ignored", messages=["nothing of this repository is kept in this process"])
    for repo in names:
        for fact in kept:
            caches[fact].forget(repo)
    said = f"{', '.join(names)}: {', '.join(kept)} forgotten; the next use reads GitHub"
    return Result(action="forgotten", messages=[said])


def _former_names(payload: dict, changes: dict) -> list[str]:
    """"owner/name" before a rename (`changes.repository.name.from`) or a transfer (`changes.owner.from`'s user or
    organization)."""
    repo = _object(payload.get("repository"))
    owner, name = _text(_object(repo.get("owner")).get("login")), _text(repo.get("name"))
    old_name = _text(_object(_object(changes.get("repository")).get("name")).get("from"))
    was = _object(_object(changes.get("owner")).get("from"))
    old_owner = _text(_object(was.get("user")).get("login")) or _text(_object(was.get("organization")).get("login"))
    return [f"{o}/{n}" for o, n in ((owner, old_name), (old_owner, name)) if o and n]


def _full_name(payload: dict) -> str:
    return _text(_object(payload.get("repository")).get("full_name"))


def _object(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
