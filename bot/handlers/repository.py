"""Repository and installation events: a push that changes the config drops its cached copy; a push reverting a
run's merge commit makes that run a failure (bot.runs.reverts); a changed default branch, name, owner, rule or label
drops what this process keeps of the repository (bot.facts)."""

from __future__ import annotations

import logging

from bot import facts
from bot.handlers.registry import register
from bot.context import Context, Result
from bot.config.source import touches_config
from bot.runs.reverts import pushed_reverts

log = logging.getLogger("model_router.handlers")


@register("push", bots=True)
def on_push(payload: dict, ctx: Context) -> Result:
    repo = payload.get("repository") or {}
    undone = pushed_reverts(ctx, str(payload.get("ref") or ""), str(repo.get("default_branch") or ""),
                            list(payload.get("commits") or []), str((payload.get("sender") or {}).get("login") or ""))
    if touches_config(payload):
        ctx.configs.invalidate(ctx.repo)
        return Result(action="config-invalidated", messages=[f"{ctx.repo}: config cache invalidated", *undone])
    return Result(action="outcome" if undone else "ignored",
                  messages=undone or ["push does not change the config on the default branch"])


# Forgetting writes nothing (no loop), and a bot's change (a settings App renaming the default branch) is a change.
@register("repository", "edited", "renamed", "transferred", "deleted", bots=True)
def on_repository(payload: dict, ctx: Context) -> Result:
    return facts.repository_changed(ctx, payload)


@register("branch_protection_rule", "created", "edited", "deleted", bots=True)
@register("repository_ruleset", "created", "edited", "deleted", bots=True)
def on_rules(payload: dict, ctx: Context) -> Result:
    return facts.rules_changed(ctx, payload)


@register("label", "created", "edited", "deleted", bots=True)
def on_label(payload: dict, ctx: Context) -> Result:
    return facts.labels_changed(ctx, payload)


@register("installation", bots=True)
@register("installation_repositories")
def on_installation(payload: dict, ctx: Context) -> Result:
    # Tokens are minted per installation on demand, so there is nothing to set up or tear down.
    inst = (payload.get("installation") or {}).get("id")
    log.info("installation %s: %s", inst, payload.get("action"))
    return Result(action="noted", messages=[f"installation {inst} {payload.get('action')}"])
