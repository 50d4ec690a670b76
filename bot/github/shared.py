"""State replicas share through Redis (REDIS_URL): per-credential write pacing and installation tokens.

Without REDIS_URL each process keeps both to itself, which is right for one replica. Every key
starts with the prefix (MODEL_ROUTER_REDIS_PREFIX), so several deployments (or tests) can share a server.
"""

from __future__ import annotations

import json
import logging
import time

from bot.github.pacing import RedisWritePacer

log = logging.getLogger("model_router.github")


class SharedState:
    def __init__(self, client, prefix: str = "model-router:"):
        self.client, self.prefix = client, prefix

    @classmethod
    def from_url(cls, url: str, prefix: str = "model-router:") -> "SharedState":
        import redis

        return cls(redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30), prefix)

    def pacer(self, credential: str, per_minute: int | None, min_interval: float = 0.0) -> RedisWritePacer:
        """One pacer per credential, the same slots for every replica (GitHub's limit is per credential)."""
        return RedisWritePacer(self.client, f"{self.prefix}pace:{credential}", per_minute, min_interval)

    def cached_token(self, installation_id: int, margin: float) -> tuple[str, float] | None:
        """An installation token another replica minted, still valid for more than `margin` seconds."""
        from redis.exceptions import RedisError

        try:
            raw = self.client.get(f"{self.prefix}token:{installation_id}")
        except RedisError as exc:
            log.warning("token cache: Redis unreachable (%s)", type(exc).__name__)
            return None
        if raw is None:
            return None
        token, expires = json.loads(raw)
        return (token, expires) if expires - margin > time.time() else None

    def store_token(self, installation_id: int, token: str, expires: float, margin: float) -> None:
        from redis.exceptions import RedisError

        ttl = int(expires - margin - time.time())
        if ttl <= 0:
            return
        try:
            self.client.set(f"{self.prefix}token:{installation_id}", json.dumps([token, expires]), ex=ttl)
        except RedisError as exc:
            log.warning("token cache: Redis unreachable (%s)", type(exc).__name__)

    def close(self) -> None:
        self.client.close()
