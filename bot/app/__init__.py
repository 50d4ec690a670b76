"""The GitHub App web service: `create_app()` builds the Flask app (webhook intake + health checks)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify

from bot.app.resources import Resources, init_app
from bot.settings import ServiceSettings

__all__ = ["create_app", "Resources"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """App factory. `config` may carry SETTINGS (a ServiceSettings), ENGINE, WORKER_THREADS; else the environment."""
    app = Flask("model_router")
    app.config.update(config or {})
    settings = app.config.get("SETTINGS") or ServiceSettings.from_env()
    app.config["SETTINGS"] = settings
    app.config.setdefault("MAX_CONTENT_LENGTH", settings.webhook_max_body_bytes)
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from bot.app import health, webhook

    app.register_blueprint(webhook.bp)
    app.register_blueprint(health.bp)
    init_app(app)

    @app.errorhandler(404)
    @app.errorhandler(405)
    def _http_error(exc):
        return jsonify(error=exc.name), exc.code

    return app
