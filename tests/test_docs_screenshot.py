"""The README's picture is made from the comment the code renders (docs/img/screenshot.py)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from bot.issues.state import MARKER, STATE_PREFIX

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "img" / "screenshot.py"


@pytest.fixture(scope="module")
def shot():
    spec = importlib.util.spec_from_file_location("screenshot", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_page_is_the_rendered_comment(shot):
    markdown = shot.comment_markdown()
    assert markdown.startswith(MARKER) and STATE_PREFIX in markdown
    html = shot.page(markdown)
    assert "<table>" in html and "<td>Estimated cost</td>" in html and "<details>" in html
    assert "model-router:state" in html  # kept as an HTML comment, which the browser does not show
    assert "**" not in html.split("<div class=body>")[1]


@pytest.mark.slow
def test_chromium_takes_the_picture(shot, tmp_path):
    if shutil.which("chromium") is None and shutil.which("chromium-browser") is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    out = tmp_path / "c.png"
    shot.main(["--out", str(out)])
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 5_000
