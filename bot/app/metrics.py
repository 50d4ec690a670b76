"""`GET /metrics`: Prometheus text format (bot.metrics), merged across gunicorn workers, plus the store's gauges,
for a scraper holding the metrics token only.

The numbers (Anthropic spend, per-installation activity) are the dashboard's, so they are never public: without
`MODEL_ROUTER_METRICS_TOKEN` every request is refused, and with it only `Authorization: Bearer <token>` passes
(compared in constant time; the dashboard's token is a different secret).
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily

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


class StoreCollector:
    """Read at scrape time: jobs by status, the oldest unfinished job's age, Anthropic spend by tier."""

    def __init__(self, queue):
        self.queue = queue

    def collect(self):
        from sqlalchemy import func, select

        from bot.models import Tier
        from bot.store.issue_rows import Dispatch
        from bot.store.job_admin import depth
        from bot.store.reviews import ReviewRecord

        d = depth(self.queue)
        jobs = GaugeMetricFamily("model_router_jobs", "Jobs in the queue by status", labels=["status"])
        for status in ("queued", "running", "done", "failed", "superseded"):
            jobs.add_metric([status], d["counts"].get(status, 0))
        yield jobs
        yield GaugeMetricFamily("model_router_oldest_job_age_seconds", "Age of the oldest queued or running job",
                                value=d["oldest_age_seconds"])
        spend = GaugeMetricFamily("model_router_anthropic_spend_usd", "Anthropic spend recorded, by tier and source",
                                  labels=["tier", "source"])
        with self.queue.Session() as s:
            for tier, usd in s.execute(select(Dispatch.tier, func.sum(Dispatch.actual_cost_usd))
                                       .group_by(Dispatch.tier)).all():
                spend.add_metric([tier, "executor"], float(usd or 0))
            reviews = s.scalar(select(func.sum(ReviewRecord.cost_usd)))
        spend.add_metric([Tier.opus.value, "review"], float(reviews or 0))  # the Opus review gate
        yield spend


@bp.get("/metrics")
def metrics():
    if not _allowed():
        return Response(_OFF, status=401, mimetype="text/plain", headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    queue = resources().queue
    collectors = (StoreCollector(queue),) if queue is not None else ()
    return Response(generate_latest(registry(*collectors)), mimetype=CONTENT_TYPE_LATEST)
