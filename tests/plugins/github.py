"""pytest fixtures for the github area: a shared FakeGitHub, a real RestGitHub on it, real webhook payloads.

Fixtures
- `fake_github` -> `bot.simulator.github.FakeGitHub`, one server per session, state reset for every test.
  `.url` (use as GITHUB_API_URL), `.requests` (list of `Request(method, path, query, json, token, status,
  operation_id)`), `.writes()`, `.violations`, `.secondary_limit_hits`, `.jwt_claims`, `.tokens`,
  `fail_next(method, path_regex, status, headers=None, times=1, body=None)`, seeding with `add_repo`,
  `set_file`, `add_label`, `set_permission`, `add_issue`, `add_pull`, `add_comment`, `set_compare`,
  `add_artifact`, `seed(dict)`, `seed_payload(payload)`; inspection with `repo()`, `issue()`, `labels_on()`,
  `comments()`, `state()`. Per-test knobs (reset after each test): `secondary_limit` (80), `secondary_per_second` (off), `latency` (0),
  `app_id` (1), `app_slug` ("model-router"), `app_public_key` (None = JWTs are not signature-checked), `token_login` ("github-actions[bot]"),
  `token_ttl` (3600), `token_logins` ({token: login}).
  At teardown the fixture FAILS the test if any request was not valid for GitHub's OpenAPI description
  (or hit an endpoint the fake does not implement). A test that provokes violations on purpose must
  check and then `fake_github.violations.clear()`.
- `gh` -> `bot.github.rest.RestGitHub` in token mode ("test-token", authored by `github-actions[bot]`)
  pointed at `fake_github`, with pacing and retry waits set to 0.
- `webhook_example(event, action=None, index=0)` -> deep copy of a real payload from GitHub's examples.
- `ruleset_example(action="edited")` -> a `repository_ruleset` delivery (octokit's examples have none): GitHub's own
  ruleset example from the OpenAPI description in a real delivery's envelope, checked against GitHub's schema.
- `sign(body: bytes, secret: str) -> "sha256=<hex>"` (X-Hub-Signature-256); also importable from here.
- `seed_repo_for(payload)` -> seeds the repo (and issue / PR) named by a payload; returns the repo dict.
- `github_app_key` -> (private_pem: str, public_pem: str), a session RSA key for App-auth tests.
- `memory_github` -> `bot.simulator.github_memory.MemoryGitHub`: the GitHubPort in memory (no sockets, no
  OpenAPI check) for unit tests; `.writes`, `.statuses`, `.dispatches`, seeding with `add_repo`, `add_issue`,
  `set_file`, `set_permission`, `add_pull`.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from bot.simulator.github import FakeGitHub
from bot.simulator.github_memory import MemoryGitHub
from bot.simulator.openapi import DATA, DEFAULT_SPEC, load_openapi

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "github"  # test-only artefacts (webhook schemas)
SPEC = DEFAULT_SPEC
TEST_TOKEN = "test-token"


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@lru_cache(maxsize=1)
def _examples() -> dict[str, list[dict[str, Any]]]:
    with gzip.open(DATA / "webhook-examples.json.gz", "rt", encoding="utf-8") as f:
        return {e["name"]: e["examples"] for e in json.load(f)}


def load_webhook_example(event: str, action: str | None = None, index: int = 0) -> dict[str, Any]:
    """The index-th real example of `event` (with `action`), deep-copied so tests may mutate it."""
    examples = [e for e in _examples()[event] if action is None or e.get("action") == action]
    if not examples:
        raise LookupError(f"no webhook example for {event!r} action={action!r}")
    return copy.deepcopy(examples[index])


def load_ruleset_example(action: str = "edited") -> dict[str, Any]:
    """`repository_ruleset.<action>`: the description's `repository-ruleset` example as the ruleset, the repository,
    sender and installation of a real `branch_protection_rule` delivery; valid for GitHub's webhook schema."""
    api = load_openapi(SPEC)
    envelope = load_webhook_example("branch_protection_rule", "created")
    ruleset = api.spec["components"]["examples"]["repository-ruleset"]["value"]
    payload = {"action": action, "repository_ruleset": copy.deepcopy(ruleset),
               **{key: envelope[key] for key in ("repository", "sender", "installation")}}
    problem = api.webhook_problem(f"webhook-repository-ruleset-{action}", payload)
    assert problem is None, problem
    return payload


@pytest.fixture(scope="session")
def _fake_github_server() -> Iterator[FakeGitHub]:
    with FakeGitHub(SPEC) as fake:
        yield fake


@pytest.fixture
def fake_github(_fake_github_server: FakeGitHub) -> Iterator[FakeGitHub]:
    fake = _fake_github_server
    fake.reset()
    # Unit tests run with pacing off, so the per-second burst limit is enforced only where a test asks.
    fake.secondary_limit, fake.secondary_per_second, fake.latency, fake.app_public_key = 80, None, 0.0, None
    fake.token_login, fake.token_ttl = "github-actions[bot]", 3600
    fake.app_id, fake.app_slug = 1, "model-router"
    fake.oauth_login, fake.oauth_callback = None, None
    fake.oauth_client_id, fake.oauth_client_secret = "Iv1.simulated", "simulated-client-secret"
    yield fake
    violations = list(fake.violations)
    fake.reset()
    assert violations == [], "requests GitHub would refuse (see FakeGitHub.violations):\n" + "\n".join(violations)


@pytest.fixture
def gh(fake_github: FakeGitHub) -> Any:
    from bot.github.rest import RestGitHub

    port = RestGitHub(
        TEST_TOKEN, fake_github.url, writes_per_minute=None, min_write_interval=0, max_inline_wait=2, backoff=0
    )
    yield port
    port.close()


@pytest.fixture
def webhook_example() -> Callable[..., dict[str, Any]]:
    return load_webhook_example


@pytest.fixture
def ruleset_example() -> Callable[..., dict[str, Any]]:
    return load_ruleset_example


@pytest.fixture(name="sign")
def sign_fixture() -> Callable[[bytes, str], str]:
    return sign


@pytest.fixture
def seed_repo_for(fake_github: FakeGitHub) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return fake_github.seed_payload


@pytest.fixture(scope="session")
def github_app_key() -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private, public


@pytest.fixture
def memory_github() -> MemoryGitHub:
    return MemoryGitHub()
