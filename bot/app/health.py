"""Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the job store is reachable)."""

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
    try:
        resources().queue.ping()
    except Exception as exc:
        log.warning("readiness: store unreachable: %s", type(exc).__name__)
        return jsonify(status="unavailable", reason="store unreachable"), 503
    return jsonify(status="ready")
