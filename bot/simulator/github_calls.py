"""FakeGitHub's request plumbing: the endpoint registry, one call's view of a request, HTTP errors."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from bot.simulator.openapi import Operation

if TYPE_CHECKING:
    from bot.simulator.github import FakeGitHub

ROLE_TO_PERMISSION = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read"}

Handler = Callable[["FakeGitHub", "Call"], tuple[int, Any]]
ROUTES: dict[str, tuple[str, str, Handler]] = {}


def route(method: str, template: str, operation_id: str) -> Callable[[Handler], Handler]:
    """Register a handler under GitHub's operationId (also the fallback router when no spec is loaded)."""

    def deco(fn: Handler) -> Handler:
        ROUTES[operation_id] = (method.lower(), template, fn)
        return fn

    return deco


class HTTPError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None, errors: list | None = None):
        super().__init__(message)
        self.status, self.message, self.headers, self.errors = status, message, headers or {}, errors


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    json: Any
    token: str | None  # the credential: token text, or "jwt:<app id>" for App JWTs
    status: int = 0
    operation_id: str = ""


@dataclass
class Fault:
    method: str
    path_regex: str
    status: int
    headers: dict[str, str] | None
    times: int
    body: Any
    applied: bool = False  # carry the request out, then answer the fault


@dataclass
class Call:
    op: Operation
    query: dict[str, str]
    json: Any
    token: str | None
    actor: dict[str, Any] | None  # the user a write is authored by
    repo: dict[str, Any] | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)


def _b64(data: bytes) -> str:
    # GitHub wraps base64 content at 60 characters
    raw = base64.b64encode(data).decode()
    return "\n".join(raw[i : i + 60] for i in range(0, len(raw), 60)) + "\n"
