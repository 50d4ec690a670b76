"""The viewer's side of GitHub: the OAuth code exchange (web host) and, with the user-to-server token, who
they are and which repositories they can read among the App's installations (API host)."""

from __future__ import annotations

from typing import Iterator

import requests

from bot.settings import ServiceSettings as Settings

TIMEOUT = 10
MAX_REPOS = 500  # kept in the signed session cookie; more are cut (and logged) rather than overflowing it
READ = ("admin", "maintain", "push", "triage", "pull")


class OAuthError(Exception):
    """The sign-in failed: one line safe to show (never a token or a secret)."""


def _api(session: requests.Session, settings: Settings, token: str, path: str, **params) -> requests.Response:
    resp = session.get(settings.github_api_url + path, params=params, timeout=TIMEOUT, headers={
        "Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"})
    if resp.status_code != 200:
        raise OAuthError(f"GitHub answered {resp.status_code} to GET {path}")
    return resp


def _pages(session: requests.Session, settings: Settings, token: str, path: str, key: str) -> Iterator[dict]:
    params = {"per_page": 100, "page": 1}
    while True:
        resp = _api(session, settings, token, path, **params)
        items = resp.json().get(key) or []
        yield from items
        if "next" not in resp.links or not items:
            return
        params["page"] += 1


def exchange(settings: Settings, code: str, redirect_uri: str) -> str:
    """The user-to-server token for an authorization code (GitHub answers errors with 200 + `error`)."""
    if settings.github_client_id is None or settings.github_client_secret is None:
        raise OAuthError("GitHub sign-in is not configured")
    try:
        resp = requests.post(f"{settings.github_web_url}/login/oauth/access_token", timeout=TIMEOUT,
                             headers={"Accept": "application/json"},
                             data={"client_id": settings.github_client_id, "code": code, "redirect_uri": redirect_uri,
                                   "client_secret": settings.github_client_secret.get_secret_value()})
        body = resp.json() if resp.status_code == 200 else {}
    except (requests.RequestException, ValueError):
        raise OAuthError("GitHub could not be reached to finish the sign-in") from None
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise OAuthError(f"GitHub refused the sign-in ({body.get('error') or resp.status_code})")
    return token


def identify(settings: Settings, token: str) -> tuple[str, list[str]]:
    """(login, lower-cased full names of the repositories the user can read where the App is installed)."""
    with requests.Session() as s:
        try:
            login = _api(s, settings, token, "/user").json()["login"]
            repos: list[str] = []
            for inst in _pages(s, settings, token, "/user/installations", "installations"):
                for repo in _pages(s, settings, token, f"/user/installations/{int(inst['id'])}/repositories", "repositories"):
                    perms = repo.get("permissions") or {}
                    if any(perms.get(p) for p in READ):
                        repos.append(str(repo["full_name"]).lower())
        except requests.RequestException:
            raise OAuthError("GitHub could not be reached to check your access") from None
        except (KeyError, TypeError, ValueError):
            raise OAuthError("GitHub answered something unexpected while checking your access") from None
    return login, sorted(set(repos))[:MAX_REPOS]
