"""App auth: JWT claims as GitHub requires, cached installation tokens, one port per installation."""

import threading
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from bot.github.auth import AppAuth, GitHubAuthError, TokenAuth, from_settings, validate_private_key
from bot.github.port import GitHubError

APP_ID = 4242
REPO = "octo/repo"
REST = {"writes_per_minute": None, "backoff": 0}


@pytest.fixture
def app(fake_github, github_app_key):
    private, public = github_app_key
    fake_github.app_id, fake_github.app_slug, fake_github.app_public_key = APP_ID, "model-router", public
    fake_github.add_repo(REPO, installation_id=7)
    fake_github.add_repo("other/repo", installation_id=8)
    fake_github.add_issue(REPO, 1)
    fake_github.add_issue("other/repo", 1)
    return AppAuth(APP_ID, private, fake_github.url, **REST)


def token_requests(fake):
    return [r for r in fake.requests if r.operation_id == "apps/create-installation-access-token"]


def test_jwt_claims_follow_githubs_rules(app, fake_github):
    before = time.time()
    app.port_for(7).create_comment(REPO, 1, "hi")
    (claims,) = fake_github.jwt_claims  # signature verified by the fake with the public key
    assert claims["iss"] == str(APP_ID)
    assert before - 61 <= claims["iat"] <= time.time() - 59  # backdated 60 s for clock drift
    assert claims["exp"] - time.time() <= 600  # GitHub refuses more than 10 minutes
    header = jwt.get_unverified_header(app.create_jwt())
    assert header["alg"] == "RS256"


def test_installation_token_is_used_and_comments_are_the_apps(app, fake_github):
    made = app.port_for(7).create_comment(REPO, 1, "hi")
    assert (made.user_login, made.user_type) == ("model-router[bot]", "Bot")
    assert app.bot_login() == "model-router[bot]" == app.port_for(7).bot_login()
    (tok,) = token_requests(fake_github)
    assert tok.path == "/app/installations/7/access_tokens" and tok.token == f"jwt:{APP_ID}"
    write = next(r for r in fake_github.requests if r.operation_id == "issues/create-comment")
    assert write.token in fake_github.tokens and fake_github.tokens[write.token]["installation_id"] == 7


def test_token_is_cached_per_installation(app, fake_github):
    port = app.port_for(7)
    assert app.port_for(7) is port and app.port_for(8) is not port
    for _ in range(3):
        list(port.list_comments(REPO, 1))
    list(app.port_for(8).list_comments("other/repo", 1))
    assert [r.path for r in token_requests(fake_github)] == [
        "/app/installations/7/access_tokens", "/app/installations/8/access_tokens"]


def test_token_refreshed_shortly_before_expiry(app, fake_github):
    fake_github.token_ttl = 200  # less than the 300 s refresh margin: every use renews
    port = app.port_for(7)
    list(port.list_comments(REPO, 1))
    list(port.list_comments(REPO, 1))
    used = [r.token for r in fake_github.requests if r.operation_id == "issues/list-comments"]
    assert len(token_requests(fake_github)) == 2 and used[0] != used[1]


def test_expired_token_is_not_reused(app, fake_github):
    port = app.port_for(7)
    list(port.list_comments(REPO, 1))
    for info in fake_github.tokens.values():
        info["expires"] = 0  # GitHub now refuses it
    app._tokens[7] = (app._tokens[7][0], time.time() - 1)  # and our cache knows it expired
    list(port.list_comments(REPO, 1))
    assert len(token_requests(fake_github)) == 2


def test_concurrent_first_use_fetches_one_token(app, fake_github):
    port = app.port_for(7)
    threads = [threading.Thread(target=lambda: list(port.list_comments(REPO, 1))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(token_requests(fake_github)) == 1


def _rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_jwt_signed_with_another_key_is_refused(fake_github, github_app_key):
    fake_github.app_public_key = github_app_key[1]
    fake_github.add_repo(REPO, installation_id=7)
    auth = AppAuth(1, _rsa_pem(), fake_github.url, **REST)
    with pytest.raises(GitHubError) as info:
        auth.installation_token(7)
    assert info.value.status == 401 and not info.value.transient


BAD_KEYS = [
    "not a key",
    "-----BEGIN RSA PRIVATE KEY-----\nSECRETSTUFF\n-----END RSA PRIVATE KEY-----\n",
    ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode(),
]


@pytest.mark.parametrize("pem", BAD_KEYS)
def test_bad_private_key_is_one_clear_line_without_the_key(pem):
    with pytest.raises(GitHubAuthError) as info:
        AppAuth(1, pem, "http://127.0.0.1:9")
    msg = str(info.value)
    assert "\n" not in msg and "GITHUB_APP_PRIVATE_KEY" in msg
    assert "SECRETSTUFF" not in msg and "BEGIN" not in msg


def test_good_key_validates(github_app_key):
    assert validate_private_key(github_app_key[0] + "\n\n").endswith("-----\n")


def test_token_mode(fake_github):
    fake_github.add_repo(REPO)
    fake_github.add_issue(REPO, 1)
    auth = TokenAuth("plain", fake_github.url, **REST)
    assert auth.port_for(1) is auth.port_for(None) and auth.bot_login() == "github-actions[bot]"
    assert auth.port_for(None).create_comment(REPO, 1, "x").user_login == "github-actions[bot]"
    assert TokenAuth("plain", fake_github.url, login="me").bot_login() == "me"


def test_app_mode_needs_an_installation():
    with pytest.raises(GitHubAuthError):
        AppAuth(1, _rsa_pem(), "http://127.0.0.1:9").port_for(None)


def test_from_settings_picks_the_mode(fake_github, github_app_key):
    from bot.settings import ServiceSettings

    s = ServiceSettings(github_token="tok", github_webhook_secret="s", github_api_url=fake_github.url,
                 github_writes_per_minute=0)
    auth = from_settings(s)
    assert isinstance(auth, TokenAuth) and auth.port_for(None).pacer.per_minute is None
    s = ServiceSettings(github_app_id=3, github_app_private_key=github_app_key[0], github_webhook_secret="s",
                 github_api_url=fake_github.url, github_writes_per_minute=60)
    app = from_settings(s)
    assert isinstance(app, AppAuth) and app.port_for(5).pacer.per_minute == 60
