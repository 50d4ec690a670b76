"""FakeGitHub behaves like GitHub where the product depends on it."""

import base64
import json
import subprocess
import sys

import pytest
import requests

from bot.simulator.github import FakeGitHub

AUTH = {"Authorization": "token plain"}


def _get(fake, path, **kw):
    return requests.get(fake.url + path, headers=AUTH, timeout=5, **kw)


def _post(fake, path, body, token="plain"):
    return requests.post(fake.url + path, json=body, headers={"Authorization": f"token {token}"}, timeout=5)


def test_pagination_uses_link_headers_like_github(fake_github):
    fake_github.add_repo("o/r")
    n = fake_github.add_issue("o/r")
    for i in range(75):
        fake_github.add_comment("o/r", n, f"c{i}")
    first = _get(fake_github, f"/repos/o/r/issues/{n}/comments", params={"per_page": 30})
    assert len(first.json()) == 30
    assert first.links["next"]["url"].endswith("per_page=30&page=2")
    assert first.links["last"]["url"].endswith("page=3")
    last = requests.get(first.links["last"]["url"], headers=AUTH, timeout=5)
    assert [c["body"] for c in last.json()] == [f"c{i}" for i in range(60, 75)]
    assert "next" not in last.links and "prev" in last.links


def test_contents_are_base64_like_github_and_missing_is_404(fake_github):
    fake_github.add_repo("o/r", files={".github/model-router.yml": "default_tier: haiku\n"})
    fake_github.set_file("o/r", ".github/model-router.yml", "x: 1\n", ref="feature")
    body = _get(fake_github, "/repos/o/r/contents/.github/model-router.yml").json()
    assert body["encoding"] == "base64" and base64.b64decode(body["content"]) == b"default_tier: haiku\n"
    other = _get(fake_github, "/repos/o/r/contents/.github/model-router.yml", params={"ref": "feature"}).json()
    assert base64.b64decode(other["content"]) == b"x: 1\n"
    assert _get(fake_github, "/repos/o/r/contents/nope").status_code == 404


def test_comment_author_depends_on_the_token(fake_github):
    fake_github.add_repo("o/r")
    n = fake_github.add_issue("o/r")
    fake_github.token_logins["pat"] = "alice"
    plain = _post(fake_github, f"/repos/o/r/issues/{n}/comments", {"body": "a"}).json()["user"]
    pat = _post(fake_github, f"/repos/o/r/issues/{n}/comments", {"body": "b"}, token="pat").json()["user"]
    jwt_less = requests.post(
        f"{fake_github.url}/app/installations/1/access_tokens", headers={"Authorization": "Bearer x"}, timeout=5
    )
    assert (plain["login"], plain["type"]) == ("github-actions[bot]", "Bot")
    assert (pat["login"], pat["type"]) == ("alice", "User")
    assert jwt_less.status_code == 401


def test_fail_next_injects_faults_then_recovers(fake_github):
    fake_github.add_repo("o/r")
    fake_github.fail_next("GET", r"/repos/o/r$", 502, times=2)
    assert [_get(fake_github, "/repos/o/r").status_code for _ in range(3)] == [502, 502, 200]
    fake_github.fail_next("*", r"/labels", 403, headers={"Retry-After": "7"}, body={"message": "nope"})
    resp = _get(fake_github, "/repos/o/r/labels")
    assert resp.status_code == 403 and resp.headers["Retry-After"] == "7" and resp.json() == {"message": "nope"}


def test_secondary_rate_limit_per_token(fake_github):
    fake_github.secondary_limit = 3
    fake_github.add_repo("o/r")
    n = fake_github.add_issue("o/r")
    codes = [_post(fake_github, f"/repos/o/r/issues/{n}/comments", {"body": str(i)}).status_code for i in range(4)]
    assert codes == [201, 201, 201, 403]
    refused = _post(fake_github, f"/repos/o/r/issues/{n}/comments", {"body": "x"})
    assert "secondary rate limit" in refused.json()["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert _post(fake_github, f"/repos/o/r/issues/{n}/comments", {"body": "x"}, token="other").status_code == 201
    assert _get(fake_github, f"/repos/o/r/issues/{n}").status_code == 200  # reads are not counted
    assert fake_github.secondary_limit_hits == 2


def test_requests_are_recorded_with_credential(fake_github):
    fake_github.add_repo("o/r")
    _get(fake_github, "/repos/o/r", params={"x": "1"})
    rec = fake_github.requests[-1]
    assert (rec.method, rec.path, rec.query, rec.token, rec.status) == ("GET", "/repos/o/r", {"x": "1"}, "plain", 200)
    assert rec.operation_id == "repos/get"


def test_unknown_repo_is_404_and_ghes_prefix_is_accepted(fake_github):
    assert _get(fake_github, "/repos/o/missing").status_code == 404
    fake_github.add_repo("o/r", default_branch="trunk")
    assert _get(fake_github, "/api/v3/repos/o/r").json()["default_branch"] == "trunk"


def test_seed_payload_from_a_real_webhook(fake_github, webhook_example, seed_repo_for):
    payload = webhook_example("issues", "opened")
    seed_repo_for(payload)
    name, number = payload["repository"]["full_name"], payload["issue"]["number"]
    assert fake_github.issue(name, number)["title"] == payload["issue"]["title"]
    pr = webhook_example("pull_request", "opened")
    seed_repo_for(pr)
    got = _get(fake_github, f"/repos/{pr['repository']['full_name']}/pulls/{pr['number']}").json()
    assert got["head"]["sha"] == pr["pull_request"]["head"]["sha"]


def test_control_endpoints(fake_github):
    seed = {"repos": [{"full_name": "o/r", "issues": [{"number": 4, "title": "t", "comments": [{"body": "hi"}]}]}]}
    assert requests.post(f"{fake_github.url}/_sim/seed", json=seed, timeout=5).status_code == 200
    _get(fake_github, "/repos/o/r/issues/4/comments")
    state = requests.get(f"{fake_github.url}/_sim/state", timeout=5).json()
    assert state["repos"]["o/r"]["issues"]["4"]["title"] == "t"
    reqs = requests.get(f"{fake_github.url}/_sim/requests", timeout=5).json()
    assert [r["path"] for r in reqs] == ["/repos/o/r/issues/4/comments"]  # control calls are not recorded


def test_webhook_example_is_a_deep_copy(webhook_example, sign):
    a = webhook_example("issues", "opened")
    a["issue"]["title"] = "changed"
    assert webhook_example("issues", "opened")["issue"]["title"] != "changed"
    assert sign(b"{}", "s") == "sha256=" + __import__("hmac").new(b"s", b"{}", "sha256").hexdigest()
    with pytest.raises(LookupError):
        webhook_example("issues", "no-such-action")


def test_standalone_server_runs(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"repos": [{"full_name": "o/r"}]}))
    with FakeGitHub(spec=None) as probe:  # only to get a free port
        port = probe.port
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.simulator.github", "--port", str(port), "--seed", str(seed)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert "FakeGitHub on" in proc.stdout.readline()
        assert requests.get(f"http://127.0.0.1:{port}/repos/o/r", timeout=5).json()["full_name"] == "o/r"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_secondary_limit_refuses_bursts_per_installation(fake_github):
    # More than 10 writes in one second for one installation: 403 + Retry-After: 1, whichever token sends them
    fake_github.secondary_per_second = 10
    fake_github.add_repo("o/r", installation_id=5)
    n = fake_github.add_issue("o/r")
    fake_github.tokens.update({t: {"installation_id": 5, "expires": 4e9} for t in ("ghs_a", "ghs_b")})
    codes = [_post(fake_github, f"/repos/o/r/issues/{n}/comments", {"body": str(i)}, token=("ghs_a", "ghs_b")[i % 2])
             for i in range(11)]
    assert [c.status_code for c in codes] == [201] * 10 + [403]
    assert codes[-1].headers["Retry-After"] == "1" and fake_github.secondary_limit_hits == 1
    assert _post(fake_github, f"/repos/o/r/issues/{n}/comments", {"body": "x"}, token="other").status_code == 201


def test_minting_installation_tokens_is_not_content_creation(fake_github, github_app_key):
    # 20 installations starting at once mint 20 tokens with the App's JWT in one second: GitHub does not
    # count those against the content-creation limits, and neither does the fake
    from bot.github.auth import AppAuth

    private, public = github_app_key
    fake_github.app_public_key, fake_github.secondary_per_second = public, 10
    for i in range(1, 21):
        fake_github.add_repo(f"o/r{i}", installation_id=i)
    auth = AppAuth(fake_github.app_id, private, fake_github.url, retries=0)
    assert len({auth.installation_token(i) for i in range(1, 21)}) == 20
    assert fake_github.secondary_limit_hits == 0
    auth.close()
