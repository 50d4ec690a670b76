"""Validate at the door: a delivery the App handles must match GitHub's webhook schema for its event and action.

The schemas are GitHub's own (bot/data/webhook-schemas.json, cut by tools/slice_webhook_schemas.py to the
fields the App reads), compiled to Python by fastjsonschema once per process and event: a few
microseconds a delivery, so refusing garbage costs the acknowledgement nothing measurable.
"""

from __future__ import annotations

import json
import threading
from importlib.resources import files
from typing import Callable

import fastjsonschema

_DATA = json.loads(files("bot").joinpath("data/webhook-schemas.json").read_text(encoding="utf-8"))
_SCHEMAS: dict[str, dict] = _DATA["schemas"]
_ALIASES: dict[str, str] = _DATA["aliases"]
_compiled: dict[str, Callable[[dict], object]] = {}
_lock = threading.Lock()


def schema_key(event: str, action: str | None) -> str | None:
    """The slice for this event and action (`push` has no action), or None when GitHub publishes none."""
    event = _ALIASES.get(event, event)
    for key in (f"{event}.{action}", event):
        if key in _SCHEMAS:
            return key
    return None


def _validator(key: str) -> Callable[[dict], object]:
    fn = _compiled.get(key)
    if fn is None:
        with _lock:
            fn = _compiled.get(key) or fastjsonschema.compile(_SCHEMAS[key])
            _compiled[key] = fn
    return fn


def problem(event: str, action: str | None, payload: dict) -> str | None:
    """One line saying why `payload` is not a valid `event.action` delivery, or None when it is (or when
    GitHub publishes no schema for a new action of an event whose every action the App accepts)."""
    key = schema_key(event, action)
    if key is None:
        return None
    try:
        _validator(key)(payload)
    except fastjsonschema.JsonSchemaValueException as exc:
        where = (exc.name or "data").replace("data", "payload", 1)
        return f"not a valid {key} payload: {where} {exc.message.split(' ', 1)[-1]}"[:300]
    return None
