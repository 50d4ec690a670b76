"""Replicas share GitHub write pacing and installation tokens through Redis (skipped without a server)."""

from __future__ import annotations

import time

import pytest

from bot.github.pacing import RedisWritePacer
from bot.github.shared import SharedState


CALL = 0.05  # a slot is read as "now + the delay granted": the Redis round trip before it blurs it by this much


def _slots(pacers, n: int) -> list[float]:
    slots = []
    for i in range(n):
        t = time.time()
        slots.append(t + pacers[i % len(pacers)].reserve())
    return sorted(slots)


def test_two_replicas_share_one_window(redis_url, redis_prefix):
    a, b = (SharedState.from_url(redis_url, redis_prefix) for _ in range(2))  # two processes' clients
    pacers = [RedisWritePacer(s.client, f"{redis_prefix}pace:installation:7", 5, window=1.0) for s in (a, b)]
    slots = _slots(pacers, 15)
    for i in range(len(slots) - 5):  # never more than 5 writes in any 1 s, whichever replica sends them
        assert slots[i + 5] - slots[i] >= 1.0 - CALL
    assert slots[-1] - slots[0] >= 2.0 - CALL
    other = RedisWritePacer(a.client, f"{redis_prefix}pace:installation:8", 5, window=1.0)
    assert other.reserve() == 0.0  # another installation is not held back
    a.close(), b.close()


def test_min_interval_is_shared_too(redis_url, redis_prefix):
    a, b = (SharedState.from_url(redis_url, redis_prefix) for _ in range(2))
    pacers = [a.pacer("token", None, 0.2), b.pacer("token", None, 0.2)]
    slots = _slots(pacers, 6)
    assert all(y - x >= 0.2 - CALL for x, y in zip(slots, slots[1:]))
    a.close(), b.close()


def test_without_redis_pacing_falls_back_to_this_process(caplog):
    import redis

    client = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    pacer = RedisWritePacer(client, "x", 2, window=60)
    assert [pacer.reserve() for _ in range(2)] == [0.0, 0.0]
    assert pacer.reserve() > 50  # the local window still holds
    assert sum("Redis unreachable" in r.getMessage() for r in caplog.records) == 1


def test_replicas_share_installation_tokens(redis_url, redis_prefix, fake_github, github_app_key):
    from bot.github.auth import AppAuth

    private, public = github_app_key
    fake_github.app_public_key = public
    fake_github.add_repo("octo/repo", installation_id=7)
    replicas = [AppAuth(fake_github.app_id, private, fake_github.url,
                        shared=SharedState.from_url(redis_url, redis_prefix, secret=private.encode())) for _ in range(2)]
    tokens = {r.installation_token(7) for r in replicas}
    minted = [r for r in fake_github.requests if r.path.endswith("/access_tokens")]
    assert len(tokens) == 1 and len(minted) == 1
    for r in replicas:
        r.close()


def test_a_pause_is_shared_by_every_replica(redis_url, redis_prefix):
    # Replica a gets GitHub's 403 + Retry-After: replica b's next write waits it out too, then writes are spaced
    a, b = (SharedState.from_url(redis_url, redis_prefix) for _ in range(2))
    pa, pb = a.pacer("installation:9", 75, 0.2), b.pacer("installation:9", 75, 0.2)
    assert pb.reserve() == 0.0
    pa.pause(1.5)
    first, second = pb.reserve(), pa.reserve()
    assert 1.3 <= first <= 1.5 and 0.19 <= second - first <= 0.25
    assert b.pacer("installation:10", 75, 0.2).reserve() == 0.0  # another installation is not held
    a.close(), b.close()
