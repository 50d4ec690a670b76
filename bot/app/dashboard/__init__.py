"""The /dashboard blueprint: the five numbers, weekly charts and latest routings per repository, for readers only."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask


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
