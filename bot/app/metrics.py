"""`GET /metrics`: Prometheus text format (bot.metrics), merged across gunicorn workers, for a scraper holding
the metrics token only.

The numbers (Anthropic spend, per-installation activity) are the dashboard's, so they are never public: without
`MODEL_ROUTER_METRICS_TOKEN` every request is refused, and with it only `Authorization: Bearer <token>` passes
(compared in constant time; the dashboard's token is a different secret).
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.app.resources import resources
from bot.metrics import registry

bp = Blueprint("metrics", __name__)

_OFF = ("metrics are not public: set MODEL_ROUTER_METRICS_TOKEN and scrape with "
        "`Authorization: Bearer <token>` (Prometheus: `authorization: {credentials: …}`)\n")


def _allowed() -> bool:
    token = current_app.config["SETTINGS"].metrics_token
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return (token is not None and scheme.lower() == "bearer"
            and hmac.compare_digest(given.strip().encode(), token.get_secret_value().encode()))


@bp.get("/metrics")
def metrics():
    if not _allowed():
        return Response(_OFF, status=401, mimetype="text/plain", headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    return Response(generate_latest(registry(resources().queue)), mimetype=CONTENT_TYPE_LATEST)
