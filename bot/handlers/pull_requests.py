"""Pull request events → the Opus review gate (bot.review.service) on the head commit; a new base re-gates."""

from __future__ import annotations

from bot.context import Context, Result
from bot.handlers.registry import register
from bot.review import service

# A bot's push (Dependabot, Renovate) must still get the required review status, or its PR is stuck.
PUSHES = ("opened", "reopened", "synchronize")
LABELS = ("labeled", "unlabeled")


@register("pull_request", *PUSHES, bots=True)
@register("pull_request_target", *PUSHES, bots=True)
def on_push(payload: dict, ctx: Context) -> Result:
    return service.run_gate(ctx, int(payload["pull_request"]["number"]), trigger=payload["action"])


@register("pull_request", "edited", bots=True)
@register("pull_request_target", "edited", bots=True)
def on_edited(payload: dict, ctx: Context) -> Result:
    """A changed base is a different diff (docs-only against one branch, `src/auth/…` against main): re-gate."""
    if "base" not in (payload.get("changes") or {}):
        return Result(action="ignored", messages=["only a new base re-gates an edited pull request"])
    return service.run_gate(ctx, int(payload["pull_request"]["number"]), trigger=service.RETARGETED)


@register("pull_request", *LABELS)
@register("pull_request_target", *LABELS)
def on_label(payload: dict, ctx: Context) -> Result:
    return service.label_changed(
        ctx, int(payload["pull_request"]["number"]), (payload.get("label") or {}).get("name") or "",
        added=payload["action"] == "labeled", sender=(payload.get("sender") or {}).get("login") or "",
    )
