"""Prometheus metrics (prometheus-client): counters kept by every process; the App adds gauges read from the store.

Under gunicorn every worker process writes its samples to PROMETHEUS_MULTIPROC_DIR (set by
bot/app/gunicorn_conf.py) and `/metrics` merges them; queue depth and spend are read from the database
when scraped, so every replica reports the same truth.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

DELIVERIES = Counter("model_router_deliveries", "Webhook deliveries answered, by event and outcome", ["event", "status"])
JOB_SECONDS = Histogram("model_router_job_duration_seconds", "Time to run one job, by event and outcome",
                        ["event", "outcome"], buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300))
GITHUB_CALLS = Counter("model_router_github_calls", "GitHub API responses, by credential and status",
                       ["installation", "status"])
RATE_REMAINING = Gauge("model_router_github_rate_limit_remaining", "x-ratelimit-remaining of the last GitHub response",
                       ["installation"], multiprocess_mode="mostrecent")
KNOWN_EVENTS = frozenset({"issues", "issue_comment", "pull_request", "pull_request_target", "workflow_run", "push",
                          "check_suite", "pull_request_review", "installation", "installation_repositories", "ping",
                          "repository", "label", "branch_protection_rule", "repository_ruleset"})


def event_label(event: str) -> str:
    """Label values come from a fixed set: a sender cannot grow the metric without bound."""
    return event if event in KNOWN_EVENTS else "other"


_delivery_counters: dict[tuple[str, str], object] = {}


def count_delivery(event: str, status: str) -> None:
    """One answered delivery (on the acknowledgement's hot path: the labelled child is looked up once)."""
    key = (event_label(event), status)
    child = _delivery_counters.get(key)
    if child is None:
        child = _delivery_counters[key] = DELIVERIES.labels(*key)
    child.inc()


def github_response(installation: str, status: int, headers: dict) -> None:
    GITHUB_CALLS.labels(installation, str(status)).inc()
    remaining = headers.get("x-ratelimit-remaining")
    if remaining is not None:
        try:
            RATE_REMAINING.labels(installation).set(float(remaining))
        except ValueError:
            pass


class _ThisProcess:
    def collect(self):
        from prometheus_client import REGISTRY

        yield from REGISTRY.collect()


def registry(*collectors) -> CollectorRegistry:
    """What `/metrics` serves: this process's (under gunicorn, every worker's) samples plus `collectors`
    (the App adds the store's, bot.app.metrics: this module imports no store)."""
    reg = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(reg)
    else:
        reg.register(_ThisProcess())
    for collector in collectors:
        reg.register(collector)
    return reg
