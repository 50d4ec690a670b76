"""FakeGitHub: a stateful local GitHub REST server that refuses any call not in GitHub's OpenAPI description."""

from __future__ import annotations

import argparse
import copy
import json
import math
import random
import re
import threading
import time
from collections import defaultdict, deque
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


from bot.simulator import (  # noqa: F401  (they register the endpoint handlers)
    github_oauth, github_routes, github_routes_actions, github_routes_apps, github_routes_pulls, github_routes_tree)
from bot.simulator.github_calls import ROUTES, Call, Fault, HTTPError, Request
from bot.simulator.github_auth import Authentication
from bot.simulator.github_http import Control, RequestHandler, Responses, fallback_router
from bot.simulator.github_seed import Seeding
from bot.simulator.openapi import DEFAULT_SPEC, OpenAPI, Operation, RequestViolation, load_openapi

WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}
SECONDARY_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID."
)
DOCS = "https://docs.github.com/rest"
# the fake answers a request GitHub would refuse with this status, so no client retries it
VIOLATION_STATUS = 599
class FakeGitHub(Authentication, Control, Responses, Seeding):
    """Local stand-in for api.github.com. Thread-safe; use `with FakeGitHub() as gh:` or start()/stop()."""

    def __init__(
        self,
        spec: str | Path | None = DEFAULT_SPEC,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        app_id: int = 1,
        app_slug: str = "model-router",
        app_public_key: str | bytes | None = None,
        token_login: str = "github-actions[bot]",
        secondary_limit: int = 80,
        secondary_per_second: int | None = 10,
        latency: float | tuple[float, float] = 0.0,
        token_ttl: int = 3600,
        oauth_client_id: str = "Iv1.simulated",
        oauth_client_secret: str = "simulated-client-secret",
        oauth_callback: str | None = None,
        oauth_login: str | None = None,
    ):
        self.openapi: OpenAPI = load_openapi(spec) if spec and Path(spec).exists() else fallback_router()
        self.validating = bool(spec and Path(spec).exists())
        self.host, self.port = host, port
        self.app_id, self.app_slug, self.app_public_key = app_id, app_slug, app_public_key
        self.token_login, self.secondary_limit, self.latency, self.token_ttl = (
            token_login,
            secondary_limit,
            latency,
            token_ttl,
        )
        self.secondary_per_second = secondary_per_second  # GitHub also refuses bursts; None: not enforced
        self.oauth_client_id, self.oauth_client_secret = oauth_client_id, oauth_client_secret
        self.oauth_callback, self.oauth_login = oauth_callback, oauth_login  # registered callback, browser session
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # ---- lifecycle -------------------------------------------------------------------------------
    def start(self) -> FakeGitHub:
        fake = self

        class _H(RequestHandler):
            owner = fake

        self._server = ThreadingHTTPServer((self.host, self.port), _H)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="FakeGitHub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def reset(self) -> None:
        """Forget all state, recorded requests, violations, faults and counters (keeps configuration)."""
        with self._lock:
            self.repos: dict[str, dict[str, Any]] = {}
            self.requests: list[Request] = []
            self.violations: list[str] = []
            self.faults: list[Fault] = []
            self.secondary_limit_hits = 0
            self.jwt_claims: list[dict[str, Any]] = []
            self.tokens: dict[str, dict[str, Any]] = {}  # installation tokens issued
            self.token_logins: dict[str, str] = {}  # plain token -> login (default token_login)
            self.installations: dict[int, dict[str, Any]] = {}
            self.oauth_codes: dict[str, dict[str, Any]] = {}
            self.user_tokens: dict[str, str] = {}  # user-to-server token -> login
            self.manifest_codes: dict[str, dict[str, Any]] = {}  # manifest-flow code -> the manifest GitHub was sent
            self._writes: dict[str, deque[float]] = defaultdict(deque)
            self._ids = iter(range(1000, 10**9))

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    # ---- fault injection -------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        headers: dict[str, str] | None = None,
        times: int = 1,
        body: Any = None,
        applied: bool = False,
    ) -> None:
        """Answer the next `times` matching requests (method or "*", re.search on the path) with `status`; `applied`:
        after carrying them out (GitHub answering a dispatch 5xx after it started the run)."""
        with self._lock:
            self.faults.append(Fault(method.upper(), path_regex, status, headers, times, body, applied))

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for f in self.faults:
                if f.method in ("*", method) and re.search(f.path_regex, path):
                    f.times -= 1
                    if f.times <= 0:
                        self.faults.remove(f)
                    return f
        return None

    def _secondary_limited(self, method: str, credential: str) -> int | None:
        """Return Retry-After seconds when this write breaks a secondary limit, else count it: at most
        `secondary_limit` writes in any rolling 60 s and `secondary_per_second` in any rolling second, per
        installation (every token minted for it counts together) or per other credential. The App's own JWT
        calls (minting installation tokens) create no content and are not counted."""
        if method not in WRITE_METHODS or credential.startswith("jwt:"):
            return None
        now = time.monotonic()
        with self._lock:
            installation = self.tokens.get(credential, {}).get("installation_id")
            window = self._writes[f"installation:{installation}" if installation is not None else credential]
            while window and now - window[0] >= 60:
                window.popleft()
            retry_after = None
            if len(window) >= self.secondary_limit:
                retry_after = max(1, math.ceil(60 - (now - window[0])))
            elif self.secondary_per_second and len(window) >= self.secondary_per_second \
                    and now - window[-self.secondary_per_second] < 1:
                retry_after = 1
            if retry_after is not None:
                self.secondary_limit_hits += 1
                return retry_after
            window.append(now)
        return None

    # ---- inspection helpers for tests ------------------------------------------------------------
    def issue(self, repo: str, number: int) -> dict[str, Any]:
        return self.repo(repo)["issues"][number]

    def labels_on(self, repo: str, number: int) -> list[str]:
        return list(self.issue(repo, number)["labels"])

    def comments(self, repo: str, number: int) -> list[dict[str, Any]]:
        return [c for c in self.repo(repo)["comments"].values() if c["issue_number"] == number]

    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.method in WRITE_METHODS and not r.path.startswith("/_sim")]

    def state(self) -> dict[str, Any]:
        """A JSON-able dump (bytes shown as text, artifacts by size)."""
        with self._lock:
            repos = copy.deepcopy(self.repos)
        for r in repos.values():
            r["files"] = {
                ref: {p: c.decode("utf-8", "replace") for p, c in files.items()} for ref, files in r["files"].items()
            }
            for a in r["artifacts"].values():
                a["data"] = len(a.pop("data"))
        return {
            "repos": repos,
            "secondary_limit_hits": self.secondary_limit_hits,
            "violations": list(self.violations),
        }

    # ---- request processing ----------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
        split = urlsplit(raw_path)
        path = re.sub(r"^/api/v3(?=/)", "", split.path)  # GitHub Enterprise Server prefix
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        if path.startswith("/login/oauth/"):  # github.com pages, not the API: never validated against it
            return github_oauth.web(self, method, path, query, headers, body)
        try:
            data = json.loads(body) if body.strip() else None
        except ValueError:
            data = None
            if method in WRITE_METHODS:
                return self._answer(400, {"message": "Problems parsing JSON"})
        if path.startswith("/_sim/"):
            return self._sim(method, path, query, data)
        credential, token = self._credential(headers)
        rec = Request(method, path, query, data, credential)
        with self._lock:
            self.requests.append(rec)
        try:
            op = self.openapi.validate(method, path, data, has_body=bool(body.strip()))
        except RequestViolation as e:
            with self._lock:
                self.violations.append(str(e))
            rec.status = VIOLATION_STATUS
            return self._answer(VIOLATION_STATUS, {"message": f"FakeGitHub: {e}"})
        rec.operation_id = op.operation_id
        if self.latency:
            lo, hi = self.latency if isinstance(self.latency, tuple) else (self.latency, self.latency)
            time.sleep(random.uniform(lo, hi))
        fault = self._take_fault(method, path)
        refused = self._refuse(method, credential, fault)
        if refused is not None:
            rec.status = refused[0]
            return refused
        try:
            status, payload, headers_out = self._call(op, query, data, token)
        except HTTPError as e:
            status, headers_out = e.status, e.headers
            payload = {"message": e.message, "documentation_url": DOCS, "status": str(e.status)}
            if e.errors:
                payload["errors"] = e.errors
        if fault is not None:  # carried out, and answered as the fault says
            status, payload, headers_out = fault.status, self._fault_body(fault), fault.headers
        rec.status = status
        return self._answer(status, payload, headers_out)

    @staticmethod
    def _fault_body(fault: Fault) -> Any:
        return fault.body if fault.body is not None else {"message": HTTPStatus(fault.status).phrase}

    def _refuse(self, method: str, credential: str | None, fault: Fault | None) -> tuple[int, dict, bytes] | None:
        """A fault a test asked for (unless applied first), or GitHub's secondary rate limit; None lets it through."""
        if fault:
            return None if fault.applied else self._answer(fault.status, self._fault_body(fault), fault.headers)
        retry_after = self._secondary_limited(method, credential or "anonymous")
        if retry_after is not None:
            return self._answer(
                403,
                {"message": SECONDARY_LIMIT_MESSAGE, "documentation_url": f"{DOCS}/using-the-rest-api/rate-limits"},
                {"Retry-After": str(retry_after)},
            )
        return None

    def _call(self, op: Operation, query: dict[str, str], data: Any, token: str | None) -> tuple[int, Any, dict]:
        """Authenticate and run the endpoint handler registered for the operation."""
        actor = self._authenticate(op, token)
        entry = ROUTES.get(op.operation_id)
        if entry is None:
            msg = f"FakeGitHub does not implement {op.method.upper()} {op.template} ({op.operation_id})"
            with self._lock:
                self.violations.append(msg)
            raise HTTPError(501, msg)
        call = Call(op, query, data, token, actor)
        if "owner" in op.params and "repo" in op.params:
            key = f"{op.params['owner']}/{op.params['repo']}".lower()
            if key not in self.repos:
                raise HTTPError(404, "Not Found")
            call.repo = self.repos[key]
        with self._lock:
            status, payload = entry[2](self, call)
        return status, payload, call.extra_headers

    def _answer(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        headers = dict(headers or {})
        if isinstance(payload, bytes):
            return status, headers, payload
        if payload is None:
            return status, headers, b""
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
        return status, headers, json.dumps(payload).encode()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bot.simulator.github", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--spec", default=str(DEFAULT_SPEC), help="GitHub OpenAPI description (json or json.gz)")
    p.add_argument("--seed", help="JSON file passed to FakeGitHub.seed()")
    p.add_argument("--app-public-key", help="PEM file to verify App JWTs with")
    p.add_argument("--secondary-limit", type=int, default=80, help="writes per installation and rolling minute")
    p.add_argument("--secondary-per-second", type=int, default=10, help="writes per installation and rolling second (0: off)")
    p.add_argument("--latency", type=float, default=0.0, help="seconds added to every GitHub call")
    p.add_argument("--oauth-client-id", default="Iv1.simulated")
    p.add_argument("--oauth-client-secret", default="simulated-client-secret")
    p.add_argument("--oauth-login", help="who /login/oauth/authorize signs in as when the request names nobody")
    a = p.parse_args(argv)
    key = Path(a.app_public_key).read_text() if a.app_public_key else None
    fake = FakeGitHub(
        a.spec, host=a.host, port=a.port, app_public_key=key, secondary_limit=a.secondary_limit,
        secondary_per_second=a.secondary_per_second or None, latency=a.latency,
        oauth_client_id=a.oauth_client_id, oauth_client_secret=a.oauth_client_secret, oauth_login=a.oauth_login,
    )
    if a.seed:
        fake.seed(json.loads(Path(a.seed).read_text()))
    fake.start()
    mode = "validating against " + a.spec if fake.validating else "NOT validating (no description file)"
    print(f"FakeGitHub on {fake.url} ({mode})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
