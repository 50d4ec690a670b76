"""FakeGitHub: a stateful local GitHub REST server that refuses any call not in GitHub's OpenAPI description."""

from __future__ import annotations

import argparse
import copy
import json
import math
import random
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import asdict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import jwt

from bot.simulator import (  # noqa: F401  (they register the endpoint handlers)
    github_oauth, github_routes, github_routes_pulls, github_routes_tree)
from bot.simulator.github_calls import ROUTES, Call, Fault, HTTPError, Request
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
class FakeGitHub(Seeding):
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
        latency: float | tuple[float, float] = 0.0,
        token_ttl: int = 3600,
        oauth_client_id: str = "Iv1.simulated",
        oauth_client_secret: str = "simulated-client-secret",
        oauth_callback: str | None = None,
        oauth_login: str | None = None,
    ):
        self.openapi: OpenAPI = load_openapi(spec) if spec and Path(spec).exists() else _fallback_router()
        self.validating = bool(spec and Path(spec).exists())
        self.host, self.port = host, port
        self.app_id, self.app_slug, self.app_public_key = app_id, app_slug, app_public_key
        self.token_login, self.secondary_limit, self.latency, self.token_ttl = (
            token_login,
            secondary_limit,
            latency,
            token_ttl,
        )
        self.oauth_client_id, self.oauth_client_secret = oauth_client_id, oauth_client_secret
        self.oauth_callback, self.oauth_login = oauth_callback, oauth_login  # registered callback, browser session
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # ---- lifecycle -------------------------------------------------------------------------------
    def start(self) -> FakeGitHub:
        fake = self

        class _H(_RequestHandler):
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
    ) -> None:
        """Answer the next `times` matching requests (method or "*", re.search on the path) with `status`."""
        with self._lock:
            self.faults.append(Fault(method.upper(), path_regex, status, headers, times, body))

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
        """Return Retry-After seconds when this write breaks the rolling 60 s limit, else count it."""
        if method not in WRITE_METHODS:
            return None
        now = time.monotonic()
        with self._lock:
            window = self._writes[credential]
            while window and now - window[0] >= 60:
                window.popleft()
            if len(window) >= self.secondary_limit:
                self.secondary_limit_hits += 1
                return max(1, math.ceil(60 - (now - window[0])))
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
        if fault:
            rec.status = fault.status
            body_ = fault.body if fault.body is not None else {"message": HTTPStatus(fault.status).phrase}
            return self._answer(fault.status, body_, fault.headers)
        retry_after = self._secondary_limited(method, credential or "anonymous")
        if retry_after is not None:
            rec.status = 403
            return self._answer(
                403,
                {"message": SECONDARY_LIMIT_MESSAGE, "documentation_url": f"{DOCS}/using-the-rest-api/rate-limits"},
                {"Retry-After": str(retry_after)},
            )
        try:
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
            headers_out = call.extra_headers
        except HTTPError as e:
            status, headers_out = e.status, e.headers
            payload = {"message": e.message, "documentation_url": DOCS, "status": str(e.status)}
            if e.errors:
                payload["errors"] = e.errors
        rec.status = status
        return self._answer(status, payload, headers_out)

    def _answer(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        headers = dict(headers or {})
        if isinstance(payload, bytes):
            return status, headers, payload
        if payload is None:
            return status, headers, b""
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
        return status, headers, json.dumps(payload).encode()

    @staticmethod
    def _credential(headers: dict[str, str]) -> tuple[str | None, str | None]:
        auth = headers.get("authorization", "")
        if not auth:
            return None, None
        token = auth.split(None, 1)[-1]
        if token.count(".") == 2 and token.startswith("ey"):
            try:
                return f"jwt:{jwt.decode(token, options={'verify_signature': False}).get('iss')}", token
            except jwt.PyJWTError:
                return "jwt:invalid", token
        return token, token

    def _authenticate(self, op: Operation, token: str | None) -> dict[str, Any] | None:
        """Check the credential; return the user that writes made with it are authored by."""
        if op.template.startswith("/app"):
            self._verify_jwt(token)
            return None
        if token is None:
            if op.method != "get":
                raise HTTPError(401, "Requires authentication")
            return None
        if token in self.user_tokens:
            return {"login": self.user_tokens[token], "type": "User"}
        if token in self.tokens:
            info = self.tokens[token]
            if info["expires"] < time.time():
                raise HTTPError(401, "Bad credentials")
            login, kind = f"{self.app_slug}[bot]", "Bot"
        else:
            login = self.token_logins.get(token, self.token_login)
            kind = "Bot" if login.endswith("[bot]") else "User"
        return {"login": login, "type": kind}

    def _verify_jwt(self, token: str | None) -> dict[str, Any]:
        if not token:
            raise HTTPError(401, "A JSON web token could not be decoded")
        try:
            if self.app_public_key is not None:
                claims = jwt.decode(
                    token, self.app_public_key, algorithms=["RS256"], options={"require": ["iat", "exp", "iss"]}
                )
            else:
                claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as e:
            raise HTTPError(401, f"A JSON web token could not be decoded ({e})") from None
        with self._lock:
            self.jwt_claims.append(claims)
        if str(claims.get("iss")) != str(self.app_id):
            raise HTTPError(401, "'Issuer' claim ('iss') must be the App id")
        if claims["exp"] - time.time() > 600 + 5:
            raise HTTPError(401, "'Expiration time' claim ('exp') is too far in the future")
        return claims

    def _sim(self, method: str, path: str, query: dict[str, str], data: Any) -> tuple[int, dict, bytes]:
        """Control endpoints for other processes (demo, act); not GitHub calls, never validated."""
        if method == "GET" and path == "/_sim/state":
            return self._answer(200, self.state())
        if method == "GET" and path == "/_sim/requests":
            return self._answer(200, [asdict(r) for r in list(self.requests)])
        if method == "GET" and path == "/_sim/violations":
            return self._answer(200, list(self.violations))
        if method == "POST" and path == "/_sim/seed":
            self.seed(data or {})
            return self._answer(200, {"ok": True})
        if method == "POST" and path == "/_sim/reset":
            self.reset()
            return self._answer(200, {"ok": True})
        if method == "POST" and path == "/_sim/fail":
            self.fail_next(**(data or {}))
            return self._answer(200, {"ok": True})
        m = re.fullmatch(r"/_sim/blobs/artifacts/(\d+)\.zip", path)
        if method == "GET" and m:
            for r in self.repos.values():
                if int(m.group(1)) in r["artifacts"]:
                    return 200, {"Content-Type": "application/zip"}, r["artifacts"][int(m.group(1))]["data"]
        return self._answer(404, {"message": "unknown simulator endpoint"})

    # ---- response builders -----------------------------------------------------------------------
    def api(self, *parts: Any) -> str:
        return self.url + "/" + "/".join(quote(str(p), safe="/") for p in parts)

    def user(self, login: str, kind: str | None = None) -> dict[str, Any]:
        kind = kind or ("Bot" if login.endswith("[bot]") else "User")
        uid = sum(login.encode()) + 10_000  # stable per login
        return {
            "login": login,
            "id": uid,
            "node_id": f"U_{uid}",
            "type": kind,
            "site_admin": False,
            "url": self.api("users", login),
            "html_url": f"https://github.com/{login}",
        }

    def paginate(self, call: Call, path: str, items: list[Any]) -> list[Any]:
        """Slice `items` by per_page/page and set GitHub's Link header."""
        per_page = max(1, min(100, int(call.query.get("per_page", 30))))
        page = max(1, int(call.query.get("page", 1)))
        last = max(1, math.ceil(len(items) / per_page))

        def link(p: int) -> str:
            q = {**call.query, "per_page": str(per_page), "page": str(p)}
            return f"<{self.url}{path}?{urlencode(q)}>"

        rels = []
        if page < last:
            rels += [f'{link(page + 1)}; rel="next"', f'{link(last)}; rel="last"']
        if page > 1:
            rels = [f'{link(page - 1)}; rel="prev"', f'{link(1)}; rel="first"', *rels]
        if rels:
            call.extra_headers["Link"] = ", ".join(rels)
        return items[(page - 1) * per_page : page * per_page]


class _RequestHandler(BaseHTTPRequestHandler):
    owner: FakeGitHub
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            status, out_headers, payload = self.owner.handle(self.command, self.path, headers, body)
        except Exception as e:  # a bug in the fake must be loud, not a hung client
            with self.owner._lock:
                self.owner.violations.append(f"FakeGitHub crashed on {self.command} {self.path}: {e!r}")
            status, out_headers, payload = 500, {}, json.dumps({"message": repr(e)}).encode()
        self.send_response(status)
        for k, v in out_headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-GitHub-Request-Id", secrets.token_hex(8))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _fallback_router() -> OpenAPI:
    """Without the description file (standalone demo) route by our own templates and skip validation."""
    paths: dict[str, dict] = defaultdict(dict)
    for op_id, (method, template, _fn) in ROUTES.items():
        paths[template][method] = {"operationId": op_id}
    return OpenAPI({"paths": dict(paths)})


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bot.simulator.github", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--spec", default=str(DEFAULT_SPEC), help="GitHub OpenAPI description (json or json.gz)")
    p.add_argument("--seed", help="JSON file passed to FakeGitHub.seed()")
    p.add_argument("--app-public-key", help="PEM file to verify App JWTs with")
    p.add_argument("--secondary-limit", type=int, default=80)
    p.add_argument("--latency", type=float, default=0.0, help="seconds added to every GitHub call")
    p.add_argument("--oauth-client-id", default="Iv1.simulated")
    p.add_argument("--oauth-client-secret", default="simulated-client-secret")
    p.add_argument("--oauth-login", help="who /login/oauth/authorize signs in as when the request names nobody")
    a = p.parse_args(argv)
    key = Path(a.app_public_key).read_text() if a.app_public_key else None
    fake = FakeGitHub(
        a.spec, host=a.host, port=a.port, app_public_key=key, secondary_limit=a.secondary_limit, latency=a.latency,
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
