"""The GitHub App web service: `create_app()` builds the Flask app (webhook intake, health checks, dashboard)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["create_app"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """App factory. `config` may carry SETTINGS (a ServiceSettings), ENGINE, WORKER_THREADS; else the environment."""
    # Imported here, not at the top: gunicorn imports bot.app.gunicorn_conf (so this package) before it sets
    # PROMETHEUS_MULTIPROC_DIR, which prometheus-client must see when it is first imported.
    from flask import Flask, jsonify

    from bot.app.resources import init_app
    from bot.app.sessions import ScopedSessions
    from bot.settings import ServiceSettings

    app = Flask("model_router")
    app.config.update(config or {})
    settings = app.config.get("SETTINGS") or ServiceSettings.from_env()
    app.config["SETTINGS"] = settings
    app.config.setdefault("MAX_CONTENT_LENGTH", settings.webhook_max_body_bytes)
    settings.configure_logging()

    from bot.app import dashboard, health, metrics, webhook

    app.register_blueprint(webhook.bp)
    app.register_blueprint(health.bp)
    metrics.init_app(app)
    dashboard.init_app(app)
    app.session_interface = ScopedSessions("/dashboard")  # the only blueprint with a session
    init_app(app)
    dashboard.warm(app)

    @app.errorhandler(404)
    @app.errorhandler(405)
    def _http_error(exc):
        return jsonify(error=exc.name), exc.code

    return app
