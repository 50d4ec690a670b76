"""`GET /metrics`: Prometheus text format (bot.metrics), merged across gunicorn workers."""

from __future__ import annotations

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.app.resources import resources
from bot.metrics import registry

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def metrics():
    return Response(generate_latest(registry(resources().queue)), mimetype=CONTENT_TYPE_LATEST)
