"""FakeGitHub's sign-in side: the web OAuth flow (github.com, not the API host) and the user-token endpoints.

`/login/oauth/authorize` signs in as its `login` parameter (a real GitHub parameter: the suggested
account) or the simulator's `oauth_login` (the browser's github.com session); no consent page.
`/login/oauth/access_token` answers errors with HTTP 200 and an `error` field, as GitHub does.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from bot.simulator.github_calls import Call, HTTPError, route
from bot.simulator.github_shapes import R, comment_json, repo_json

if TYPE_CHECKING:
    from bot.simulator.github import FakeGitHub

CODE_TTL = 600  # GitHub's codes expire after 10 minutes
READ_ROLES = frozenset({"admin", "maintain", "write", "triage", "read"})


def web(f: FakeGitHub, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes):
    """The github.com pages the OAuth flow visits; (status, headers, body)."""
    if method == "GET" and path == "/login/oauth/authorize":
        return _authorize(f, query)
    if method == "POST" and path == "/login/oauth/access_token":
        form = _form(headers, body) or query
        return _token(f, form, "application/json" in headers.get("accept", ""))
    return 404, {"Content-Type": "text/plain"}, b"Not Found"


def _form(headers: dict[str, str], body: bytes) -> dict[str, str]:
    if "json" in headers.get("content-type", ""):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return {}
        return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    return {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}


def _page(status: int, text: str):
    return status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode()


def _authorize(f: FakeGitHub, q: dict[str, str]):
    if q.get("client_id") != f.oauth_client_id:
        return _page(404, "Not Found (unknown client_id)")
    redirect = q.get("redirect_uri") or f.oauth_callback
    if not redirect or (f.oauth_callback and not redirect.startswith(f.oauth_callback)):
        return _page(400, "The redirect_uri MUST match the registered callback URL for this application.")
    login = q.get("login") or f.oauth_login
    if not login:
        return _page(401, "Sign in to GitHub to continue (set the simulator's oauth_login).")
    code = secrets.token_hex(10)
    with f._lock:
        f.oauth_codes[code] = {"login": login, "redirect_uri": redirect, "expires": time.time() + CODE_TTL}
    sep = "&" if urlsplit(redirect).query else "?"
    params = {"code": code, **({"state": q["state"]} if "state" in q else {})}
    return 302, {"Location": redirect + sep + urlencode(params), "Content-Length": "0"}, b""


def _token(f: FakeGitHub, form: dict[str, str], as_json: bool):
    def answer(payload: dict[str, str]):
        if as_json:
            return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(payload).encode()
        return 200, {"Content-Type": "application/x-www-form-urlencoded"}, urlencode(payload).encode()

    if form.get("client_id") != f.oauth_client_id or form.get("client_secret") != f.oauth_client_secret:
        return answer({"error": "incorrect_client_credentials",
                       "error_description": "The client_id and/or client_secret passed are incorrect."})
    with f._lock:
        grant = f.oauth_codes.pop(form.get("code", ""), None)  # single use
    if grant is None or grant["expires"] < time.time() or (
            form.get("redirect_uri") and form["redirect_uri"] != grant["redirect_uri"]):
        return answer({"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired."})
    token = "ghu_" + secrets.token_urlsafe(27)
    with f._lock:
        f.user_tokens[token] = grant["login"]
    return answer({"access_token": token, "token_type": "bearer", "scope": ""})


# ---- API endpoints for user-to-server tokens -------------------------------------------------------
def _user_login(f: FakeGitHub, call: Call) -> str:
    login = f.user_tokens.get(call.token or "")
    if login is None:
        raise HTTPError(401, "Requires authentication") if call.token is None else HTTPError(
            403, "Resource not accessible by integration")
    return login


def _readable(f: FakeGitHub, login: str, inst: int) -> list[dict]:
    keys = f.installations.get(inst, {}).get("repos", [])
    return [f.repos[k] for k in keys if f.repos[k]["permissions"].get(login.lower(), "none") in READ_ROLES]


@route("get", "/user", "users/get-authenticated")
def get_user(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    if call.token in f.user_tokens:
        return 200, {**f.user(f.user_tokens[call.token]), "name": None}
    if call.actor is None:
        raise HTTPError(401, "Requires authentication")
    return 200, {**f.user(call.actor["login"]), "name": None}


@route("get", "/user/installations", "apps/list-installations-for-authenticated-user")
def user_installations(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    login = _user_login(f, call)
    items = []
    for inst in sorted(f.installations):
        repos = _readable(f, login, inst)
        if repos:
            owner = repos[0]["owner"]
            items.append({"id": inst, "app_id": f.app_id, "app_slug": f.app_slug, "target_type": "Organization",
                          "account": f.user(owner, "Organization"), "repository_selection": "selected"})
    return 200, {"total_count": len(items), "installations": f.paginate(call, "/user/installations", items)}


@route("get", "/user/installations/{installation_id}/repositories", "apps/list-installation-repos-for-authenticated-user")
def user_installation_repos(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    login = _user_login(f, call)
    inst = int(call.op.params["installation_id"])
    repos = _readable(f, login, inst)
    if inst not in f.installations or not repos:
        raise HTTPError(404, "Not Found")
    items = []
    for r in repos:
        role = r["permissions"][login.lower()]
        items.append({**repo_json(f, r), "permissions": {
            "admin": role == "admin", "maintain": role in ("admin", "maintain"),
            "push": role in ("admin", "maintain", "write"), "triage": role != "read", "pull": True}})
    page = f.paginate(call, f"/user/installations/{inst}/repositories", items)
    return 200, {"total_count": len(items), "repository_selection": "selected", "repositories": page}


@route("get", R + "/issues/comments", "issues/list-comments-for-repo")
def list_repo_comments(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r = call.repo
    since, by = call.query.get("since") or "", call.query.get("sort", "created") + "_at"
    items = [comment_json(f, r, c) for c in sorted(r["comments"].values(), key=lambda c: (c[by], c["id"]),
                                                   reverse=call.query.get("direction", "asc") == "desc")
             if c["updated_at"] >= since]
    return 200, f.paginate(call, f"/repos/{r['full_name']}/issues/comments", items)
