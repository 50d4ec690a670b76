"""Validation at the door: GitHub's webhook schemas (sliced to what the App reads) refuse malformed deliveries."""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path

import pytest

from bot.app.validate import problem, schema_key
from bot.handlers import handles
from bot.simulator.openapi import DATA

ROOT = Path(__file__).resolve().parents[1]


def test_the_committed_slice_is_cut_from_githubs_schemas():
    import importlib.util

    spec = importlib.util.spec_from_file_location("slicer", ROOT / "tools/slice_webhook_schemas.py")
    slicer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(slicer)
    assert (ROOT / "bot/data/webhook-schemas.json").read_text() == slicer.render(), "rerun tools/slice_webhook_schemas.py"


def _examples():
    with gzip.open(DATA / "webhook-examples.json.gz", "rt") as f:
        for entry in json.load(f):
            for payload in entry["examples"]:
                if handles(entry["name"], payload.get("action")):
                    yield entry["name"], payload


# GitHub's schema says a completed run has a string conclusion; this old example still carries null.
STALE = {("workflow_run", "completed")}


@pytest.mark.parametrize("event, payload", list(_examples()), ids=lambda v: v if isinstance(v, str) else v.get("action"))
def test_every_github_example_of_a_handled_event_has_a_schema_and_passes(event, payload):
    assert schema_key(event, payload.get("action")) is not None
    if (event, payload.get("action")) not in STALE:
        assert problem(event, payload.get("action"), payload) is None


@pytest.mark.parametrize("action", ["created", "edited", "deleted"])
def test_a_ruleset_delivery_has_a_schema_cut_from_githubs_description_and_passes(ruleset_example, action):
    """octokit's schemas (7.6.1) have no `repository_ruleset`: its slice comes from the OpenAPI description's."""
    payload = ruleset_example(action)
    assert handles("repository_ruleset", action) and schema_key("repository_ruleset", action) is not None
    assert problem("repository_ruleset", action, payload) is None
    organisations = {k: v for k, v in payload.items() if k != "repository"}  # an organisation's ruleset
    assert problem("repository_ruleset", action, organisations) is None
    bad = dict(payload, repository=dict(payload["repository"], full_name=7))
    assert "payload.repository.full_name must be string" in problem("repository_ruleset", action, bad)


def test_the_ruleset_example_is_checked_against_githubs_schema(ruleset_example):
    from bot.simulator.openapi import load_openapi

    payload = ruleset_example()
    assert "repository_ruleset" in load_openapi().webhook_problem("webhook-repository-ruleset-edited", dict(payload, repository_ruleset=None))


def _hostile(webhook_example):
    opened = webhook_example("issues", "opened")
    no_repo = {k: v for k, v in opened.items() if k != "repository"}
    return [
        ("pull_request", dict(opened, action="opened"), "payload must contain ['pull_request']"),
        ("issues", no_repo, "payload must contain ['repository']"),
        ("issues", dict(opened, installation={"node_id": "x"}), "payload.installation must contain ['id']"),
        ("issues", dict(opened, issue=dict(opened["issue"], labels=["bug"])), "payload.issue.labels[0] must be object"),
        ("issues", dict(opened, issue=dict(opened["issue"], number="1")), "payload.issue.number must be integer"),
        ("issue_comment", dict(webhook_example("issue_comment", "created"), comment=None), "payload.comment must be object"),
    ]


def test_malformed_deliveries_are_400_with_one_line_nothing_queued_one_log_line(post_event, runtime, webhook_example, caplog):
    for event, payload, reason in _hostile(webhook_example):
        caplog.clear()
        with caplog.at_level(logging.INFO):
            resp = post_event(event, payload)
        assert resp.status_code == 400, (event, reason)
        error = resp.json["error"]
        assert reason in error and "\n" not in error and len(error) <= 300
        assert [r.levelno for r in caplog.records] == [logging.WARNING] and reason in caplog.records[0].getMessage()
    assert sum(runtime.queue.counts().values()) == 0


def test_ignored_events_are_still_202_and_not_validated_or_stored(post_event, runtime):
    resp = post_event("issues", {"action": "pinned", "issue": "garbage"})
    assert resp.status_code == 202 and resp.json["status"] == "ignored"
    assert sum(runtime.queue.counts().values()) == 0


def test_pull_request_target_is_checked_as_a_pull_request(webhook_example):
    opened = webhook_example("pull_request", "opened")
    assert problem("pull_request_target", "opened", opened) is None
    assert "pull_request" in problem("pull_request_target", "opened", dict(opened, pull_request=[]))


def test_app_mode_needs_the_installation():
    from types import SimpleNamespace

    from bot.app.webhook import _app_mode_problem

    assert "installation" in _app_mode_problem(SimpleNamespace(app_mode=True), {"action": "opened"})
    assert _app_mode_problem(SimpleNamespace(app_mode=False), {"action": "opened"}) is None
    assert _app_mode_problem(SimpleNamespace(app_mode=True), {"installation": {"id": 1}}) is None


def _paths(schema: dict, value, prefix=()):
    """Every path into `value` that the schema names (through allOf and items)."""
    for part in schema.get("allOf", []):
        yield from _paths(part, value, prefix)
    if isinstance(value, dict):
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                yield prefix + (name,)
                yield from _paths(sub, value[name], prefix + (name,))
    if isinstance(value, list) and "items" in schema and value:
        yield prefix + (0,)
        yield from _paths(schema["items"], value[0], prefix + (0,))


def _mutated(payload, path, new):
    import copy

    out = copy.deepcopy(payload)
    node = out
    for key in path[:-1]:
        node = node[key]
    if new is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = new
    return out


_DELETE = object()


def test_the_compiled_check_agrees_with_jsonschema_on_every_mutation():
    """Differential: the compiled function accepts exactly what the reference JSON Schema validator accepts."""
    import jsonschema

    from bot.app.validate import _SCHEMAS, compile_schema

    checked = 0
    for event, payload in _examples():
        key = schema_key(event, payload.get("action"))
        schema = _SCHEMAS[key]
        check, reference = compile_schema(schema), jsonschema.Draft7Validator(schema)
        for path in {p for p in _paths(schema, payload)}:
            for new in (_DELETE, None, 7, True, "x", [], {}, [1], {"a": 1}):
                if new is _DELETE and isinstance(path[-1], int):
                    continue
                candidate = _mutated(payload, path, new)
                assert (check(candidate) is None) == reference.is_valid(candidate), (key, path, new, check(candidate))
                checked += 1
    assert checked > 2000
