"""gunicorn settings for the App (`gunicorn.conf.py` at the repo root re-exports them); env overrides."""

from __future__ import annotations

import os
import sys
import tempfile

# Every worker process writes its metrics here and /metrics merges them (prometheus-client multiprocess
# mode). Set before any worker imports prometheus_client; a fresh directory per server start.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="model-router-metrics-"))

wsgi_app = "bot.app:create_app()"
bind = os.environ.get("MODEL_ROUTER_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"  # threads: a slow client never blocks the other deliveries
threads = int(os.environ.get("GUNICORN_THREADS", "16"))  # more deliveries share one fsync
timeout = 30  # GitHub gives up on a delivery after 10 s; we answer in milliseconds
graceful_timeout = 20  # lets the embedded workers finish the job in hand on shutdown
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("MODEL_ROUTER_LOG_LEVEL", "info").lower()
if os.environ.get("MODEL_ROUTER_LOG_FORMAT", "").lower() == "json":  # gunicorn's own lines as JSON objects too
    _handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": loglevel.upper(), "handlers": []},  # ours: bot.logs.configure adds its own handler
        "formatters": {"json": {"()": "bot.logs.JsonFormatter"}},
        "handlers": {"json_err": _handler, "json_access": dict(_handler, stream="ext://sys.stdout")},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["json_err"], "propagate": False},
            # a logging config turns gunicorn's access log on: keep it off unless GUNICORN_ACCESS_LOG asks
            "gunicorn.access": {"level": "INFO" if accesslog else "WARNING", "handlers": ["json_access"],
                                "propagate": False},
        },
    }


def on_starting(server):  # in the master, once: fail fast with one line, create the tables once
    from bot.settings import ServiceSettings, SettingsError
    from bot.worker import Runtime

    try:
        runtime = Runtime(ServiceSettings.from_env())
        runtime.check_credentials()
    except SettingsError as exc:
        server.log.error("model-router: %s", exc)
        sys.exit(2)
    runtime.engine.dispose()


def child_exit(server, worker):  # a dead worker's live gauges leave the merged /metrics
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def worker_exit(server, worker):  # stop the embedded job threads cleanly (an unfinished job's lease expires)
    app = getattr(worker, "wsgi", None)
    res = getattr(app, "extensions", {}).get("model_router") if app is not None else None
    if res is not None:
        res.close()
