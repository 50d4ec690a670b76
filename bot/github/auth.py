"""GitHub credentials: App auth (JWT -> cached installation tokens) or a single token; one port per credential."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from github import Auth, GithubException, GithubIntegration

from bot.github.rest import RestGitHub
from bot.github.retry import GitHubRetry, to_error

if TYPE_CHECKING:
    from bot.github.shared import SharedState
    from bot.settings import ServiceSettings

DEFAULT_TOKEN_LOGIN = "github-actions[bot]"
REFRESH_MARGIN = 300.0  # renew an installation token this many seconds before it expires
JWT_EXPIRY = 540  # seconds; GitHub refuses more than 600 (PyGithub backdates iat by 60 s for clock drift)


class GitHubAuthError(Exception):
    """Unusable credentials: one line, never the secret."""


def validate_private_key(pem: str) -> str:
    """Load the App key with `cryptography` so a bad key fails at start-up with one clear line."""
    try:
        key = serialization.load_pem_private_key(pem.strip().encode(), password=None)
    except Exception as exc:  # cryptography raises several types; never echo the key
        raise GitHubAuthError(
            f"GITHUB_APP_PRIVATE_KEY is not a usable PEM private key ({type(exc).__name__})"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise GitHubAuthError("GITHUB_APP_PRIVATE_KEY must be an RSA key (GitHub Apps sign JWTs with RS256)")
    return pem.strip() + "\n"


class GitHubAuth(Protocol):
    def port_for(self, installation_id: int | None) -> RestGitHub: ...
    def bot_login(self) -> str: ...
    def close(self) -> None: ...


class TokenAuth:
    """GITHUB_TOKEN mode: one credential, one port for every installation id."""

    def __init__(self, token: str, base_url: str = "https://api.github.com", *, login: str | None = None,
                 shared: SharedState | None = None, **rest: Any):
        self._login = login or DEFAULT_TOKEN_LOGIN
        pacer = shared.pacer("token", rest.get("writes_per_minute"), rest.get("min_write_interval", 0.0)) if shared else None
        self._port = RestGitHub(token, base_url, bot_login=self._login, pacer=pacer, **rest)

    def port_for(self, installation_id: int | None = None) -> RestGitHub:
        return self._port

    def bot_login(self) -> str:
        return self._login

    def close(self) -> None:
        self._port.close()


class _InstallationToken(Auth.Auth):
    """PyGithub auth reading the (cached, refreshed) installation token on every request."""

    def __init__(self, owner: AppAuth, installation_id: int):
        self._owner, self._installation_id = owner, installation_id

    @property
    def token_type(self) -> str:
        return "token"

    @property
    def token(self) -> str:
        return self._owner.installation_token(self._installation_id)


class AppAuth:
    """GitHub App mode. JWTs come from PyGithub's `Auth.AppAuth` (RS256, iat 60 s in the past, exp
    `JWT_EXPIRY` s ahead); installation tokens from `GithubIntegration`, cached per installation until
    `refresh_margin` s before expiry. One RestGitHub per installation, so pacing is per credential."""

    def __init__(
        self,
        app_id: int | str,
        private_key: str,
        base_url: str = "https://api.github.com",
        *,
        refresh_margin: float = REFRESH_MARGIN,
        shared: SharedState | None = None,
        **rest: Any,
    ):
        self.app_id = app_id
        self._shared = shared  # replicas share tokens and pacing through Redis
        self._app_auth = Auth.AppAuth(app_id, validate_private_key(private_key), jwt_expiry=JWT_EXPIRY)
        self._base_url = base_url.rstrip("/")
        self._rest = rest
        self._refresh_margin = refresh_margin
        self._integration = GithubIntegration(
            auth=self._app_auth,
            base_url=self._base_url,
            retry=GitHubRetry(total=rest.get("retries", 3), backoff_factor=rest.get("backoff", 0.5)),
            seconds_between_requests=None,
            seconds_between_writes=None,
        )
        self._lock = threading.Lock()
        self._install_locks: dict[int, threading.Lock] = {}
        self._tokens: dict[int, tuple[str, float]] = {}
        self._ports: dict[int, RestGitHub] = {}
        self._login: str | None = None

    def create_jwt(self) -> str:
        return self._app_auth.create_jwt()

    def installation_token(self, installation_id: int) -> str:
        """A valid installation token, fetched at most once per installation at a time."""
        with self._lock:
            lock = self._install_locks.setdefault(installation_id, threading.Lock())
        with lock:
            cached = self._tokens.get(installation_id)
            if cached and cached[1] - self._refresh_margin > time.time():
                return cached[0]
            if self._shared is not None and (cached := self._shared.cached_token(installation_id, self._refresh_margin)):
                self._tokens[installation_id] = cached
                return cached[0]
            try:
                grant = self._integration.get_access_token(installation_id)
            except GithubException as exc:
                raise to_error(exc) from None
            expires = (grant.expires_at or datetime.now(timezone.utc)).timestamp()
            self._tokens[installation_id] = (grant.token, expires)
            if self._shared is not None:
                self._shared.store_token(installation_id, grant.token, expires, self._refresh_margin)
            return grant.token

    def port_for(self, installation_id: int | None) -> RestGitHub:
        if installation_id is None:
            raise GitHubAuthError("App mode needs the delivery's installation id")
        with self._lock:
            if installation_id not in self._ports:
                pacer = None
                if self._shared is not None:
                    pacer = self._shared.pacer(f"installation:{installation_id}", self._rest.get("writes_per_minute"),
                                               self._rest.get("min_write_interval", 0.0))
                self._ports[installation_id] = RestGitHub(
                    _InstallationToken(self, installation_id), self._base_url, bot_login=self.bot_login, pacer=pacer,
                    metrics_label=str(installation_id), **self._rest,
                )
            return self._ports[installation_id]

    def close(self) -> None:
        with self._lock:
            ports, self._ports = list(self._ports.values()), {}
        for port in ports:
            port.close()
        self._integration.close()
        if self._shared is not None:
            self._shared.close()

    def bot_login(self) -> str:
        """`<app slug>[bot]`, from GET /app once."""
        if self._login is None:
            try:
                slug = self._integration.get_app().slug
            except GithubException as exc:
                raise to_error(exc) from None
            self._login = f"{slug}[bot]"
        return self._login


def from_settings(settings: ServiceSettings, shared: SharedState | None = None) -> GitHubAuth:
    """Token mode when GITHUB_TOKEN is set, else App mode; pacing from the settings, shared through `shared`
    (else through a client of REDIS_URL, when set)."""
    per_minute = settings.github_writes_per_minute or None
    rest = {
        "writes_per_minute": per_minute,
        "min_write_interval": settings.github_min_write_interval,
        "backoff": settings.github_retry_backoff,
    }
    if shared is not None:
        rest["shared"] = shared
    elif settings.redis_url:
        from bot.github.shared import SharedState

        rest["shared"] = SharedState.for_settings(settings)
    if settings.github_token is not None:
        return TokenAuth(
            settings.github_token.get_secret_value(), settings.github_api_url, login=settings.github_bot_login, **rest
        )
    if settings.github_app_id is None or settings.github_app_private_key is None:
        raise GitHubAuthError("set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY, or GITHUB_TOKEN")
    return AppAuth(
        settings.github_app_id, settings.github_app_private_key.get_secret_value(), settings.github_api_url, **rest
    )
