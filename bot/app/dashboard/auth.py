"""Who is looking: a bearer token (MODEL_ROUTER_DASHBOARD_TOKEN) or a signed session from the GitHub sign-in.

The OAuth round trip carries a one-time `state` kept in the session; the session cookie is HttpOnly and
SameSite=Lax; every state-changing request is a POST with the session's CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import abort, current_app, request, session

from bot.settings import ServiceSettings as Settings

SESSION_HOURS = 1  # access is re-checked at sign-in: a revoked reader loses the numbers within the hour


@dataclass(frozen=True)
class Viewer:
    login: str
    repos: frozenset[str] | None  # lower-cased full names; None: every repository (the dashboard token)

    def can_read(self, repo: str) -> bool:
        return self.repos is None or repo.lower() in self.repos


def settings() -> Settings:
    return current_app.config["SETTINGS"]


def session_key(s: Settings) -> bytes:
    """MODEL_ROUTER_SESSION_SECRET, else a key derived from the webhook secret (same on every replica)."""
    if s.session_secret is not None:
        return s.session_secret.get_secret_value().encode()
    return hmac.new(s.webhook_secrets[0], b"model-router dashboard session v1", hashlib.sha256).digest()


def _token_ok(given: str) -> bool:
    token = settings().dashboard_token
    return token is not None and hmac.compare_digest(given.encode(), token.get_secret_value().encode())


def viewer() -> Viewer | None:
    """The signed-in viewer; a wrong bearer token is refused outright (401), never a fallback to the cookie."""
    auth = request.headers.get("Authorization", "")
    if auth:
        scheme, _, given = auth.partition(" ")
        if scheme.lower() != "bearer" or not _token_ok(given.strip()):
            abort(401)
        return Viewer("token", None)
    who = session.get("viewer")
    if not isinstance(who, dict) or float(who.get("until", 0)) < time.time():
        return None
    repos = who.get("repos")
    return Viewer(str(who.get("login")), None if repos is None else frozenset(repos))


def sign_in(login: str, repos: list[str] | None) -> None:
    session.clear()
    session.permanent = True
    session["viewer"] = {"login": login, "repos": repos, "until": time.time() + SESSION_HOURS * 3600}
    csrf_token()


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def check_csrf() -> None:
    given, expected = request.form.get("csrf", ""), session.get("csrf")
    if not expected or not hmac.compare_digest(given.encode(), str(expected).encode()):
        abort(403)


def oauth_ready() -> bool:
    s = settings()
    return s.github_client_id is not None and s.github_client_secret is not None


def callback_url() -> str:
    base = settings().public_url or request.url_root.rstrip("/")
    return f"{base}/dashboard/oauth/callback"


def authorize_url(next_path: str) -> str:
    """Where the browser goes to sign in; remembers a one-time state and the page to come back to."""
    state = secrets.token_urlsafe(24)
    session["oauth_state"] = state
    session["next"] = safe_next(next_path)
    query = urlencode({"client_id": settings().github_client_id, "redirect_uri": callback_url(), "state": state})
    return f"{settings().github_web_url}/login/oauth/authorize?{query}"


def take_state(given: str) -> bool:
    expected = session.pop("oauth_state", None)
    return bool(expected) and hmac.compare_digest(given.encode(), str(expected).encode())


def safe_next(path: str | None) -> str:
    """Only our own dashboard pages (no open redirect through `next`)."""
    if path and path.startswith("/dashboard") and "//" not in path and "\\" not in path:
        return path
    return "/dashboard/"


def check_token_form(given: str) -> bool:
    return _token_ok(given)
