"""Service settings from the environment, validated once at start-up; secrets stay SecretStr."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

GITHUB_MAX_PAYLOAD_BYTES = 25 * 1024 * 1024  # GitHub never sends a webhook body larger than this


class SettingsError(Exception):
    """Missing or malformed settings: one line naming the variable, never its value."""


class ServiceSettings(BaseSettings):
    """Every variable the App service reads (the Action and the CLI read their own inputs)."""

    model_config = SettingsConfigDict(
        env_prefix="", case_sensitive=False, extra="ignore", env_file=None, populate_by_name=True
    )

    github_app_id: int | None = Field(default=None, gt=0)
    github_app_private_key: SecretStr | None = None  # PEM text
    github_app_private_key_path: Path | None = None
    github_webhook_secret: SecretStr | None = None  # comma-separated: old and new during rotation
    github_api_url: str = "https://api.github.com"
    github_token: SecretStr | None = None  # single-repo token mode instead of App auth
    github_bot_login: str | None = None  # token mode: whose comments are ours
    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str | None = None
    database_url: str = "sqlite:///model-router.db"
    # Replicas share write pacing and installation tokens through Redis; unset: each process alone.
    redis_url: str | None = None
    redis_prefix: str = Field(default="model-router:", validation_alias="MODEL_ROUTER_REDIS_PREFIX")
    # Pacing of content-creating requests per installation (GitHub refuses more than 80 a minute and bursts:
    # 403 + Retry-After): one every 0.8 s, at most 75 in any minute; 0 = off. docs/operations.md#write-pacing
    github_writes_per_minute: int = Field(default=75, ge=0)
    github_min_write_interval: float = Field(default=0.8, ge=0)
    github_retry_backoff: float = Field(default=0.5, ge=0)  # inline 502/503/504 retries: exponential factor

    webhook_max_body_bytes: int = Field(default=GITHUB_MAX_PAYLOAD_BYTES, gt=0)
    # Job threads per process: a job keeps its thread while its writes wait for their paced slots (0.8 s each).
    worker_threads: int = Field(default=8, ge=0, validation_alias="MODEL_ROUTER_WORKER_THREADS")
    # A running job's lease, renewed every third of it: a dead worker's job (and its lane) is back within ~8 s.
    job_lease_seconds: float = Field(default=6.0, ge=1, validation_alias="MODEL_ROUTER_JOB_LEASE_SECONDS")
    job_max_attempts: int = Field(default=6, ge=1, validation_alias="MODEL_ROUTER_JOB_MAX_ATTEMPTS")
    job_poll_seconds: float = Field(default=0.5, gt=0, validation_alias="MODEL_ROUTER_JOB_POLL_SECONDS")
    retention_days: float = Field(default=14, gt=0, validation_alias="MODEL_ROUTER_RETENTION_DAYS")
    config_cache_seconds: float = Field(default=600.0, ge=0, validation_alias="MODEL_ROUTER_CONFIG_CACHE_SECONDS")
    # a base branch's required checks, per process: rulesets and protection change rarely, check suites come often
    rules_cache_seconds: float = Field(default=300.0, ge=0, validation_alias="MODEL_ROUTER_RULES_CACHE_SECONDS")
    # SQLite durability: FULL fsyncs every commit (one per group-committed batch); NORMAL (WAL) survives a
    # killed process but not a power cut.
    sqlite_synchronous: Literal["FULL", "NORMAL"] = Field(default="FULL", validation_alias="MODEL_ROUTER_SQLITE_SYNCHRONOUS")
    log_level: str = Field(default="INFO", validation_alias="MODEL_ROUTER_LOG_LEVEL")
    metrics_port: int | None = Field(default=None, ge=1, le=65535, validation_alias="MODEL_ROUTER_METRICS_PORT")
    # `GET /metrics` answers only `Authorization: Bearer <this>`; unset, it answers 401 to everyone
    metrics_token: SecretStr | None = Field(default=None, validation_alias="MODEL_ROUTER_METRICS_TOKEN")
    log_format: Literal["text", "json"] = Field(default="text", validation_alias="MODEL_ROUTER_LOG_FORMAT")
    # The dashboard: sign-in through the App's OAuth (client id/secret from the App's settings page) on
    # GitHub's web host, and/or a bearer token for self-hosters; sessions signed with the session secret.
    github_web_url: str = Field(default="https://github.com", validation_alias="MODEL_ROUTER_GITHUB_WEB_URL")
    github_client_id: str | None = None
    github_client_secret: SecretStr | None = None
    dashboard_token: SecretStr | None = Field(default=None, validation_alias="MODEL_ROUTER_DASHBOARD_TOKEN")
    session_secret: SecretStr | None = Field(default=None, validation_alias="MODEL_ROUTER_SESSION_SECRET")
    public_url: str | None = Field(default=None, validation_alias="MODEL_ROUTER_PUBLIC_URL")  # https://… behind a proxy

    @field_validator("github_api_url", "anthropic_base_url", "github_web_url", "public_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None if v == "" else v
        if not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v.rstrip("/")

    @field_validator("redis_url", mode="before")
    @classmethod
    def _redis(cls, v: object) -> object:
        if isinstance(v, str) and not v.strip():
            return None
        if isinstance(v, str) and not v.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be redis://HOST:PORT/DB (or rediss://, unix://)")
        return v

    @field_validator("database_url")
    @classmethod
    def _db(cls, v: str) -> str:
        if not v.startswith(("sqlite", "postgres")):
            raise ValueError("must be sqlite:///PATH or postgresql://...")
        return v

    @field_validator("github_app_private_key", "github_token", "anthropic_api_key", "github_webhook_secret",
                     "github_client_secret", "dashboard_token", "session_secret", "github_client_id", "metrics_token",
                     mode="before")
    @classmethod
    def _blank_is_unset(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @model_validator(mode="after")
    def _credentials(self) -> "ServiceSettings":
        if self.github_app_private_key is None and self.github_app_private_key_path is not None:
            try:
                self.github_app_private_key = SecretStr(self.github_app_private_key_path.read_text())
            except OSError as exc:
                raise ValueError(f"GITHUB_APP_PRIVATE_KEY_PATH: cannot read the file ({exc.strerror})") from None
        if self.github_token is None:
            if self.github_app_id is None:
                raise ValueError("set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY (App mode) or GITHUB_TOKEN (token mode)")
            if self.github_app_private_key is None:
                raise ValueError("GITHUB_APP_ID is set but neither GITHUB_APP_PRIVATE_KEY nor GITHUB_APP_PRIVATE_KEY_PATH")
            if "PRIVATE KEY-----" not in self.github_app_private_key.get_secret_value():
                raise ValueError("GITHUB_APP_PRIVATE_KEY is not a PEM private key")
        if not self.webhook_secrets:
            raise ValueError("GITHUB_WEBHOOK_SECRET is required: webhooks cannot be verified without it")
        return self

    @property
    def webhook_secrets(self) -> list[bytes]:
        if self.github_webhook_secret is None:
            return []
        raw = self.github_webhook_secret.get_secret_value()
        return [s.strip().encode() for s in raw.split(",") if s.strip()]

    def configure_logging(self) -> None:
        """Level, format, and every configured secret scrubbed from whatever is logged."""
        from bot.logs import configure

        secrets = [v.get_secret_value() for v in (self.github_app_private_key, self.github_token, self.anthropic_api_key,
                                                   self.github_client_secret, self.dashboard_token, self.session_secret,
                                                   self.metrics_token)
                   if v is not None]
        configure(self.log_level, self.log_format, secrets + [s.decode() for s in self.webhook_secrets])

    @property
    def app_mode(self) -> bool:
        return self.github_token is None

    @classmethod
    def from_env(cls, **overrides: object) -> "ServiceSettings":
        """Load and validate; any problem becomes one SettingsError line without values."""
        try:
            return cls(**overrides)
        except ValidationError as exc:
            raise SettingsError(_one_line(exc)) from None


def _one_line(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = ".".join(str(p) for p in err["loc"]).upper()
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "invalid settings: " + "; ".join(parts)
