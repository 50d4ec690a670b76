"""Logging set-up: plain text or one JSON object per line (MODEL_ROUTER_LOG_FORMAT=json), secrets scrubbed.

`context(delivery=…, installation=…, repo=…, event=…)` binds fields to every record logged inside it (a
contextvar: per thread, per job); the JSON formatter writes them as keys, the text one appends them.
Every handler gets the scrubbing filter: tokens, keys and JWTs are replaced before anything is written.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import time
from collections.abc import Iterator

_FIELDS: contextvars.ContextVar[dict] = contextvars.ContextVar("model_router_log_fields", default={})  # noqa: B039
SECRET = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)"  # PEM keys, even cut short
    r"|\b(gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,})"  # GitHub tokens
    r"|\bsk-ant-[A-Za-z0-9_\-]{8,}"  # Anthropic keys
    r"|\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*"  # JWTs
    r"|(?i:(?<=authorization: )(bearer|token) \S+)",
    re.S,
)


_exact: list[str] = []  # the configured secrets themselves (a webhook secret has no telltale shape)


def scrub(text: str) -> str:
    text = SECRET.sub("[redacted]", text)
    for secret in _exact:
        if secret in text:
            text = text.replace(secret, "[redacted]")
    return text


@contextlib.contextmanager
def context(**fields) -> Iterator[None]:
    """Attach fields (None values dropped) to every record logged in this block."""
    token = _FIELDS.set({**_FIELDS.get(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _FIELDS.reset(token)


class _Scrub(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = scrub(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        record.mr_fields = _FIELDS.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
               "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        out.update(getattr(record, "mr_fields", None) or _FIELDS.get())
        if record.exc_text:
            out["exc"] = record.exc_text
        return json.dumps(out, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = getattr(record, "mr_fields", None) or {}
        return text + "".join(f" {k}={v}" for k, v in fields.items()) if fields else text


def configure(level: str = "INFO", fmt: str = "text", secrets: list[str] = ()) -> None:
    """Once per process (idempotent): the root logger writes to stderr in `fmt`, scrubbed of `secrets` too."""
    _exact[:] = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)
    root = logging.getLogger()
    root.setLevel(level.upper())
    handler = next((h for h in root.handlers if getattr(h, "_model_router", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler._model_router = True  # type: ignore[attr-defined]
        handler.addFilter(_Scrub())
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
