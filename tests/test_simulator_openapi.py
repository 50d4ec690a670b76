"""The OpenAPI matcher/validator: every request is checked against GitHub's description."""

import pytest
import requests

from bot.simulator.openapi import RequestViolation, load_openapi
from tests.plugins.github import SPEC


@pytest.fixture(scope="module")
def api():
    return load_openapi(SPEC)


def test_parsed_once_per_process(api):
    assert load_openapi(SPEC) is api


def test_concrete_paths_match_templates_preferring_literal_segments(api):
    op = api.match("GET", "/repos/o/r/issues/comments/5")
    assert op.template == "/repos/{owner}/{repo}/issues/comments/{comment_id}"
    assert op.params == {"owner": "o", "repo": "r", "comment_id": "5"}
    assert api.match("DELETE", "/repos/o/r/issues/3/labels/model%3Ahaiku").params["name"] == "model:haiku"
    assert api.match("GET", "/repos/o/r/contents/.github/model-router.yml").params["path"] == ".github/model-router.yml"
    assert api.match("GET", "/repos/o/r/compare/main...feat/x").params["basehead"] == "main...feat/x"


def test_unknown_path_is_a_violation(api):
    with pytest.raises(RequestViolation, match="no such path"):
        api.validate("POST", "/repos/o/r/issues/3/bogus", {})


def test_wrong_method_is_a_violation(api):
    with pytest.raises(RequestViolation, match="method not in the description"):
        api.validate("PUT", "/repos/o/r/issues/comments/5", {"body": "x"})


@pytest.mark.parametrize(
    "path, body, where",
    [
        ("/repos/o/r/issues/3/comments", {"text": "x"}, "body"),
        ("/repos/o/r/issues/3/labels", ["bare", "array"], "body"),
        ("/repos/o/r/issues/3/labels", {"labels": [{"name": "a", "confidence": "certain"}]}, "confidence"),
        ("/repos/o/r/statuses/abc", {"state": "green"}, "state"),
    ],
)
def test_invalid_bodies_are_violations(api, path, body, where):
    with pytest.raises(RequestViolation) as info:
        api.validate("POST", path, body)
    assert where in str(info.value) or "invalid body" in str(info.value)


def test_valid_bodies_pass_including_label_rationale_and_nullable_fields(api):
    api.validate("POST", "/repos/o/r/issues/3/labels", {"labels": [{"name": "a", "rationale": "r", "confidence": "high"}]})
    api.validate("POST", "/repos/o/r/labels", {"name": "model:haiku", "color": "00ff00", "description": "d"})
    # `milestone` is `nullable` in the description (OpenAPI 3.0): null must be accepted
    api.validate("PATCH", "/repos/o/r/issues/3", {"milestone": None, "title": "t"})


def test_required_body_missing_is_a_violation(api):
    with pytest.raises(RequestViolation, match="required"):
        api.validate("POST", "/repos/o/r/issues/3/comments", None, has_body=False)


def test_fake_answers_violations_with_599_and_records_them(fake_github):
    fake_github.add_repo("o/r")
    resp = requests.post(f"{fake_github.url}/repos/o/r/issues/1/bogus", json={}, headers={"Authorization": "token t"})
    assert resp.status_code == 599 and "no such path" in resp.json()["message"]
    assert len(fake_github.violations) == 1
    fake_github.violations.clear()
