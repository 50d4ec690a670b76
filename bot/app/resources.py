"""Per-process resources of the web app (store, queue, embedded workers), attached with `init_app`."""

from __future__ import annotations

import atexit

from flask import Flask, current_app

from bot.worker import Runtime, WorkerPool

EXTENSION = "model_router"


class Resources:
    def __init__(self, runtime: Runtime, pool: WorkerPool | None):
        self.runtime = runtime
        self.pool = pool

    @property
    def queue(self):
        return self.runtime.queue

    def enqueued(self) -> None:
        if self.pool is not None:
            self.pool.wake()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.stop()
            self.pool = None
        self.runtime.close()


def init_app(app: Flask) -> Resources:
    settings = app.config["SETTINGS"]
    runtime = Runtime(settings, engine=app.config.get("ENGINE"))
    runtime.check_credentials()
    runtime.announce()
    threads = app.config.get("WORKER_THREADS", settings.worker_threads)
    pool = WorkerPool(runtime, threads, settings.job_poll_seconds).start() if threads else None
    res = Resources(runtime, pool)
    app.extensions[EXTENSION] = res
    if pool is not None:
        atexit.register(res.close)
    return res


def resources() -> Resources:
    return current_app.extensions[EXTENSION]
