"""`make demo` installs only what the demo needs: the `demo` extra (the App service and the simulator), and the
demo's modules import without any test-only package."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
TEST_ONLY = ["pytest", "responses", "hypothesis", "time_machine", "markdown_it", "PIL", "psycopg", "check_jsonschema"]


def _recipe(target: str) -> str:
    text = (ROOT / "Makefile").read_text()
    return re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", text, re.M).group(0)


def test_make_demo_installs_the_demo_extra_only():
    demo = _recipe("demo")
    stamp = re.match(r"demo: (\S+)", demo).group(1)
    install = _recipe(stamp)
    assert "-e '.[demo]'" in install and "test," not in install and "[test" not in install
    extras = PYPROJECT["project"]["optional-dependencies"]
    names = {Requirement(s).name for s in extras["demo"]}
    assert names == {PYPROJECT["project"]["name"]} and Requirement(extras["demo"][0]).extras == {"app", "simulator"}


def test_the_demo_imports_nothing_test_only():
    block = "".join(f"sys.modules[{m!r}] = None\n" for m in TEST_ONLY)
    code = ("import sys\n" + block + "import bot.simulator.demo, bot.simulator.demo_service, bot.simulator.convoy_demo\n"
            "import bot.simulator.github, bot.simulator.anthropic, bot.app, bot.app.dashboard.views\n"
            "bot.simulator.demo.render(bot.simulator.demo.route_samples())\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
