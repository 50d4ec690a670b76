"""A real browser: headless Chromium signs in through the offline GitHub's OAuth pages, loads the dashboard
and the screenshot shows the four charts drawn (their dataset colours), not empty canvases.

The screenshot is kept at artifacts/dashboard.png (a CI artefact; docs/img/dashboard.png is a copy)."""

import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.simulator.history import seed_history

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
# the charts' dataset colours (bot/dashboard/static/dashboard.js); nothing else on the page uses them
CHART_COLOURS = {"haiku bars/line": (0x2D, 0xA4, 0x4E), "sonnet bars/estimated": (0x09, 0x69, 0xDA),
                 "opus bars": (0x82, 0x50, 0xDF), "escalation bars": (0xBF, 0x87, 0x00)}

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (Debian: apt-get install chromium)")]


@pytest.fixture
def served(app_settings, fake_github, tmp_path):
    """The App on a real loopback port (werkzeug, threaded) with a seeded store; the browser is `alice` on GitHub."""
    from werkzeug.serving import make_server

    from bot.app import create_app
    from bot.app.resources import EXTENSION

    settings = app_settings.model_copy(update={"github_web_url": fake_github.url, "github_client_id": "Iv1.simulated",
                                               "github_client_secret": SecretStr("simulated-client-secret")})
    app = create_app({"SETTINGS": settings})
    seed_history(app.extensions[EXTENSION].runtime.engine, ["acme/api", "acme/web"], 3000)
    fake_github.add_repo("acme/api", private=True, permissions={"alice": "read"})
    fake_github.oauth_login = "alice"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.extensions[EXTENSION].close()


def screenshot(url: str, out: Path, profile: Path, *extra: str) -> None:
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", "--hide-scrollbars", "--window-size=1280,1500",
           "--virtual-time-budget=10000", f"--screenshot={out}", *extra, url]
    subprocess.run(cmd, check=True, capture_output=True, timeout=90)


def chart_pixels(png: Path) -> dict[str, int]:
    from PIL import Image

    with Image.open(png) as img:
        counts = img.convert("RGB").getcolors(maxcolors=1 << 20) or []
    near = {name: 0 for name in CHART_COLOURS}
    for n, rgb in counts:
        for name, c in CHART_COLOURS.items():
            if all(abs(a - b) <= 6 for a, b in zip(rgb, c)):
                near[name] += n
    return near


def test_chromium_renders_the_charts(served, tmp_path, fake_github):
    out = tmp_path / "dashboard.png"
    screenshot(f"{served}/dashboard/acme/api", out, tmp_path / "profile")
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(out, ARTIFACTS / "dashboard.png")
    pixels = chart_pixels(out)
    assert all(n > 400 for n in pixels.values()), pixels
    # the browser went through GitHub's sign-in (the user token was used) and only saw acme/api
    assert any(r.operation_id == "users/get-authenticated" for r in fake_github.requests)
    # control: the same page without the chart library has the canvases but nothing drawn on them
    from bot.dashboard.page import CHART_JS, _inline_script, asset, render

    html = render({"title": "control", "generated_at": "", "issues": 0, "cards": [], "latest": [], "repos": [],
                   "weekly": {"weeks": ["2026-11-02"], "tier_share": {"haiku": [50], "sonnet": [40], "opus": [10]},
                              "haiku_success": [90], "haiku_success_target": 85, "escalations": [3], "overrides": [1],
                              "spend": {"estimated": [1], "actual": [1], "baseline": [2]}}})
    page = tmp_path / "control.html"
    page.write_text(html)
    screenshot(page.as_uri(), tmp_path / "control.png", tmp_path / "profile2")
    assert all(n > 400 for n in chart_pixels(tmp_path / "control.png").values())
    page.write_text(html.replace(_inline_script(asset(CHART_JS)), ""))
    screenshot(page.as_uri(), tmp_path / "bare.png", tmp_path / "profile3")
    assert sum(chart_pixels(tmp_path / "bare.png").values()) < 50, chart_pixels(tmp_path / "bare.png")
