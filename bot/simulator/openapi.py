"""Match requests to GitHub's OpenAPI description and validate their JSON bodies against it."""

from __future__ import annotations

import gzip
import json
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft4Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_URI = "urn:github-rest-openapi"
DATA = Path(__file__).resolve().parent / "data"  # GitHub's published artefacts (octokit, MIT); see tests/fixtures/github/README.md
DEFAULT_SPEC = DATA / "rest-api.openapi.json.gz"
METHODS = ("get", "put", "post", "patch", "delete", "head", "options")
# Parameters whose values may contain "/" (GitHub accepts them unencoded).
GREEDY_PARAMS = {"path", "basehead"}
GREEDY_LAST_PARAMS = {"ref"}


class RequestViolation(Exception):
    """A request GitHub's description does not allow: the test that made it must fail."""


@dataclass(frozen=True)
class Operation:
    template: str
    method: str
    operation_id: str
    params: dict[str, str] = field(default_factory=dict)


def _nullable_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0 `nullable: true` is not JSON Schema: turn it into a `null` alternative."""
    if isinstance(node, list):
        return [_nullable_to_jsonschema(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable_to_jsonschema(v) for k, v in node.items()}
    if out.pop("nullable", False) is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            return {"anyOf": [out, {"type": "null"}]}
    return out


def _compile(template: str) -> tuple[re.Pattern[str], int]:
    segs = template.strip("/").split("/")
    parts, literals = [], 0
    for i, seg in enumerate(segs):
        m = re.fullmatch(r"\{(\w+)\}", seg)
        if not m:
            literals += 1
            parts.append(re.escape(seg))
            continue
        name = m.group(1)
        greedy = name in GREEDY_PARAMS or (name in GREEDY_LAST_PARAMS and i == len(segs) - 1)
        parts.append(f"(?P<{name}>{'.+' if greedy else '[^/]+'})")
    return re.compile("/" + "/".join(parts)), literals


class OpenAPI:
    """A parsed description: find the operation for a concrete request and check its body."""

    def __init__(self, spec: dict[str, Any]):
        self.spec = spec
        self._routes = sorted(
            ((*_compile(t), t) for t in spec["paths"]),
            key=lambda r: (-r[1], r[2]),  # GitHub prefers literal segments over parameters
        )
        self._registry = Registry().with_resource(SPEC_URI, Resource(contents=spec, specification=DRAFT4))
        self._validators: dict[tuple[str, str], Draft4Validator] = {}
        self._lock = threading.Lock()

    def match(self, method: str, path: str) -> Operation:
        """Return the operation for `method path` or raise RequestViolation."""
        method = method.lower()
        path = "/" + path.split("?", 1)[0].strip("/")
        allowed: list[str] = []
        for rx, _lit, template in self._routes:
            m = rx.fullmatch(path)
            if not m:
                continue
            item = self.spec["paths"][template]
            if method in item:
                params = {k: unquote(v) for k, v in m.groupdict().items()}
                return Operation(template, method, item[method].get("operationId", ""), params)
            allowed += [f"{x.upper()} {template}" for x in METHODS if x in item]
        if allowed:
            raise RequestViolation(f"{method.upper()} {path}: method not in the description (allowed: {allowed})")
        raise RequestViolation(f"{method.upper()} {path}: no such path in GitHub's REST description")

    def validate(self, method: str, path: str, body: Any = None, *, has_body: bool | None = None) -> Operation:
        """Match the request and validate its JSON body; raise RequestViolation on any mismatch."""
        op = self.match(method, path)
        has_body = body is not None if has_body is None else has_body
        rb = self.spec["paths"][op.template][op.method].get("requestBody")
        if rb is None:
            if has_body and body not in ({}, None):
                raise RequestViolation(f"{op.method.upper()} {op.template}: takes no request body, got {body!r:.200}")
            return op
        if "$ref" in rb:
            rb = self._resolve(rb["$ref"])
        if not has_body:
            if rb.get("required"):
                raise RequestViolation(f"{op.method.upper()} {op.template}: request body is required")
            return op
        content = rb.get("content", {})
        media = next((m for m in content if "json" in m), None)
        if media is None:
            return op  # non-JSON bodies (uploads) are not checked
        e = best_match(self._validator(op, media).iter_errors(body))
        if e is not None:
            where = "/".join(str(p) for p in e.absolute_path) or "(body)"
            raise RequestViolation(f"{op.method.upper()} {op.template}: invalid body at {where}: {e.message:.300}")
        return op

    def webhook_problem(self, schema: str, payload: Any) -> str | None:
        """Why `payload` is not a valid webhook body for `components/schemas/<schema>` (GitHub's x-webhooks, e.g.
        `webhook-repository-ruleset-edited`), or None."""
        validator = Draft4Validator({"$ref": f"{SPEC_URI}#/components/schemas/{schema}"}, registry=self._registry)
        e = best_match(validator.iter_errors(payload))
        if e is None:
            return None
        return f"{schema}: at {'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message:.300}"

    def _resolve(self, ref: str) -> dict[str, Any]:
        node: Any = self.spec
        for part in ref.lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def _validator(self, op: Operation, media: str) -> Draft4Validator:
        key = (op.template, op.method)
        with self._lock:
            if key not in self._validators:
                pointer = "/".join(
                    p.replace("~", "~0").replace("/", "~1")
                    for p in ("paths", op.template, op.method, "requestBody", "content", media, "schema")
                )
                self._validators[key] = Draft4Validator({"$ref": f"{SPEC_URI}#/{pointer}"}, registry=self._registry)
            return self._validators[key]


@lru_cache(maxsize=4)
def load_openapi(path: str | Path = DEFAULT_SPEC) -> OpenAPI:
    """Parse (gzip) JSON once per process and path: the description is ~10 MB."""
    p = Path(path)
    opener = gzip.open if p.suffix == ".gz" else open
    with opener(p, "rt", encoding="utf-8") as f:
        spec = json.load(f)
    spec["components"] = _nullable_to_jsonschema(spec.get("components", {}))
    for item in spec["paths"].values():
        for method in METHODS:
            rb = item.get(method, {}).get("requestBody")
            if rb and "content" in rb:
                rb["content"] = _nullable_to_jsonschema(rb["content"])
    return OpenAPI(spec)
