"""The README's install line installs this project: a distribution name of its own (PyPI's `model-router` is
someone else's), used everywhere; the canonical home written wherever `OWNER` stood."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

import bot
from bot.config.jsonschema import SCHEMA_URL

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
NAME = PYPROJECT["project"]["name"]
README = (ROOT / "README.md").read_text()
TEXT_SUFFIXES = {".md", ".yml", ".yaml", ".py", ".toml", ".json", ".txt", ".cfg", ""}


def _tracked() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return [ROOT / p for p in out if (ROOT / p).suffix in TEXT_SUFFIXES and (ROOT / p).is_file()
            and not p.startswith("tests/")]


def install_line() -> str:
    """The package spec of the README's `pip install` line."""
    return re.search(r"^pip install '([^']+)'", README, re.M).group(1)


def test_one_name_everywhere():
    assert NAME == bot.DISTRIBUTION == "claude-tier-router"
    assert install_line() == f"{NAME}[app]"
    assert PYPROJECT["project"]["scripts"] == {"model-router": "bot.cli:main"}  # the command stays readable
    for extra in ("postgres", "test", "demo"):
        assert any(s.startswith(f"{NAME}[") for s in PYPROJECT["project"]["optional-dependencies"][extra]), extra
    release = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    assert release["jobs"]["pypi"]["environment"]["url"] == f"https://pypi.org/project/{NAME}/"
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "Dockerfile", ROOT / "Makefile"]:
        assert "model-router[" not in path.read_text(), f"{path.name} still installs PyPI's other `model-router`"


def test_no_owner_placeholder_remains():
    left = [f"{p.relative_to(ROOT)}:{n}" for p in _tracked()
            for n, line in enumerate(p.read_text(errors="replace").splitlines(), 1) if re.search(r"\bOWNER\b", line)]
    assert left == []


def test_the_canonical_home_is_written_where_it_is_needed():
    home = bot.REPOSITORY
    assert SCHEMA_URL.startswith(f"https://raw.githubusercontent.com/{home}/v1/")
    assert yaml.safe_load((ROOT / "app.yml").read_text())["url"] == f"https://github.com/{home}"
    assert json.loads((ROOT / "bot" / "data" / "model-router.schema.json").read_text())["$id"] == SCHEMA_URL
    assert f"uses: {home}@v1" in README and f"uses: {home}@v1" in (ROOT / "docs" / "action.md").read_text()


@pytest.mark.slow
def test_the_readme_install_line_installs_this_project_from_a_locally_built_wheel(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    [wheel] = wheels.glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        meta = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    assert f"\nName: {NAME}\n" in meta and "\nProvides-Extra: app\n" in meta
    report = tmp_path / "report.json"
    subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "-q", "--no-index", "--no-deps",
                    "--find-links", str(wheels), "--ignore-installed", "--report", str(report), install_line()],
                   check=True, capture_output=True, timeout=120)
    [item] = json.loads(report.read_text())["install"]
    assert item["metadata"]["name"] == NAME and item["download_info"]["url"].endswith(wheel.name)
    assert "model-router = bot.cli:main" in zipfile.ZipFile(wheel).read(
        next(n for n in zipfile.ZipFile(wheel).namelist() if n.endswith("entry_points.txt"))).decode()
