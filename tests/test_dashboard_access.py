"""/dashboard: the App with a seeded store and the offline GitHub (its OAuth pages included); who sees what."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from bot.simulator.history import seed_history
from tests.plugins.app import WEBHOOK_SECRET
from tests.plugins.github import TEST_TOKEN

DASH_TOKEN = "dash-token-for-self-hosters"
CLIENT_SECRET = "simulated-client-secret"


@pytest.fixture
def dash_settings(app_settings, fake_github):
    return app_settings.model_copy(update={
        "github_web_url": fake_github.url, "github_client_id": "Iv1.simulated",
        "github_client_secret": __import__("pydantic").SecretStr(CLIENT_SECRET),
        "dashboard_token": __import__("pydantic").SecretStr(DASH_TOKEN)})


@pytest.fixture
def dash(dash_settings, fake_github):
    from bot.app import create_app
    from bot.app.resources import EXTENSION

    app = create_app({"SETTINGS": dash_settings, "TESTING": True})
    engine = app.extensions[EXTENSION].runtime.engine
    seed_history(engine, ["acme/secret", "acme/open"], 400)
    fake_github.add_repo("acme/secret", private=True, permissions={"alice": "read"})
    fake_github.add_repo("acme/open", permissions={"alice": "write", "bob": "read"})
    fake_github.add_repo("acme/elsewhere", installation_id=2, permissions={"bob": "admin"})
    yield app
    app.extensions[EXTENSION].close()


def sign_in(client, fake_github, login: str, next_path: str = "/dashboard/acme/secret"):
    """The browser's round trip: our /login -> GitHub's authorize page -> our callback (with code and state)."""
    r = client.get("/dashboard/login", query_string={"next": next_path})
    assert r.status_code == 302
    authorize = r.headers["Location"]
    assert authorize.startswith(f"{fake_github.url}/login/oauth/authorize?")
    q = parse_qs(urlsplit(authorize).query)
    assert q["client_id"] == ["Iv1.simulated"] and q["state"][0] and "secret" not in authorize
    back = requests.get(authorize + f"&login={login}", allow_redirects=False, timeout=5)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/dashboard/oauth/callback"
    return client.get(callback.path + "?" + callback.query)


def secrets_absent(html: str) -> None:
    for secret in (CLIENT_SECRET, DASH_TOKEN, WEBHOOK_SECRET, TEST_TOKEN, "ghu_"):
        assert secret not in html


def test_reader_sees_numbers_and_charts(dash, fake_github):
    client = dash.test_client()
    r = sign_in(client, fake_github, "alice")
    assert r.status_code == 302 and r.headers["Location"] == "/dashboard/acme/secret"
    page = client.get("/dashboard/acme/secret")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "signed in as <b>alice</b>" in html
    assert html.count('class="card ') == 5 and 'data-measure="haiku_success"' in html
    assert "acme/secret#" in html and 'src="/dashboard/static/chart.umd.min.js"' in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"] and page.headers["Cache-Control"] == "no-store"
    cookie = client.get_cookie("model_router_session")
    assert cookie.http_only and cookie.same_site == "Lax"
    secrets_absent(html + cookie.value)
    index = client.get("/dashboard/").get_data(as_text=True)
    assert 'href="/dashboard/acme/secret"' in index and 'href="/dashboard/acme/open"' in index
    with client.get("/dashboard/static/chart.umd.min.js") as asset:
        assert asset.status_code == 200 and asset.get_data().startswith(b"/*!\n * Chart.js v4")
    assert client.get("/dashboard/api/acme/secret").get_json()["issues"] == 200


def test_outsider_sees_nothing_of_a_repo_they_cannot_read(dash, fake_github):
    client = dash.test_client()
    assert sign_in(client, fake_github, "bob", "/dashboard/").headers["Location"] == "/dashboard/"
    assert client.get("/dashboard/acme/secret").status_code == 404
    assert client.get("/dashboard/api/acme/secret").status_code == 404
    assert client.get("/dashboard/ACME/Secret").status_code == 404
    index = client.get("/dashboard/").get_data(as_text=True)
    assert "acme/secret" not in index and 'href="/dashboard/acme/open"' in index
    assert "signed in as <b>bob</b>" in index
    html = client.get("/dashboard/acme/open").get_data(as_text=True)
    assert "acme/open#" in html and "acme/secret" not in html
    # the user-to-server token went to GitHub's user endpoints only, all valid for the OpenAPI description
    ops = [r.operation_id for r in fake_github.requests if r.token and r.token.startswith("ghu_")]
    assert ops and set(ops) <= {"users/get-authenticated", "apps/list-installations-for-authenticated-user",
                                "apps/list-installation-repos-for-authenticated-user"}


def test_anonymous_and_bad_credentials(dash, fake_github):
    client = dash.test_client()
    page = client.get("/dashboard/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Sign in with GitHub" in html and 'class="card' not in html
    assert client.get("/dashboard/acme/open").status_code == 302
    assert client.get("/dashboard/api/acme/open").status_code == 401
    assert client.get("/dashboard/api/acme/open", headers={"Authorization": "Bearer nope"}).status_code == 401
    # the OAuth state must be the one this session started
    client.get("/dashboard/login")
    assert client.get("/dashboard/oauth/callback?code=x&state=forged").status_code == 400
    # a code GitHub refuses (here: already used) is a failed sign-in, not a session
    r = client.get("/dashboard/login")
    state = parse_qs(urlsplit(r.headers["Location"]).query)["state"][0]
    assert client.get(f"/dashboard/oauth/callback?code=unknown&state={state}").status_code == 401
    assert client.get("/dashboard/acme/open").status_code == 302


def test_dashboard_token(dash, fake_github):
    client = dash.test_client()
    auth = {"Authorization": f"Bearer {DASH_TOKEN}"}
    data = client.get("/dashboard/api/acme/secret", headers=auth).get_json()
    assert data["repo"] == "acme/secret" and len(data["cards"]) == 5 and data["weekly"]["weeks"]
    # the browser form: CSRF token required, then a session for every repository
    assert client.post("/dashboard/login/token", data={"token": DASH_TOKEN}).status_code == 403
    html = client.get("/dashboard/").get_data(as_text=True)
    csrf = html.split('name="csrf" value="')[1].split('"')[0]
    assert client.post("/dashboard/login/token", data={"token": "wrong", "csrf": csrf}).status_code == 401
    assert client.post("/dashboard/login/token", data={"token": DASH_TOKEN, "csrf": csrf}).status_code == 302
    assert client.get("/dashboard/acme/secret").status_code == 200
    # sign-out is a POST with the CSRF token; a GET does nothing
    assert client.get("/dashboard/logout").status_code == 405
    assert client.post("/dashboard/logout", data={}).status_code == 403
    html = client.get("/dashboard/").get_data(as_text=True)
    csrf = html.split('name="csrf" value="')[1].split('"')[0]
    assert client.post("/dashboard/logout", data={"csrf": csrf}).status_code == 302
    assert client.get("/dashboard/acme/secret").status_code == 302


def test_wrong_client_secret_fails_closed(dash, dash_settings, fake_github):
    fake_github.oauth_client_secret = "rotated"
    client = dash.test_client()
    r = sign_in(client, fake_github, "alice")
    assert r.status_code == 401 and "incorrect_client_credentials" in r.get_data(as_text=True)
    assert client.get("/dashboard/acme/secret").status_code == 302


def test_the_rollup_is_built_in_the_background_at_start(dash):
    """The first viewer after a start must not pay for the full GROUP BY (1 s or so at 100,000 routings)."""
    from bot.app import dashboard

    cache = dash.extensions["model_router_rollup"]
    assert dashboard.warm(dash) is None and cache._checked is None  # tests drive the app themselves
    dash.testing = False
    try:
        thread = dashboard.warm(dash)
        thread.join(30)
    finally:
        dash.testing = True
    assert not thread.is_alive() and cache._checked is not None
    assert cache.repos(dash.extensions["model_router"].runtime.engine) == ["acme/open", "acme/secret"]
