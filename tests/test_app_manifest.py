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
