"""Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the job store, and Redis when configured)."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify

from bot.app.resources import resources

bp = Blueprint("health", __name__)
log = logging.getLogger("model_router.app")


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """503 when the store is unreachable, or Redis is configured and unreachable (replicas then pace their
    GitHub writes each alone, so a load balancer should stop sending them work until it is back)."""
    runtime = resources().runtime
    try:
        runtime.queue.ping()
    except Exception as exc:
        log.warning("readiness: store unreachable: %s", type(exc).__name__)
        return jsonify(status="unavailable", reason="store unreachable"), 503
    if runtime.shared is None:
        return jsonify(status="ready", store="ok", redis="not configured")
    if problem := runtime.shared.problem():
        log.warning("readiness: %s", problem)
        return jsonify(status="unavailable", store="ok", redis="unreachable", reason="redis unreachable"), 503
    return jsonify(status="ready", store="ok", redis="ok")
