"""Validate at the door: a delivery the App handles must match GitHub's webhook schema for its event and action.

The schemas are GitHub's own (bot/data/webhook-schemas.json, cut by tools/slice_webhook_schemas.py to the
fields the App reads). Each is compiled once per process into one straight-line Python function that
returns the first problem or None (no exceptions on the way), a few microseconds a delivery. The slice
uses only `type`, `enum`, `properties`, `required`, `items` and `allOf`; anything else fails at compile time.
"""

from __future__ import annotations

import json
import threading
from importlib.resources import files
from typing import Callable

_DATA = json.loads(files("bot").joinpath("data/webhook-schemas.json").read_text(encoding="utf-8"))
_SCHEMAS: dict[str, dict] = _DATA["schemas"]
_ALIASES: dict[str, str] = _DATA["aliases"]
_compiled: dict[str, Callable[[dict], str | None]] = {}
_lock = threading.Lock()
_TYPES = {"string": "isinstance({v}, str)", "object": "isinstance({v}, dict)", "array": "isinstance({v}, list)",
          "boolean": "isinstance({v}, bool)", "null": "{v} is None", "number": "_number({v})",
          "integer": "(isinstance({v}, int) and not isinstance({v}, bool))"}
_KEYWORDS = {"type", "enum", "properties", "required", "items", "allOf"}


def _number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class _Compiler:
    def __init__(self):
        self.lines: list[str] = []
        self.n = 0

    def var(self) -> str:
        self.n += 1
        return f"v{self.n}"

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    def node(self, schema: dict, v: str, path: str, depth: int) -> None:
        """Checks of `schema` on the value in `v`; `path` is an expression naming it in the message."""
        unknown = set(schema) - _KEYWORDS
        if unknown:
            raise ValueError(f"unsupported schema keywords {sorted(unknown)} at {path}")
        for part in schema.get("allOf", []):
            self.node(part, v, path, depth)
        if "type" in schema:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            test = " or ".join(_TYPES[t].format(v=v) for t in types)
            self.emit(depth, f"if not ({test}):")
            self.emit(depth + 1, f"return {path} + {' must be ' + ' or '.join(types)!r}")
        if "enum" in schema:
            self.emit(depth, f"if {v} not in {tuple(schema['enum'])!r}:")
            self.emit(depth + 1, f"return {path} + {' must be one of ' + repr(list(schema['enum']))!r}")
        if "required" in schema or "properties" in schema:
            inner = self.guard(schema, "object", f"isinstance({v}, dict)", depth)
            if schema.get("required"):
                req = tuple(schema["required"])
                self.emit(inner, f"if not ({' and '.join(f'{k!r} in {v}' for k in req)}):")
                self.emit(inner + 1, f"return {path} + ' must contain ' + str([k for k in {req!r} if k not in {v}]) "
                                     "+ ' properties'")
            for name, sub in schema.get("properties", {}).items():
                child = self.var()
                self.emit(inner, f"{child} = {v}.get({name!r}, _MISSING)")
                self.emit(inner, f"if {child} is not _MISSING:")
                self.emit(inner + 1, "pass")
                self.node(sub, child, f"{path} + {'.' + name!r}", inner + 1)
        if "items" in schema:
            i, item = self.var(), self.var()
            inner = self.guard(schema, "array", f"isinstance({v}, list)", depth)
            self.emit(inner, f"for {i}, {item} in enumerate({v}):")
            self.emit(inner + 1, "pass")
            self.node(schema["items"], item, f"{path} + '[' + str({i}) + ']'", inner + 1)

    def guard(self, schema: dict, kind: str, test: str, depth: int) -> int:
        """Open `if test:` unless the type check above already returned for anything else; the inner depth."""
        if schema.get("type") == kind:
            return depth
        self.emit(depth, f"if {test}:")
        self.emit(depth + 1, "pass")
        return depth + 1


def compile_schema(schema: dict) -> Callable[[object], str | None]:
    """`fn(value)` -> the first way `value` breaks `schema` ("payload.issue.number must be integer"), or None."""
    c = _Compiler()
    c.emit(0, "def check(v0):")
    c.node(schema, "v0", "'payload'", 1)
    c.emit(1, "return None")
    namespace = {"_MISSING": object(), "_number": _number}
    exec(compile("\n".join(c.lines), "<webhook schema>", "exec"), namespace)  # noqa: S102 - our own generated code
    return namespace["check"]


def schema_key(event: str, action: str | None) -> str | None:
    """The slice for this event and action (`push` has no action), or None when GitHub publishes none."""
    event = _ALIASES.get(event, event)
    for key in (f"{event}.{action}", event):
        if key in _SCHEMAS:
            return key
    return None


def _validator(key: str) -> Callable[[object], str | None]:
    fn = _compiled.get(key)
    if fn is None:
        with _lock:
            fn = _compiled.get(key) or compile_schema(_SCHEMAS[key])
            _compiled[key] = fn
    return fn


def problem(event: str, action: str | None, payload: dict) -> str | None:
    """One line saying why `payload` is not a valid `event.action` delivery, or None when it is (or when
    GitHub publishes no schema for a new action of an event whose every action the App accepts)."""
    key = schema_key(event, action)
    if key is None:
        return None
    reason = _validator(key)(payload)
    return None if reason is None else f"not a valid {key} payload: {reason}"[:300]
