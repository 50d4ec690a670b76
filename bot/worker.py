"""Job workers: lease a queued delivery, build its handler Context, dispatch it, record the outcome.

Worker threads run inside each web process by default (MODEL_ROUTER_WORKER_THREADS); a
`model-router worker` process runs the same loop on its own. Jobs of one installation run in
order, one at a time; different installations run in parallel (see bot.store.jobs).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from functools import cached_property

import requests
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.github.auth import GitHubAuthError, from_settings
from bot.github.shared import SharedState
from bot.github.port import GitHubError, GitHubPort
from bot.handlers import handle_event
from bot.heartbeat import Heartbeat
from bot.logs import context as log_context
from bot.metrics import JOB_SECONDS, event_label
from bot.llm import AnthropicLLM
from bot.store.issues import IssueStore
from bot.context import Context
from bot.issues.labels import KnownLabels
from bot.kept import Kept
from bot.runs.required_checks import RequiredChecks
from bot.runs.status_apps import TTL as APP_IDS_TTL, StatusApps
from bot.config.source import RepoConfigCache
from bot.settings import ServiceSettings, SettingsError
from bot.store.db import make_engine, unreachable
from bot.store.tables import init_db
from bot.store.jobs import FAILED, SUPERSEDED, ClaimedJob, JobQueue

log = logging.getLogger("model_router.worker")

COALESCED = ("edited", "synchronize")  # of these, only the newest queued job per issue / pull request runs


class Runtime:
    """Everything a job needs, built once per process from the settings."""

    def __init__(self, settings: ServiceSettings, *, engine: Engine | None = None, create_tables: bool = True):
        self.settings = settings
        self.engine = engine if engine is not None else make_engine(
            settings.database_url, sqlite_synchronous=settings.sqlite_synchronous
        )
        if create_tables:
            try:
                init_db(self.engine)  # migrations, under a lock: concurrent start-ups wait, then find it done
            except (OSError, DBAPIError) as exc:  # the first connection: an unreachable or unopenable store
                self.engine.dispose()
                raise SettingsError(unreachable(settings.database_url, exc)) from None
        self.queue = JobQueue(
            self.engine, lease_seconds=settings.job_lease_seconds, max_attempts=settings.job_max_attempts
        )
        self.heartbeat = Heartbeat(self.queue, retention_days=settings.retention_days)
        self.configs = RepoConfigCache(
            ttl=settings.config_cache_seconds, version_of=self.queue.config_version, bump=self.queue.bump_config_version
        )
        self.known_labels = KnownLabels(ttl=settings.config_cache_seconds)
        self.required_checks = RequiredChecks(ttl=settings.rules_cache_seconds)
        self.status_apps = StatusApps(ttl=APP_IDS_TTL)
        self.default_branches: Kept[str] = Kept(ttl=settings.rules_cache_seconds)  # rarely renamed, as rulesets

    @cached_property
    def store(self):
        return IssueStore(self.engine)

    @cached_property
    def shared(self) -> SharedState | None:
        """Redis, where replicas share write pacing and installation tokens (None: REDIS_URL unset)."""
        if not self.settings.redis_url:
            return None
        return SharedState.for_settings(self.settings)  # installation tokens shared only sealed under the App key

    @cached_property
    def auth(self):
        """Who we are to GitHub (`port_for(installation_id)`, `bot_login()`); a bad key fails here."""
        return from_settings(self.settings, shared=self.shared)

    def close(self) -> None:
        """Release connections: GitHub pools, Redis, the Anthropic client, the database pool."""
        self.heartbeat.stop()
        if "auth" in self.__dict__:
            self.auth.close()
        if self.__dict__.get("shared") is not None:
            self.shared.close()  # closing it twice (App mode's auth closes it too) is harmless
        if "llm" in self.__dict__ and self.llm is not None:
            self.llm.close()
        self.engine.dispose()

    def check_credentials(self, *, redis_required: bool = False) -> None:
        """Build the auth now (no network) so a bad private key stops start-up with one line; look for Redis:
        unreachable, it stops start-up with one line when `redis_required` (the CLI), else it is logged and
        `/readyz` answers 503 while pacing falls back to this process."""
        try:
            self.auth
        except GitHubAuthError as exc:
            raise SettingsError(str(exc)) from None
        if self.shared is not None and (problem := self.shared.problem()):
            if redis_required:
                raise SettingsError(f"REDIS_URL: {problem}")
            log.warning("REDIS_URL: %s; write pacing falls back to each process alone until it is back", problem)

    def announce(self) -> None:
        """Say once, at start, how GitHub writes are paced (shared by the replicas, or by this process alone)."""
        s = self.settings
        how = ("shared through Redis" if self.shared is not None
               else "by this process alone (REDIS_URL is not set: right for one replica)")
        log.info("write pacing per installation: one write every %g s, at most %d a minute, %s",
                 s.github_min_write_interval, s.github_writes_per_minute, how)

    def port_for(self, installation_id: int | None) -> GitHubPort:
        return self.auth.port_for(installation_id)

    @cached_property
    def llm(self):
        if self.settings.anthropic_api_key is None:
            return None
        return AnthropicLLM(
            self.settings.anthropic_api_key.get_secret_value(), base_url=self.settings.anthropic_base_url
        )

    def context(self, job: ClaimedJob) -> Context:
        return Context(
            gh=self.port_for(job.installation_id),
            repo=job.repo or "",
            store=self.store,
            configs=self.configs,
            llm=self.llm,
            mode="app",
            installation_id=job.installation_id,
            known_labels=self.known_labels,
            required_checks=self.required_checks,
            status_apps=self.status_apps,
            default_branches=self.default_branches,
            delivery_id=job.delivery_id,
        )


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, GitHubError):
        return exc.transient
    if getattr(exc, "transient", False):
        return True
    return isinstance(exc, (ConnectionError, TimeoutError, OperationalError, requests.ConnectionError, requests.Timeout))


def process_one(rt: Runtime, worker_id: str) -> bool:
    """Run one job if any is runnable; False when there was nothing to do."""
    job = rt.queue.claim(worker_id)
    if job is None:
        return False
    if job.attempts > rt.queue.max_attempts:
        rt.queue.fail(job, f"gave up after {job.attempts - 1} attempts (lease expired)")
        return True
    if job.action in COALESCED and rt.queue.has_newer(job):
        # A later edit, or a later push to the same pull request, is queued: only the newest one runs
        # (each review of a superseded head would be paid for and then dropped).
        rt.queue.complete(job, status=SUPERSEDED, note=f"a later {job.action} of the same item is queued")
        return True
    with log_context(delivery=job.delivery_id, installation=job.installation_id, repo=job.repo,
                     event=f"{job.event}.{job.action}" if job.action else job.event, job=job.id):
        _run(rt, job)
    return True


def _run(rt: Runtime, job: ClaimedJob) -> None:
    """Dispatch under a heartbeat; record the outcome (and its duration) on the job."""
    started = time.monotonic()
    try:
        with rt.heartbeat.hold(job):
            result = handle_event(job.event, job.payload, rt.context(job))
    except Exception as exc:
        transient = _is_transient(exc)
        outcome = rt.queue.fail(job, f"{type(exc).__name__}: {exc}", transient=transient,
                                retry_after=getattr(exc, "retry_after", None))
        JOB_SECONDS.labels(event_label(job.event), outcome).observe(time.monotonic() - started)
        level = logging.ERROR if outcome == FAILED else logging.WARNING
        log.log(level, "job %s (%s.%s) %s: %s", job.id, job.event, job.action, outcome, exc,
                exc_info=outcome == FAILED and not isinstance(exc, GitHubError))
        return
    rt.queue.complete(job, note=result.action)
    JOB_SECONDS.labels(event_label(job.event), "done").observe(time.monotonic() - started)
    log.info("job %s (%s.%s) done: %s", job.id, job.event, job.action, result.action)


def run_until_idle(rt: Runtime, *, worker_id: str = "sync", wait_for_retries: bool = False, max_jobs: int = 10_000) -> int:
    """Process jobs in this thread until none is runnable (tests, the demo); returns how many ran."""
    ran = 0
    while ran < max_jobs:
        if process_one(rt, worker_id):
            ran += 1
            continue
        due = rt.queue.next_due() if wait_for_retries else None
        if due is None:
            break
        time.sleep(max(0.0, min(due - time.time(), 5.0)) + 0.01)
    return ran


class WorkerPool:
    """Daemon threads running jobs; `wake()` skips the poll delay after an enqueue in this process."""

    def __init__(self, rt: Runtime, threads: int, poll_seconds: float = 0.5):
        self.rt = rt
        self.threads = threads
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._prefix = f"{socket.gethostname()}:{os.getpid()}"

    def start(self) -> "WorkerPool":
        for i in range(self.threads):
            t = threading.Thread(target=self._loop, args=(f"{self._prefix}:{i}",), name=f"model-router-worker-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        for t in self._threads:
            t.join(timeout)

    def _loop(self, worker_id: str) -> None:
        while not self._stop.is_set():
            try:
                worked = process_one(self.rt, worker_id)
            except Exception:  # the store is unreachable: keep polling, the job is safe in its lease
                log.exception("worker %s: cannot reach the job store", worker_id)
                worked = False
            if not worked:
                try:
                    self.rt.heartbeat.housekeeping()
                except Exception as exc:  # the store is unreachable: the next poll says so
                    log.debug("housekeeping skipped: %s", type(exc).__name__)
                self._wake.wait(self.poll_seconds)
                self._wake.clear()
