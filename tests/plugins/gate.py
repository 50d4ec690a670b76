"""pytest fixtures for the review gate: a handler Context on FakeGitHub + FakeAnthropic, PR seeding, comments.

- `make_ctx(mode="app", llm=True, config=None)` -> a `Context` on `gh`, a temp SQLite store and an
  AnthropicLLM pointed at `fake_anthropic` (closed afterwards).
- `pr_comment(body, login="Codertocat", role="write")` -> a real `issue_comment.created` payload on the PR,
  with the commenter's permission seeded.
- `seed(fake_github, files, ...)`, `statuses(fake_github, sha=None)` and the constants below.
- The permission cache is cleared around every test (autouse), so no test sees another's grants.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from bot.catalog import load_catalog
from bot.config import RepoConfig
from bot.review.gate import CONTEXT
from bot.config.source import FixedConfig
from bot.context import Context
from bot.llm import AnthropicLLM
from bot.models import Tier
from bot.permissions import clear_cache
from bot.store.issues import IssueStore

REPO = "Codertocat/Hello-World"
NUMBER = 2
SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"  # head of the real example payloads
NEW_SHA = "f" * 40
AUTH_PATCH = "@@ -1,3 +1,4 @@\n def login(user, password):\n-    return check(user, password)\n+    return True\n+    # TODO\n     pass"
PLAIN = {"filename": "README.md", "additions": 1, "changes": 1, "patch": "@@ -1 +1 @@\n-a\n+b"}
AUTH = {"filename": "src/auth/login.py", "additions": 2, "deletions": 1, "patch": AUTH_PATCH}
PASS = {"verdict": "pass", "summary": "Looks fine.", "findings": []}
OPUS = load_catalog().tiers[Tier.opus]


@pytest.fixture(autouse=True)
def _fresh_permissions():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def make_ctx(gh, fake_anthropic, tmp_path):
    clients: list[AnthropicLLM] = []

    def make(mode: str = "app", llm: bool = True, config: RepoConfig | None = None) -> Context:
        store = IssueStore(create_engine(f"sqlite:///{tmp_path / 'x.db'}"))
        if llm:
            clients.append(AnthropicLLM("sk-test", base_url=fake_anthropic.url))
        return Context(
            gh=gh, repo=REPO, store=store, configs=FixedConfig(config), mode=mode,
            llm=clients[-1] if llm else None,
        )

    yield make
    for client in clients:
        client.close()


def seed(fake_github, files, labels=(), head=SHA, title="Update login", body="Please review"):
    fake_github.add_repo(REPO)
    fake_github.add_pull(REPO, NUMBER, title, body, head_sha=head, labels=list(labels), files=files)


def statuses(fake_github, sha=None):
    return [(s["sha"], s["state"], s["description"]) for s in fake_github.repo(REPO)["statuses"]
            if s["context"] == CONTEXT and (sha is None or s["sha"] == sha)]


@pytest.fixture
def pr_comment(fake_github, webhook_example):
    def make(body: str, login: str = "Codertocat", role: str = "write") -> dict:
        fake_github.set_permission(REPO, login, role)
        payload = webhook_example("issue_comment", "created")
        payload["issue"]["number"] = NUMBER
        payload["issue"]["pull_request"] = {"url": f"https://api.github.com/repos/{REPO}/pulls/{NUMBER}"}
        payload["comment"]["id"] = fake_github.add_comment(REPO, NUMBER, body, user=login)
        payload["comment"]["body"] = body
        payload["comment"]["user"]["login"] = payload["sender"]["login"] = login
        return payload

    return make
