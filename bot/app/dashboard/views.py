"""The dashboard's routes: thin adapters from a request (and its viewer) to `data.build` and `page.render`."""

from __future__ import annotations

import copy
import logging

from importlib import resources as package_files

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, request, session

import bot.app.dashboard.auth as auth
import bot.app.dashboard.github_user as github_user
from bot.app.resources import resources
from bot.dashboard.data import build
from bot.dashboard.page import render, render_page
from bot.measures import load_targets

log = logging.getLogger("model_router.dashboard")
bp = Blueprint("dashboard", __name__, url_prefix="/dashboard",
               static_folder=str(package_files.files("bot.dashboard") / "static"))
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


@bp.after_request
def _headers(resp: Response) -> Response:
    if request.endpoint != "dashboard.static":
        resp.headers["Cache-Control"] = "no-store"  # per-viewer numbers
        resp.headers["Content-Security-Policy"] = CSP
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "same-origin"
    return resp


def _engine():
    return resources().runtime.engine


def _cache():
    return current_app.extensions["model_router_rollup"]


def _build(repos: list[str], title: str, **kw) -> dict:
    """Page data; the same scope viewed again with nothing written since is served from memory."""
    cache = _cache()
    groups, run_rows = cache.view(_engine(), repos) if repos else ([], [])
    targets = load_targets()
    key = (cache.generation, tuple(repos), title, id(targets), tuple(sorted(kw.items())))
    memo = cache.memo
    if key not in memo:
        if len(memo) >= 64:
            memo.clear()
        memo[key] = build(_engine(), repos, title=title, targets=targets, web_url=auth.settings().github_web_url,
                          groups=groups, run_rows=run_rows, **kw)
    return copy.deepcopy(memo[key])


def _page(data: dict, who: auth.Viewer, **extra) -> str:
    return render(data, static_url="/dashboard/static", csrf=auth.csrf_token(), viewer=who.login, home="/dashboard/",
                  **extra)


def _signin(message: str | None = None, status: int = 200):
    s = auth.settings()
    html = render_page(
        "signin.html", static_url="/dashboard/static", oauth=auth.oauth_ready(), token_login=s.dashboard_token is not None,
        login_url="/dashboard/login?" + _next_query(), token_url="/dashboard/login/token", csrf=auth.csrf_token(),
        message=message)
    return html, status


def _next_query() -> str:
    from urllib.parse import urlencode

    return urlencode({"next": auth.safe_next(request.args.get("next") or request.path)})


def _readable(who: auth.Viewer) -> list[str]:
    """The store's repositories this viewer can read (exact names as stored)."""
    return [r for r in _cache().repos(_engine()) if who.can_read(r)]


@bp.get("/")
def index():
    who = auth.viewer()
    if who is None:
        return _signin()
    repos = _readable(who)
    data = _build(repos, "all repositories you can read", per_repo=True)
    return _page(data, who, repo_base="/dashboard")


def _repo(owner: str, name: str, who: auth.Viewer) -> tuple[str, list[str]]:
    full = f"{owner}/{name}"
    if not who.can_read(full):
        abort(404)  # the same answer as for a repository that does not exist: nothing leaks
    stored = [r for r in _cache().repos(_engine()) if r.lower() == full.lower()]
    return (stored[0] if stored else full), stored


@bp.get("/<owner>/<name>")
def repository(owner: str, name: str):
    who = auth.viewer()
    if who is None:
        return redirect("/dashboard/login?" + _next_query())
    full, stored = _repo(owner, name, who)
    return _page(_build(stored, full), who)


@bp.get("/api/<owner>/<name>")
def repository_json(owner: str, name: str):
    who = auth.viewer()
    if who is None:
        return jsonify(error="sign in or send Authorization: Bearer <MODEL_ROUTER_DASHBOARD_TOKEN>"), 401
    full, stored = _repo(owner, name, who)
    data = _build(stored, full)
    for r in data["latest"]:
        r.pop("issue_url", None)
    return jsonify(repo=full, **{k: data[k] for k in ("issues", "cards", "score", "runs", "gap", "weekly", "latest")})


@bp.get("/login")
def login():
    if not auth.oauth_ready():
        return _signin("GitHub sign-in is not configured here." if auth.settings().dashboard_token is None else None)
    return redirect(auth.authorize_url(request.args.get("next", "")))


@bp.get("/oauth/callback")
def oauth_callback():
    if not auth.take_state(request.args.get("state", "")):
        return _signin("The sign-in expired or did not start here; please try again.", 400)
    if request.args.get("error"):
        return _signin("GitHub did not authorize the sign-in.", 401)
    try:
        token = github_user.exchange(auth.settings(), request.args.get("code", ""), auth.callback_url())
        login_, repos = github_user.identify(auth.settings(), token)
    except github_user.OAuthError as exc:
        log.warning("dashboard sign-in failed: %s", exc)
        return _signin(str(exc), 401)
    target = session.get("next") or "/dashboard/"
    auth.sign_in(login_, repos)  # the user token is not kept: access is what GitHub said just now
    log.info("dashboard: %s signed in (%d readable repositories)", login_, len(repos))
    return redirect(auth.safe_next(target))


@bp.post("/login/token")
def token_login():
    auth.check_csrf()
    if not auth.check_token_form(request.form.get("token", "")):
        return _signin("That is not the dashboard token.", 401)
    auth.sign_in("token", None)
    return redirect("/dashboard/")


@bp.post("/logout")
def logout():
    auth.check_csrf()
    session.clear()
    return redirect("/dashboard/")
