"""`model-router serve` (the webhook service under gunicorn) and `model-router worker` (jobs only)."""

from __future__ import annotations

import importlib.util
import logging
import os
import signal
import sys
import threading

from bot.cli import UsageError, needs_app_extra


def add_parser(sub) -> None:
    p = sub.add_parser("serve", help="run the GitHub App webhook service under gunicorn")
    p.add_argument("--bind", help="host:port (default 0.0.0.0:$PORT or 8000; env MODEL_ROUTER_BIND)")
    p.add_argument("--workers", type=int, help="gunicorn worker processes (default 2; env WEB_CONCURRENCY)")
    p.add_argument("--threads", type=int, help="request threads per worker (default 16; env GUNICORN_THREADS)")
    p.set_defaults(func=serve)
    w = sub.add_parser("worker", help="process queued webhook jobs without serving HTTP")
    w.add_argument("--threads", type=int, help="job threads (default MODEL_ROUTER_WORKER_THREADS or 8)")
    w.add_argument("--once", action="store_true", help="run what is runnable now, then exit")
    w.set_defaults(func=worker)


def _runtime():
    """Settings, store, key and Redis checked: a misconfiguration is one line on stderr and exit status 2."""
    from bot.settings import ServiceSettings, SettingsError
    from bot.worker import Runtime

    try:
        rt = Runtime(ServiceSettings.from_env())
        rt.check_credentials(redis_required=True)
    except SettingsError as exc:
        raise UsageError(str(exc)) from None
    return rt


def serve(args) -> int:
    if importlib.util.find_spec("gunicorn") is None:  # exec'd below, so its absence would not reach cli.main
        raise UsageError(needs_app_extra("gunicorn"))
    _runtime().engine.dispose()  # settings, key and store checked before gunicorn starts
    argv = [sys.executable, "-m", "gunicorn", "--config", "python:bot.app.gunicorn_conf"]
    if args.bind:
        argv += ["--bind", args.bind]
    if args.workers:
        argv += ["--workers", str(args.workers)]
    if args.threads:
        argv += ["--threads", str(args.threads)]
    argv.append("bot.app:create_app()")
    sys.stdout.flush()
    os.execv(sys.executable, argv)  # gunicorn becomes this process: signals reach it directly
    return 0  # pragma: no cover


def worker(args) -> int:
    from bot.worker import WorkerPool, run_until_idle

    rt = _runtime()
    rt.settings.configure_logging()
    rt.announce()
    if rt.settings.metrics_port:  # this process's job metrics (the web replicas serve /metrics themselves)
        from prometheus_client import start_http_server

        start_http_server(rt.settings.metrics_port)
    if args.once:
        ran = run_until_idle(rt, worker_id=f"once:{os.getpid()}")
        print(f"ran {ran} job(s)")
        return 0
    threads = args.threads or rt.settings.worker_threads or 8
    pool = WorkerPool(rt, threads, rt.settings.job_poll_seconds).start()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    logging.getLogger("model_router.worker").info("worker running %d thread(s)", threads)
    while not stop.wait(1.0):  # wakes up for signals on every platform
        pass
    pool.stop()
    return 0
