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
    """Read at scrape time: jobs by status, the oldest unfinished job's age, Anthropic spend by tier (from the
    process's `SpendTally`, which reads only the runs and reviews written since its last look)."""

    def __init__(self, queue, spend):
        self.queue, self.spend = queue, spend

    def collect(self):
        from bot.models import Tier
        from bot.store.job_admin import depth

        d = depth(self.queue)
        jobs = GaugeMetricFamily("model_router_jobs", "Jobs in the queue by status", labels=["status"])
        for status in ("queued", "running", "done", "failed", "superseded"):
            jobs.add_metric([status], d["counts"].get(status, 0))
        yield jobs
        yield GaugeMetricFamily("model_router_oldest_job_age_seconds", "Age of the oldest queued or running job",
                                value=d["oldest_age_seconds"])
        spend = GaugeMetricFamily("model_router_anthropic_spend_usd", "Anthropic spend recorded, by tier and source",
                                  labels=["tier", "source"])
        tiers, reviews = self.spend.read(self.queue.engine)
        for tier, usd in sorted(tiers.items()):
            spend.add_metric([tier, "executor"], usd)
        spend.add_metric([Tier.opus.value, "review"], reviews)  # the Opus review gate
        yield spend


def init_app(app) -> None:
    """Register `/metrics` and the process's spend tally (its first scrape sums the tables once)."""
    from bot.store.spend import SpendTally

    app.extensions[SPEND] = SpendTally()
    app.register_blueprint(bp)


SPEND = "model_router_spend"


@bp.get("/metrics")
def metrics():
    if not _allowed():
        return Response(_OFF, status=401, mimetype="text/plain", headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    queue = resources().queue
    collectors = (StoreCollector(queue, current_app.extensions[SPEND]),) if queue is not None else ()
    return Response(generate_latest(registry(*collectors)), mimetype=CONTENT_TYPE_LATEST)
