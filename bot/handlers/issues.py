"""Issue events: route new issues, re-route real edits, a person's label change is an override."""

from __future__ import annotations

from bot.context import Context, Result
from bot.handlers.registry import register
from bot.convoy import auto
from bot.issues import service


@register("issues", "opened", "reopened")
def on_opened(payload: dict, ctx: Context) -> Result:
    return auto.opened(ctx, payload["issue"], reopened=payload.get("action") == "reopened")


@register("issues", "edited")
def on_edited(payload: dict, ctx: Context) -> Result:
    return service.edited(ctx, payload["issue"], payload.get("changes") or {})


@register("issues", "labeled", "unlabeled")
def on_label(payload: dict, ctx: Context) -> Result:
    name = (payload.get("label") or {}).get("name") or ""
    sender = (payload.get("sender") or {}).get("login") or "someone"
    return service.label_changed(ctx, payload["issue"], name, added=payload.get("action") == "labeled", sender=sender)
