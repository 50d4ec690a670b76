"""State replicas share through Redis (REDIS_URL): per-credential write pacing and installation tokens.

Without REDIS_URL each process keeps both to itself, which is right for one replica. Every key
starts with the prefix (MODEL_ROUTER_REDIS_PREFIX), so several deployments (or tests) can share a server.
Installation tokens are stored only encrypted (AES-GCM under a key derived from a secret every replica has,
the App's private key, with the Redis key as associated data, so a value moved to another installation's
key does not decrypt); without such a secret they are not shared at all. Someone who can read Redis reads
no token.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time

from bot.github.pacing import RedisWritePacer

log = logging.getLogger("model_router.github")


class SharedState:
    def __init__(self, client, prefix: str = "model-router:", secret: bytes | None = None):
        self.client, self.prefix = client, prefix
        self._key = hashlib.sha256(b"model-router token cache v1\n" + secret).digest() if secret else None

    @classmethod
    def from_url(cls, url: str, prefix: str = "model-router:", secret: bytes | None = None) -> "SharedState":
        import redis

        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30)
        return cls(client, prefix, secret)

    @classmethod
    def for_settings(cls, settings) -> "SharedState":
        """The service's shared state (REDIS_URL set): tokens sealed under the App's private key, which every
        replica has; in token mode nothing seals them, so they are not shared."""
        key = settings.github_app_private_key
        return cls.from_url(settings.redis_url, settings.redis_prefix,
                            secret=key.get_secret_value().encode() if key is not None else None)

    def _seal(self, name: str, plain: bytes) -> bytes:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(12)
        return nonce + AESGCM(self._key).encrypt(nonce, plain, name.encode())

    def _open(self, name: str, sealed: bytes) -> bytes | None:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            return AESGCM(self._key).decrypt(sealed[:12], sealed[12:], name.encode())
        except (InvalidTag, ValueError):
            return None  # another key, another installation's value, or an old plain-text entry

    def problem(self) -> str | None:
        """None when Redis answers a PING, else one line saying why not (never the URL's password)."""
        from redis.exceptions import RedisError

        try:
            self.client.ping()
        except RedisError as exc:
            kw = self.client.connection_pool.connection_kwargs
            where = kw.get("path") or f"{kw.get('host', '?')}:{kw.get('port', '?')}"
            detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            return f"cannot reach Redis at {where} ({detail})"
        return None

    def pacer(self, credential: str, per_minute: int | None, min_interval: float = 0.0) -> RedisWritePacer:
        """One pacer per credential, the same slots for every replica (GitHub's limit is per credential)."""
        return RedisWritePacer(self.client, f"{self.prefix}pace:{credential}", per_minute, min_interval)

    def cached_token(self, installation_id: int, margin: float) -> tuple[str, float] | None:
        """An installation token another replica minted, still valid for more than `margin` seconds."""
        from redis.exceptions import RedisError

        if self._key is None:
            return None
        name = f"{self.prefix}token:{installation_id}"
        try:
            raw = self.client.get(name)
        except RedisError as exc:
            log.warning("token cache: Redis unreachable (%s)", type(exc).__name__)
            return None
        plain = self._open(name, raw) if raw is not None else None
        if plain is None:
            return None
        token, expires = json.loads(plain)
        return (token, expires) if expires - margin > time.time() else None

    def store_token(self, installation_id: int, token: str, expires: float, margin: float) -> None:
        from redis.exceptions import RedisError

        ttl = int(expires - margin - time.time())
        if ttl <= 0 or self._key is None:
            return
        name = f"{self.prefix}token:{installation_id}"
        try:
            self.client.set(name, self._seal(name, json.dumps([token, expires]).encode()), ex=ttl)
        except RedisError as exc:
            log.warning("token cache: Redis unreachable (%s)", type(exc).__name__)

    def close(self) -> None:
        self.client.close()
