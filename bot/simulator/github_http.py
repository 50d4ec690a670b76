"""FakeGitHub's HTTP side: the request handler, GitHub-shaped response helpers, the router without a spec."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
import math
import secrets
from collections import defaultdict
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from bot.simulator.github_calls import ROUTES, Call
from bot.simulator.openapi import OpenAPI

if TYPE_CHECKING:
    from bot.simulator.github import FakeGitHub


class Control:
    """Mixed into FakeGitHub: `/_sim/*`, the endpoints other processes (the demo, act) use to seed and inspect it."""

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


class Responses:
    """Mixed into FakeGitHub: URLs, users and pagination as GitHub shapes them."""

    url: str

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
            "avatar_url": f"https://avatars.example.test/u/{uid}", "gravatar_id": "",
            # the rest of GitHub's `simple-user`, so a user validates wherever the description nests one
            **{f"{k}_url": self.api("users", login, k) for k in ("events", "followers", "following", "gists",
               "organizations", "received_events", "repos", "starred", "subscriptions")},
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


class RequestHandler(BaseHTTPRequestHandler):
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


def fallback_router() -> OpenAPI:
    """Without the description file (standalone demo) route by our own templates and skip validation."""
    paths: dict[str, dict] = defaultdict(dict)
    for op_id, (method, template, _fn) in ROUTES.items():
        paths[template][method] = {"operationId": op_id}
    return OpenAPI({"paths": dict(paths)})
