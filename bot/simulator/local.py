"""Driving local processes from the demo, the benchmarks and end-to-end tests: ports, HTTP, polling, examples."""

from __future__ import annotations

import gzip
import json
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

from bot.simulator.openapi import DATA

EXAMPLES = DATA / "webhook-examples.json.gz"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    """(status, body); status 0 when nothing answered."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def wait_for(predicate, timeout: float = 20.0, what: str = "condition", poll: float = 0.05):
    """Poll until `predicate()` is truthy and return it; TimeoutError naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    raise TimeoutError(f"timed out waiting for {what}")


def example(event: str, action: str, index: int = 0) -> dict:
    """A real webhook payload GitHub publishes for this event and action (the first, or the `index`th)."""
    with gzip.open(EXAMPLES, "rt", encoding="utf-8") as f:
        examples = {e["name"]: e["examples"] for e in json.load(f)}
    return [e for e in examples[event] if e.get("action") == action][index]


def keypair(tmp: Path) -> tuple[str, Path]:
    """A fresh App key: (private PEM text, path of the public PEM written under `tmp`)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = tmp / "app-public.pem"
    public.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return private, public
