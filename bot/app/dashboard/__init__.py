"""The /dashboard blueprint: the five numbers, weekly charts and latest routings per repository, for readers only."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from flask import Flask

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the blueprint and the session cookie it signs in with."""
    from bot.app.dashboard import auth
    from bot.app.dashboard.views import bp
    from bot.store.rollup_cache import RollupCache

    settings = app.config["SETTINGS"]
    app.secret_key = auth.session_key(settings)
    app.config.update(
        SESSION_COOKIE_NAME="model_router_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings.public_url and settings.public_url.startswith("https://")),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=auth.SESSION_HOURS),
    )
    app.extensions["model_router_rollup"] = RollupCache()  # one per process: the full rollup runs once
    app.register_blueprint(bp)


def warm(app: Flask) -> threading.Thread | None:
    """Run the process's one full rollup in the background at start, so the first viewer does not wait for it."""
    if app.testing:
        return None
    from bot.app.resources import EXTENSION

    engine, cache = app.extensions[EXTENSION].runtime.engine, app.extensions["model_router_rollup"]

    def run() -> None:
        try:
            cache.groups(engine)
        except Exception as exc:  # noqa: BLE001 - the first view will simply run it again
            log.warning("dashboard warm-up failed (%s); the first view will build the rollup", type(exc).__name__)

    thread = threading.Thread(target=run, name="dashboard-warm-up", daemon=True)
    thread.start()
    return thread
