"""Repository and installation events: a push that changes the config drops its cached copy."""

from __future__ import annotations

import logging

from bot.handlers.registry import register
from bot.context import Context, Result
from bot.config.source import touches_config

log = logging.getLogger("model_router.handlers")


@register("push", bots=True)
def on_push(payload: dict, ctx: Context) -> Result:
    if not touches_config(payload):
        return Result(action="ignored", messages=["push does not change the config on the default branch"])
    ctx.configs.invalidate(ctx.repo)
    return Result(action="config-invalidated", messages=[f"{ctx.repo}: config cache invalidated"])


@register("installation", bots=True)
@register("installation_repositories")
def on_installation(payload: dict, ctx: Context) -> Result:
    # Tokens are minted per installation on demand, so there is nothing to set up or tear down.
    inst = (payload.get("installation") or {}).get("id")
    log.info("installation %s: %s", inst, payload.get("action"))
    return Result(action="noted", messages=[f"installation {inst} {payload.get('action')}"])
