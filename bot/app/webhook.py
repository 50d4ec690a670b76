"""`POST /webhook`: verify, persist, acknowledge. The work itself runs later in a worker.

Order matters: the signature header and the size are checked before the body is read, the HMAC
before the body is parsed, the payload against GitHub's schema before it is stored (bot.app.validate),
and the answer is sent only after the delivery is committed.
"""

from __future__ import annotations

import hmac
import json
import logging
from urllib.parse import parse_qs

import orjson
from flask import Blueprint, Response, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from bot.app.resources import resources
from bot.app.validate import problem
from bot.logs import context as log_context
from bot.metrics import count_delivery
from bot.handlers import handles
from bot import facts
from bot.config.source import touches_config

bp = Blueprint("webhook", __name__)
log = logging.getLogger("model_router.webhook")


def verify_signature(body: bytes, header: str, secrets: list[bytes]) -> str | None:
    """Constant-time check of `sha256=<hex>` against every configured secret (rotation); the verified hex
    digest, else None. It names the signed body: a redelivery or a replay carries the same one."""
    if not header.startswith("sha256="):
        return None
    given = header[len("sha256=") :].strip().lower().encode()
    ok = False
    for secret in secrets:
        expected = hmac.digest(secret, body, "sha256").hex().encode()  # one-shot: no HMAC object
        ok |= hmac.compare_digest(expected, given)
    return given.decode() if ok else None


_OUTCOME = {400: "invalid", 401: "unauthorized", 413: "too_large", 503: "unavailable"}


def _answer(code: int, **fields) -> Response:
    resp = Response(orjson.dumps(fields), code, mimetype="application/json")
    resp.outcome = fields.get("status") or _OUTCOME.get(code, str(code))  # the deliveries metric's label
    return resp


def _read_body(environ: dict, length: int | None, limit: int) -> bytes:
    """The body, whole: exactly Content-Length bytes (already checked against `limit`), else capped chunks."""
    if length is None:
        return _read_capped(limit)
    try:
        body = environ["wsgi.input"].read(length) if length else b""
    except (OSError, ValueError) as exc:  # reset mid-body (what werkzeug's own stream turns into this)
        raise ClientDisconnected() from exc
    if len(body) != length:
        raise ClientDisconnected()
    return body


def _read_capped(limit: int) -> bytes:
    """Read the body in chunks and stop as soon as it passes `limit` (chunked uploads have no length)."""
    chunks, total = [], 0
    while chunk := request.stream.read(min(65_536, limit + 1 - total) or 1):
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise RequestEntityTooLarge()
    return b"".join(chunks)


def _parse(body: bytes, form: bool) -> dict | None:
    try:
        if form:
            # An App may be configured to send `payload=<json>` form posts instead of JSON.
            values = parse_qs(body.decode("utf-8"), strict_parsing=True).get("payload")
            if not values:
                return None
            body = values[0].encode()
        try:
            payload = orjson.loads(body)  # a third of the CPU of json.loads on a 12 kB payload
        except orjson.JSONDecodeError:  # NaN, lone surrogates: json.loads reads them
            payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return payload if isinstance(payload, dict) else None


def _app_mode_problem(settings, payload: dict) -> str | None:
    """App mode acts with the delivery's installation token: GitHub's schema has it optional, we cannot."""
    if settings.app_mode and not isinstance(payload.get("installation"), dict):
        return "payload.installation is missing (the App acts as the delivery's installation)"
    return None


@bp.post("/webhook")
def webhook():
    resp = _deliver()
    count_delivery(request.environ.get("HTTP_X_GITHUB_EVENT", ""), resp.outcome)
    return resp


def _deliver() -> Response:
    res = resources()
    settings = res.runtime.settings
    environ = request.environ  # headers as WSGI keys: one dict, read a handful of times per delivery
    signature = environ.get("HTTP_X_HUB_SIGNATURE_256", "")
    if not signature:
        return _answer(401, error="missing X-Hub-Signature-256")
    length = request.content_length
    if length is not None and length > settings.webhook_max_body_bytes:
        return _answer(413, error=f"body larger than {settings.webhook_max_body_bytes} bytes")
    try:
        body = _read_body(environ, length, settings.webhook_max_body_bytes)
    except RequestEntityTooLarge:  # chunked upload that grew past the cap
        return _answer(413, error=f"body larger than {settings.webhook_max_body_bytes} bytes")
    except ClientDisconnected:
        return _answer(400, error="incomplete body")
    digest = verify_signature(body, signature, settings.webhook_secrets)
    if digest is None:
        return _answer(401, error="invalid signature")

    event = environ.get("HTTP_X_GITHUB_EVENT", "")
    delivery = environ.get("HTTP_X_GITHUB_DELIVERY", "")
    if not event or not delivery or len(delivery) > 128 or len(event) > 64:
        return _answer(400, error="missing or malformed X-GitHub-Event / X-GitHub-Delivery")
    form = environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded")
    payload = _parse(body, form)
    if payload is None:
        return _answer(400, error="body is not a JSON object")
    if event == "ping":
        return _answer(200, status="pong", zen=str(payload.get("zen", ""))[:200])

    action = payload.get("action") if isinstance(payload.get("action"), str) else None
    if not handles(event, action) or (event == "push" and not touches_config(payload)) or \
            not facts.worth_a_job(event, action, payload):
        return _answer(202, status="ignored", event=event, action=action)
    reason = problem(event, action, payload) or _app_mode_problem(settings, payload)
    if reason is not None:  # refused at the door: nothing queued, one line logged, GitHub shows the reason
        with log_context(delivery=delivery, event=f"{event}.{action}" if action else event):
            log.warning("delivery %s refused: %s", delivery, reason)
        return _answer(400, error=reason)
    try:
        fresh = res.queue.enqueue(delivery, event, payload, raw=None if form else body.decode("utf-8"),
                                  body_digest=digest)
    except SQLAlchemyError as exc:
        # GitHub shows the failure and the delivery can be redelivered: nothing is lost.
        log.error("delivery %s not persisted: %s", delivery, type(exc).__name__)
        return _answer(503, error="store unavailable, redeliver later")
    if not fresh:
        return _answer(200, status="duplicate", delivery=delivery)
    res.enqueued()
    return _answer(202, status="queued", delivery=delivery)
