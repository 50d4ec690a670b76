"""Webhook intake through the real Flask app: verify, cap, parse, persist, acknowledge — never 500."""

from __future__ import annotations

import io
import json

import pytest

from bot.store.db import make_engine
from tests.plugins.app import WEBHOOK_SECRET, signed_headers


def queued(runtime) -> int:
    return sum(runtime.queue.counts().values())


def test_issue_opened_is_persisted_then_acknowledged(post_event, runtime, webhook_example):
    resp = post_event("issues", webhook_example("issues", "opened"), delivery="d-1")
    assert resp.status_code == 202 and resp.json["status"] == "queued"
    job = runtime.queue.by_delivery("d-1")
    assert job["status"] == "queued" and job["event"] == "issues" and job["action"] == "opened"


def test_the_claim_key_is_the_verified_signature(client, runtime, webhook_example):
    """The HMAC GitHub sent, once verified, names the signed body: no second hash of 12 kB on the hot path."""
    body = json.dumps(webhook_example("issues", "opened")).encode()
    headers = signed_headers("issues", body, delivery="d-key")
    assert client.post("/webhook", data=body, headers=headers).status_code == 202
    assert runtime.queue.by_delivery("d-key")["body_digest"] == headers["X-Hub-Signature-256"].removeprefix("sha256=")


def test_redelivery_is_a_no_op(post_event, runtime, webhook_example):
    payload = webhook_example("issues", "opened")
    assert post_event("issues", payload, delivery="same").status_code == 202
    again = post_event("issues", payload, delivery="same")
    assert again.status_code == 200 and again.json["status"] == "duplicate"
    assert queued(runtime) == 1


def test_bad_or_missing_signature_is_401_and_nothing_is_stored(client, runtime, webhook_example):
    body = json.dumps(webhook_example("issues", "opened")).encode()
    bad = signed_headers("issues", body, secret="not-the-secret")
    assert client.post("/webhook", data=body, headers=bad).status_code == 401
    missing = {k: v for k, v in signed_headers("issues", body).items() if k != "X-Hub-Signature-256"}
    assert client.post("/webhook", data=body, headers=missing).status_code == 401
    tampered = signed_headers("issues", body)
    assert client.post("/webhook", data=body + b" ", headers=tampered).status_code == 401
    sha1 = dict(signed_headers("issues", body), **{"X-Hub-Signature-256": "sha1=abc"})
    assert client.post("/webhook", data=body, headers=sha1).status_code == 401
    assert queued(runtime) == 0


def test_any_rotated_secret_is_accepted(tmp_path, fake_github, webhook_example):
    from bot.app import create_app
    from bot.settings import ServiceSettings

    settings = ServiceSettings(
        github_token="t", github_webhook_secret=f"fresh,{WEBHOOK_SECRET}", github_api_url=fake_github.url,
        database_url=f"sqlite:///{tmp_path / 'r.db'}", worker_threads=0,
    )
    app = create_app({"SETTINGS": settings})
    body = json.dumps(webhook_example("issues", "opened")).encode()
    resp = app.test_client().post("/webhook", data=body, headers=signed_headers("issues", body, secret="fresh"))
    assert resp.status_code == 202
    app.extensions["model_router"].runtime.engine.dispose()


class CountingStream(io.RawIOBase):
    """A 30 MB body that counts how much of it the server actually read."""

    def __init__(self, size: int):
        self.size, self.pos, self.read_bytes = size, 0, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        self.pos = {0: offset, 1: self.pos + offset, 2: self.size + offset}[whence]
        return self.pos

    def tell(self):
        return self.pos

    def readinto(self, buf):
        n = max(0, min(len(buf), self.size - self.pos))
        buf[:n] = b"x" * n
        self.pos += n
        self.read_bytes += n
        return n


def test_30_mb_body_is_413_without_reading_it(client, runtime):
    size = 30 * 1024 * 1024
    stream = CountingStream(size)
    headers = signed_headers("issues", b"whatever")
    resp = client.post("/webhook", input_stream=stream, content_length=size, headers=headers)
    assert resp.status_code == 413
    assert stream.read_bytes < 1024 * 1024
    assert queued(runtime) == 0


def test_chunked_body_over_the_cap_is_413(tmp_path, fake_github):
    from bot.app import create_app
    from bot.settings import ServiceSettings

    settings = ServiceSettings(
        github_token="t", github_webhook_secret=WEBHOOK_SECRET, github_api_url=fake_github.url,
        database_url=f"sqlite:///{tmp_path / 'c.db'}", worker_threads=0, webhook_max_body_bytes=1000,
    )
    app = create_app({"SETTINGS": settings})
    body = b"{" + b" " * 5000 + b"}"
    headers = dict(signed_headers("issues", body), **{"Transfer-Encoding": "chunked"})
    resp = app.test_client().post(
        "/webhook", input_stream=io.BytesIO(body), headers=headers,
        environ_overrides={"CONTENT_LENGTH": "", "wsgi.input_terminated": True},  # what gunicorn sets for chunked
    )
    assert resp.status_code == 413
    app.extensions["model_router"].runtime.engine.dispose()


def test_body_shorter_than_its_content_length_is_400(client, runtime, webhook_example):
    """The client went away mid-body: nothing half-read is parsed or stored."""
    body = json.dumps(webhook_example("issues", "opened")).encode()
    resp = client.post("/webhook", input_stream=io.BytesIO(body[:-10]), headers=signed_headers("issues", body),
                       environ_overrides={"CONTENT_LENGTH": str(len(body))})
    assert resp.status_code == 400
    assert queued(runtime) == 0


def test_connection_reset_mid_body_is_400(client, runtime, webhook_example):
    body = json.dumps(webhook_example("issues", "opened")).encode()

    class Reset(io.BytesIO):
        def read(self, size=-1):
            raise ConnectionResetError(104, "Connection reset by peer")

    resp = client.post("/webhook", input_stream=Reset(), headers=signed_headers("issues", body),
                       environ_overrides={"CONTENT_LENGTH": str(len(body))})
    assert resp.status_code == 400
    assert queued(runtime) == 0


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2, 3]", b"\xff\xfe\x00garbage", b"", b'"just a string"', b"[" * 100_000 + b"]" * 100_000],
    ids=["broken", "array", "not-utf8", "empty", "string", "deeply-nested"],
)
def test_malformed_json_is_400(client, runtime, body):
    resp = client.post("/webhook", data=body, headers=signed_headers("issues", body))
    assert resp.status_code == 400
    assert queued(runtime) == 0


@pytest.mark.parametrize("extra", [b'"x": NaN', b'"s": "\\ud800"'], ids=["nan", "lone-surrogate"])
def test_json_only_the_standard_library_accepts_is_still_queued(client, runtime, webhook_example, extra):
    """The fast parser rejects these; Python's json module, which GitHub payloads were always read with, does not."""
    body = json.dumps(webhook_example("issues", "opened")).encode()[:-1] + b", " + extra + b"}"
    resp = client.post("/webhook", data=body, headers=signed_headers("issues", body, delivery="odd-1"))
    assert resp.status_code == 202 and resp.json["status"] == "queued"
    assert runtime.queue.by_delivery("odd-1") is not None


def test_missing_event_or_delivery_header_is_400(client, webhook_example):
    body = json.dumps(webhook_example("issues", "opened")).encode()
    for header in ("X-GitHub-Event", "X-GitHub-Delivery"):
        headers = {k: v for k, v in signed_headers("issues", body).items() if k != header}
        assert client.post("/webhook", data=body, headers=headers).status_code == 400


def test_ping_is_200(post_event, webhook_example, runtime):
    resp = post_event("ping", webhook_example("ping"))
    assert resp.status_code == 200 and resp.json["status"] == "pong"
    assert queued(runtime) == 0


@pytest.mark.parametrize(
    "event, payload",
    [
        ("star", {"action": "created"}),
        ("issues", {"action": "pinned"}),
        ("issues", {"action": ["opened"]}),  # wrong type: not routable, not a crash
        ("push", {"ref": "refs/heads/feature", "repository": {"full_name": "o/r", "default_branch": "main"}}),
    ],
)
def test_events_the_app_does_not_handle_are_202_and_ignored(post_event, runtime, event, payload):
    resp = post_event(event, payload)
    assert resp.status_code == 202 and resp.json["status"] == "ignored"
    assert queued(runtime) == 0


def test_a_repository_edit_that_keeps_the_default_branch_queues_nothing(post_event, runtime, webhook_example):
    """A description or topic edit changes nothing the App keeps (bot.facts): ignored at the door, not a job in the
    installation's lane ahead of real work; a default-branch change is queued."""
    edit = webhook_example("repository", "edited", 0)
    assert "default_branch" not in edit["changes"]
    resp = post_event("repository", edit)
    assert resp.status_code == 202 and resp.json["status"] == "ignored" and queued(runtime) == 0
    assert post_event("repository", webhook_example("repository", "edited", 1)).json["status"] == "queued"
    assert queued(runtime) == 1


def test_form_encoded_delivery_is_accepted(client, runtime, webhook_example):
    from urllib.parse import urlencode

    body = urlencode({"payload": json.dumps(webhook_example("issues", "opened"))}).encode()
    headers = dict(signed_headers("issues", body, delivery="form-1"), **{"Content-Type": "application/x-www-form-urlencoded"})
    assert client.post("/webhook", data=body, headers=headers).status_code == 202
    assert runtime.queue.by_delivery("form-1") is not None


def test_store_down_is_503_not_500(post_event, runtime, webhook_example, tmp_path):
    runtime.queue.engine = make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    runtime.queue.Session.configure(bind=runtime.queue.engine)
    runtime.queue._intake.engine = runtime.queue.engine
    resp = post_event("issues", webhook_example("issues", "opened"))
    assert resp.status_code == 503


def test_health_and_readiness(client, runtime, tmp_path):
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
    runtime.queue.engine = make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    assert client.get("/readyz").status_code == 503


def test_unknown_paths_and_methods_are_json_errors(client):
    assert client.get("/webhook").status_code == 405
    assert client.get("/nope").status_code == 404


def test_a_delivery_opens_no_session(post_event, webhook_example, app):
    """Only the dashboard signs cookies; a webhook delivery never pays for (or sets) a session."""
    resp = post_event("issues", webhook_example("issues", "opened"))
    assert resp.status_code == 202 and "Set-Cookie" not in resp.headers
    with app.test_request_context("/webhook", method="POST"):
        from flask import session

        assert session.__class__.__name__ == "NullSession"
    with app.test_request_context("/dashboard/"):
        from flask import session

        assert session.__class__.__name__ != "NullSession"
