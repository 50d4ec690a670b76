"""pytest fixtures for the scale-out mode: `redis_url` and `redis_prefix` on the local Redis (127.0.0.1:6379).

When the server is not reachable the test is skipped and says why. Each test gets its own key prefix
(other helpers and CI jobs share the server) and its keys are deleted afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

REDIS_URL = os.environ.get("MODEL_ROUTER_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url() -> Iterator[str]:
    redis = pytest.importorskip("redis", reason="redis-py is not installed")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server here"
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {str(exc).splitlines()[0][:200]}")
    finally:
        client.close()
    yield REDIS_URL


@pytest.fixture
def redis_prefix(redis_url) -> Iterator[str]:
    import redis

    prefix = f"mr-test-{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()
