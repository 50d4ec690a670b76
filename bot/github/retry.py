"""GitHub's retry rules for PyGithub's urllib3 transport, and PyGithub failures as `GitHubError`.

PyGithub's `GithubRetry` retries 403s and 5xx for GET/POST/PUT/DELETE (not PATCH), sleeps whatever
Retry-After says (no cap) and waits 60 s on a secondary-limit message without Retry-After. We use our
own urllib3 `Retry` instead: 502/503/504 on any method, `retries` times with exponential backoff
(`backoff` s factor; first retry immediate) — a retried POST may have been applied, so callers stay
idempotent (the sticky comment is found by its marker); a dispatch cannot be, so its 5xx (or lost answer) is
not retried here but raised (bot.runs.unconfirmed looks for the run first); 403/429 only when Retry-After <=
`max_inline_wait`.
With the credential's `WritePacer` given, a 403/429's Retry-After pauses the whole credential (every thread,
and every replica when the pacer is shared through Redis) once, and every retried write takes the next paced
slot, so the retries after a secondary limit leave one by one instead of together. A longer wait, a primary
rate limit (x-ratelimit-remaining: 0) or a secondary limit without Retry-After raises
`GitHubError(status, message, retry_after)` at once so the job queue reschedules instead of holding a worker.
Other 4xx fail fast (`GitHubError.transient` is False).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from github import GithubException
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from bot.github.pacing import WritePacer
from bot.github.port import GitHubError

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
DISPATCH = re.compile(r"/dispatches/?(\?|$)")  # workflow and repository dispatches: no idempotency key


class GitHubRetry(Retry):
    """urllib3 Retry with GitHub's rules (see the module docstring)."""

    def __init__(self, *, max_inline_wait: float = 10.0, pacer: WritePacer | None = None, **kw: Any):
        self.max_inline_wait, self.pacer = max_inline_wait, pacer
        kw.setdefault("status_forcelist", (403, 429, 502, 503, 504))
        kw.setdefault("allowed_methods", None)  # every verb
        kw["raise_on_status"] = False  # hand the last response back: PyGithub turns it into an exception
        super().__init__(**kw)

    def new(self, **kw: Any) -> GitHubRetry:
        kw.setdefault("max_inline_wait", self.max_inline_wait)
        kw.setdefault("pacer", self.pacer)
        return super().new(**kw)  # type: ignore[return-value]

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code in (403, 429) and not has_retry_after:
            return False
        return super().is_retry(method, status_code, has_retry_after)

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):  # type: ignore[no-untyped-def,override]
        lost = response.status >= 500 if response is not None else self._is_read_error(error)
        if method == "POST" and lost and DISPATCH.search(url or ""):
            # a dispatch GitHub answered 5xx (or never answered) may have started the run: not re-sent blind
            raise MaxRetryError(_pool, url, error or ResponseError("a dispatch is not retried inline"))
        if response is not None:
            wait = self.get_retry_after(response)
            if response.status in (403, 429) and wait and self.pacer is not None:
                self.pacer.pause(wait)  # the whole lane waits once, whether the wait is inline or the job's
            if (wait is None and response.status in (403, 429)) or (wait or 0) > self.max_inline_wait:
                raise MaxRetryError(_pool, url, ResponseError(f"Retry-After {wait} s is too long to wait inline"))
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response=None) -> None:  # type: ignore[no-untyped-def,override]
        """Between tries: a paced write waits for its credential's next slot (a pause included); else as urllib3."""
        method = self.history[-1].method if self.history else None
        if self.pacer is None or method not in WRITE_METHODS:
            return super().sleep(response)
        if not (response is not None and response.status in (403, 429)):
            self._sleep_backoff()  # a 5xx: back off, then queue behind the lane's other writes
        self.pacer.acquire()


def to_error(exc: Exception) -> GitHubError:
    """Map PyGithub / transport failures to GitHubError with the wait GitHub asked for."""
    if not isinstance(exc, GithubException):
        return GitHubError(503, f"GitHub unreachable: {type(exc).__name__}")
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    data = exc.data if isinstance(exc.data, dict) else {}
    message = str(data.get("message") or exc.message or exc.data or "")
    if data.get("errors"):
        message += f" {data['errors']}"
    retry_after: float | None = None
    if headers.get("retry-after", "").strip().isdigit():
        retry_after = float(headers["retry-after"])
    elif exc.status in (403, 429) and headers.get("x-ratelimit-remaining") == "0":
        retry_after = max(1.0, float(headers.get("x-ratelimit-reset", 0)) - time.time())
    elif exc.status in (403, 429) and "rate limit" in message.lower():
        retry_after = 60.0  # GitHub: without a header, wait at least a minute
    return GitHubError(exc.status, message, retry_after)


@contextmanager
def translated() -> Iterator[None]:
    """PyGithub and transport failures inside the block come out as GitHubError."""
    try:
        yield
    except GithubException as e:
        raise to_error(e) from None
    except requests.RequestException as e:
        raise to_error(e) from None
