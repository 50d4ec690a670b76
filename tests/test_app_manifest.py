"""`model-router app create`: app.yml is a valid manifest, and the manifest flow registers the App in one step
against the OpenAPI-validating FakeGitHub, keeping its secrets in owner-only files."""

from __future__ import annotations

import gzip
import json
import re
import stat
import threading
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
import yaml

from bot.cli import main
from bot.github.manifest import ManifestError, ManifestFlow, convert
from bot.simulator.openapi import DATA, DEFAULT_SPEC

ROOT = Path(__file__).resolve().parents[1]


def _spec() -> dict:
    with gzip.open(DEFAULT_SPEC, "rt", encoding="utf-8") as f:
        return json.load(f)


def test_app_yml_asks_for_real_permissions_and_events():
    manifest = yaml.safe_load((ROOT / "app.yml").read_text())
    props = _spec()["components"]["schemas"]["app-permissions"]["properties"]
    for name, level in manifest["default_permissions"].items():
        assert name in props, name
        assert level in props[name]["enum"], (name, level)
    with gzip.open(DATA / "webhook-examples.json.gz", "rt", encoding="utf-8") as f:
        events = {e["name"] for e in json.load(f)}
    assert set(manifest["default_events"]) <= events
    assert "installation" not in manifest["default_events"]  # delivered to every App; not a subscription
    # what the App's code needs, in one place
    assert manifest["default_permissions"]["actions"] == "write" and manifest["default_permissions"]["statuses"] == "write"


def _permission_each_event_needs() -> dict[str, str]:
    """event -> the repository permission GitHub says an App needs to subscribe to it (each x-webhooks summary says
    "…at least read-level access for the "Metadata" repository permission"); events that say none are left out."""
    needs = {}
    for hook in _spec()["x-webhooks"].values():
        op = hook["post"]
        if found := re.search(r'read-level access for the "([^"]+)" repository', op.get("summary", "")):
            needs[op["x-github"]["subcategory"]] = found.group(1).lower().replace(" ", "_")
    return needs


def test_every_event_the_app_subscribes_to_is_one_its_permissions_let_it_receive():
    """GitHub refuses a manifest whose default events its default permissions do not cover."""
    manifest = yaml.safe_load((ROOT / "app.yml").read_text())
    needs = _permission_each_event_needs()
    assert needs["label"] == "metadata" and needs["repository_ruleset"] == "administration"  # the summaries are read
    uncovered = [e for e in manifest["default_events"] if e in needs and needs[e] not in manifest["default_permissions"]]
    assert uncovered == []


def test_the_app_subscribes_to_every_event_it_handles_that_its_permissions_let_it_receive():
    """A handler GitHub never calls does nothing: `repository` and `label` keep the App's kept facts fresh (bot.facts).
    The rule events (branch_protection_rule, repository_ruleset) need Administration, which the App does not ask for."""
    from bot.handlers.registry import ROUTES

    manifest = yaml.safe_load((ROOT / "app.yml").read_text())
    needs = _permission_each_event_needs()
    delivered = {"installation", "installation_repositories"}  # to every App, unasked
    handled = {event for event, _ in ROUTES} - delivered - {"pull_request_target"}  # the Action's, not an App event
    receivable = {e for e in handled if e not in needs or needs[e] in manifest["default_permissions"]}
    assert {"repository", "label", "push", "check_suite"} <= receivable
    assert sorted(receivable - set(manifest["default_events"])) == []


class _Form(HTMLParser):
    def __init__(self):
        super().__init__()
        self.action, self.manifest = None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.action = a["action"]
        if tag == "input" and a.get("name") == "manifest":
            self.manifest = json.loads(a["value"])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_the_flow_registers_the_app_and_saves_private_credentials(fake_github, tmp_path):
    with ManifestFlow(webhook_url="https://smee.io/abc", out_dir=tmp_path, api_url=fake_github.url, org="octo-org") as flow:
        status, page = _get(flow.url)
        form = _Form()
        form.feed(page)
        assert status == 200 and form.action == f"https://github.com/organizations/octo-org/settings/apps/new?state={flow.state}"
        assert form.manifest["hook_attributes"]["url"] == "https://smee.io/abc"
        assert form.manifest["redirect_url"] == flow.url + "callback"
        # the person confirms on GitHub, which redirects back with a one-time code
        fake_github.manifest_codes["c0de"] = form.manifest
        assert _get(flow.url + "callback?code=c0de&state=forged")[0] == 400 and not flow.done.is_set()
        assert _get(f"{flow.url}callback?code=c0de&state={flow.state}")[0] == 200
        assert flow.done.is_set() and flow.created is not None
    app = flow.created
    assert app.slug == "model-router" and app.bot_login == "model-router[bot]"
    env = dict(line.split("=", 1) for line in app.env_file.read_text().splitlines() if "=" in line and not line.startswith("#"))
    assert env["GITHUB_APP_ID"] == str(app.id) and env["MODEL_ROUTER_BOT"] == "model-router[bot]"
    assert env["GITHUB_APP_PRIVATE_KEY_PATH"] == str(app.key_file) and len(env["GITHUB_WEBHOOK_SECRET"]) >= 20
    assert env["GITHUB_API_URL"] == fake_github.url
    assert app.key_file.read_text().startswith("-----BEGIN RSA PRIVATE KEY-----")
    for path in (app.env_file, app.key_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    [req] = [r for r in fake_github.requests if r.operation_id == "apps/create-from-manifest"]
    assert req.method == "POST" and req.token is None


def test_a_used_or_unknown_code_is_a_clear_error(fake_github):
    with pytest.raises(ManifestError, match="refused the code"):
        convert(fake_github.url, "never-issued")


def test_the_cli_prints_next_steps_but_no_secret(fake_github, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_API_URL", fake_github.url)
    result = {}

    def run():
        result["code"] = main(["app", "create", "--webhook-url", "https://example.com/webhook", "--out", str(tmp_path),
                               "--no-browser", "--timeout", "30", "--name", "My Router"])

    t = threading.Thread(target=run)
    t.start()
    url = None
    for _ in range(200):
        m = re.search(r"Open (http://127\.0\.0\.1:\d+/) ", capsys.readouterr().out)
        if m:
            url = m.group(1)
            break
        t.join(0.05)
    assert url, "the CLI never printed its page"
    form = _Form()
    form.feed(_get(url)[1])
    fake_github.manifest_codes["k1"] = form.manifest
    state = form.action.split("state=")[1]
    assert _get(f"{url}callback?code=k1&state={state}")[0] == 200
    t.join(10)
    out = capsys.readouterr().out
    assert result["code"] == 0 and "gh variable set MODEL_ROUTER_BOT --body 'my-router[bot]'" in out
    env = (tmp_path / "model-router.env").read_text()
    secret = re.search(r"GITHUB_WEBHOOK_SECRET=(\S+)", env).group(1)
    assert secret not in out and "PRIVATE KEY" not in out


def test_the_dashboards_sign_in_works_right_after_app_create(fake_github, tmp_path):
    """The manifest registers the sign-in callback; the OAuth client GitHub returns lands in model-router.env,
    and the service started from that file alone signs a reader in through GitHub."""
    from urllib.parse import parse_qs, urlsplit

    from bot.app import create_app
    from bot.app.resources import EXTENSION
    from bot.settings import ServiceSettings

    with ManifestFlow(webhook_url="https://router.example.com/webhook", out_dir=tmp_path, api_url=fake_github.url,
                      github_url=fake_github.url) as flow:
        form = _Form()
        form.feed(_get(flow.url)[1])
        assert form.manifest["callback_urls"] == ["https://router.example.com/dashboard/oauth/callback"]
        assert form.manifest["request_oauth_on_install"] is False
        fake_github.manifest_codes["c1"] = form.manifest
        assert _get(f"{flow.url}callback?code=c1&state={flow.state}")[0] == 200
    env = app_env = flow.created.env_file.read_text()
    assert "GITHUB_CLIENT_ID=Iv1." in env and "MODEL_ROUTER_PUBLIC_URL=https://router.example.com\n" in env
    assert f"MODEL_ROUTER_GITHUB_WEB_URL={fake_github.url}" in env
    settings = ServiceSettings(_env_file=flow.created.env_file, database_url=f"sqlite:///{tmp_path / 'a.db'}",
                               worker_threads=0)
    assert settings.github_client_secret is not None and settings.github_client_secret.get_secret_value() in app_env
    fake_github.add_repo("acme/widgets", private=True, permissions={"alice": "read"})
    app = create_app({"SETTINGS": settings, "TESTING": True})
    try:
        client = app.test_client()
        r = client.get("/dashboard/login", query_string={"next": "/dashboard/acme/widgets"})
        assert r.status_code == 302
        authorize = r.headers["Location"]
        assert parse_qs(urlsplit(authorize).query)["client_id"] == [settings.github_client_id]
        back = requests.get(authorize + "&login=alice", allow_redirects=False, timeout=5)
        assert back.status_code == 302, back.text  # GitHub accepts the registered callback
        callback = urlsplit(back.headers["Location"])
        assert f"{callback.scheme}://{callback.netloc}" == "https://router.example.com"
        r = client.get(callback.path + "?" + callback.query)
        assert r.status_code == 302 and r.headers["Location"] == "/dashboard/acme/widgets"
        page = client.get("/dashboard/acme/widgets")
        assert page.status_code == 200 and "alice" in page.get_data(as_text=True)
    finally:
        app.extensions[EXTENSION].close()


def test_a_relay_webhook_url_keeps_the_sign_in_local():
    from bot.github.manifest import load_manifest, public_url_for

    assert public_url_for("https://smee.io/abc") == "http://127.0.0.1:8000"
    assert public_url_for("https://h.example/mr/webhook") == "https://h.example/mr"
    m = load_manifest("https://smee.io/abc", "http://127.0.0.1:1/callback", public_url="https://dash.example/")
    assert m["callback_urls"] == ["https://dash.example/dashboard/oauth/callback"]
