"""Cut bot/data/webhook-schemas.json from GitHub's webhook JSON schemas (octokit/webhooks-schemas; an event they
lack, from the webhook schemas in GitHub's OpenAPI description, `x-webhooks`).

For each event and action the App handles, GitHub's schema keeps only the fields the App reads, with
GitHub's own types and `required` lists. `additionalProperties: false` is dropped, and enums are kept
only for `action`: GitHub adds fields and values over time, and the App must keep accepting them.
Rerun after changing FIELDS or the handled events: `python tools/slice_webhook_schemas.py`
(tests/test_webhook_schema.py fails while the committed copy is stale).
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "tests/fixtures/github/webhook-schemas.json.gz"
OPENAPI = ROOT / "bot/simulator/data/rest-api.openapi.json.gz"  # components/schemas/webhook-<event>-<action>
TARGET = ROOT / "bot/data/webhook-schemas.json"

OPTIONAL = "optional"  # like True, but not required even where GitHub's schema says so (older payloads lack it)
USER = {"login": True}  # `type` is missing from some payloads (see bot.handlers.is_bot)
LABELS = {"name": True}
COMMON = {"action": True, "sender": USER, "installation": {"id": True},
          "repository": {"full_name": True, "name": True, "default_branch": True, "owner": {"login": True}}}
ISSUE = {"number": True, "title": True, "body": True, "labels": LABELS, "author_association": True, "user": USER,
         "pull_request": True}
PULL = {"number": True, "title": True, "body": True, "labels": LABELS, "user": USER, "draft": True,
        "head": {"sha": True, "ref": True}, "base": {"sha": True, "ref": True}}
# event -> (actions, the fields read beyond COMMON); actions None: every action in GitHub's schema.
FIELDS: dict[str, tuple[tuple[str, ...] | None, dict]] = {
    "issues": (("opened", "reopened", "edited", "labeled", "unlabeled", "closed"),
               {"issue": ISSUE, "label": LABELS, "changes": {"title": {"from": True}, "body": {"from": True}}}),
    "issue_comment": (("created",), {"issue": ISSUE, "comment": {"id": True, "body": True, "user": USER}}),
    "pull_request": (("opened", "reopened", "synchronize", "labeled", "unlabeled", "edited", "closed"),
                     {"pull_request": PULL, "label": LABELS, "changes": {"base": {"ref": {"from": True}}}}),
    "workflow_run": (("completed",), {"workflow": {"path": True}, "workflow_run": {
        "id": True, "path": OPTIONAL, "name": True, "display_title": OPTIONAL, "conclusion": True, "html_url": True,
        "run_started_at": True, "updated_at": True, "head_sha": True}}),
    "pull_request_review": (("submitted", "dismissed"), {"pull_request": {"number": True, "head": {"ref": True}},
                                                         "review": {"state": True, "user": USER}}),
    "check_suite": (("completed",), {"check_suite": {"head_branch": True, "head_sha": True, "conclusion": True,
                                                     "pull_requests": {"number": True}}}),
    "push": (("event",), {"ref": True, "commits": {"added": True, "modified": True, "removed": True, "message": OPTIONAL}}),
    "installation": (None, {}),
    "installation_repositories": (None, {}),
    # a repository's kept facts changed (bot.facts): its default branch, name or owner; labels; rules
    "repository": (("edited", "renamed", "transferred", "deleted"), {"changes": {
        "default_branch": {"from": True}, "repository": {"name": {"from": True}},
        "owner": {"from": True}}}),  # its user or organization (OpenAPI: user may be null): read with care
    "label": (("created", "edited", "deleted"), {"label": LABELS}),
    "branch_protection_rule": (("created", "edited", "deleted"), {}),
}
# Events octokit's schemas (7.6.1) lack, cut from the OpenAPI description's webhook schemas instead.
OPENAPI_FIELDS: dict[str, tuple[tuple[str, ...], dict]] = {
    "repository_ruleset": (("created", "edited", "deleted"), {"organization": USER}),
}
ALIASES = {"pull_request_target": "pull_request"}  # same payload as pull_request, no schema of its own
KEEP = ("type",)


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        if k == "properties":
            props = dict(out.get("properties", {}))
            for name, sub in v.items():
                props[name] = {"allOf": [props[name], sub]} if name in props and props[name] != sub else sub
            out["properties"] = props
        elif k == "required":
            out["required"] = sorted(set(out.get("required", [])) | set(v))
        else:
            out.setdefault(k, v)
    return out


def cut(node: dict, spec, defs: dict, *, enum: bool = False) -> dict:
    """`node` restricted to `spec` (True: the value's type only; a dict: these properties)."""
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    for key in ("anyOf", "oneOf"):
        if key in node:
            return {key: [cut(n, spec, defs, enum=enum) for n in node[key]]}
    if "allOf" in node:
        merged: dict = {}
        for part in node["allOf"]:
            merged = _merge(merged, cut(part, spec, defs, enum=enum))
        return merged
    out = {k: node[k] for k in KEEP if k in node}
    if node.get("nullable") is True and isinstance(out.get("type"), str):  # OpenAPI 3.0's way to say null too
        out["type"] = [out["type"], "null"]
    if enum and "enum" in node:
        out["enum"] = node["enum"]
    if spec is True or spec == OPTIONAL:
        return out
    types = node.get("type")
    if types == "array" or (isinstance(types, list) and "array" in types):
        if "items" in node:
            out["items"] = cut(node["items"], spec, defs)
        return out
    props = node.get("properties", {})
    out["properties"] = {name: cut(props[name], sub, defs, enum=name == "action") for name, sub in spec.items() if name in props}
    required = [r for r in node.get("required", []) if r in out["properties"] and spec[r] != OPTIONAL]
    if required:
        out["required"] = required
    return out


def build() -> dict:
    with gzip.open(SOURCE, "rt") as f:
        defs = json.load(f)["definitions"]
    with gzip.open(OPENAPI, "rt") as f:
        components = json.load(f)["components"]["schemas"]
    slices = {}
    for event, (actions, fields) in FIELDS.items():
        names = [f"{event}${a}" for a in actions] if actions else [k for k in defs if k.startswith(f"{event}$")]
        for name in names:
            action = name.split("$", 1)[1]
            slices[event if action == "event" else f"{event}.{action}"] = cut(defs[name], {**COMMON, **fields}, defs)
    for event, (actions, fields) in OPENAPI_FIELDS.items():
        for action in actions:
            node = components[f"webhook-{event.replace('_', '-')}-{action}"]
            slices[f"{event}.{action}"] = cut(node, {**COMMON, **fields}, components)
    return {"source": "@octokit/webhooks-schemas 7.6.1 and, for " + ", ".join(OPENAPI_FIELDS) + ", @octokit/openapi "
            "23.0.2's webhook schemas (MIT), sliced by tools/slice_webhook_schemas.py",
            "aliases": ALIASES, "schemas": slices}


def render() -> str:
    return json.dumps(build(), indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    TARGET.write_text(render())
    print(f"wrote {TARGET.relative_to(ROOT)} ({TARGET.stat().st_size} bytes)", file=sys.stderr)
