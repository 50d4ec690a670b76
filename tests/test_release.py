"""Releases: the tag, the version and the CHANGELOG agree; the release workflow ships what it promises."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

import pytest
import yaml

import bot

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("release_notes", ROOT / "scripts" / "release_notes.py")
release_notes = importlib.util.module_from_spec(spec)
spec.loader.exec_module(release_notes)
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_one_version():
    assert bot.__version__ == VERSION


def test_the_current_version_has_release_notes():
    text, major = release_notes.notes(f"v{VERSION}")
    assert text.strip() and major == "v" + VERSION.split(".")[0]


def _project(tmp_path: Path, version: str, changelog: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "x"\nversion = "{version}"\n')
    (tmp_path / "CHANGELOG.md").write_text(changelog)
    return tmp_path


@pytest.mark.parametrize(
    ("tag", "version", "changelog", "error"),
    [
        ("1.2.3", "1.2.3", "## [1.2.3]\n- x\n", "is not vX.Y.Z"),
        ("v1.2.3", "1.2.4", "## [1.2.3]\n- x\n", "pyproject.toml says version 1.2.4"),
        ("v1.2.3", "1.2.3", "## [1.2.2]\n- x\n", "no '## [1.2.3]' section"),
        ("v1.2.3", "1.2.3", "## [1.2.3] - 2026-01-01\n\n## [1.2.2]\n- x\n", "no '## [1.2.3]' section"),
    ],
)
def test_disagreements_are_refused(tmp_path, tag, version, changelog, error):
    with pytest.raises(release_notes.ReleaseError, match=error.replace("[", r"\[").replace("]", r"\]")):
        release_notes.notes(tag, _project(tmp_path, version, changelog))


def test_notes_are_that_versions_section(tmp_path):
    root = _project(tmp_path, "2.0.1", "# C\n## [Unreleased]\n## [2.0.1] - 2026-12-01\n- fixed\n## [2.0.0]\n- old\n")
    assert release_notes.notes("v2.0.1", root) == ("- fixed\n", "v2")


def test_the_release_workflow_ships_the_lock_file_the_changelog_and_the_image():
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    steps = [s for job in wf["jobs"].values() for s in job["steps"]]
    create = next(s["run"] for s in steps if "gh release create" in s.get("run", ""))
    for asset in ("requirements/action.txt", "CHANGELOG.md", "artifacts/dist/*"):
        assert asset in create
        assert asset.endswith("*") or (ROOT / asset).is_file(), asset
    uses = {s.get("uses", "").split("@")[0] for s in steps}
    assert {"pypa/gh-action-pypi-publish", "docker/build-push-action"} <= uses
    assert any("ghcr.io/${{ github.repository_owner }}/model-router" in str(s.get("with", {})) for s in steps)
    assert wf["permissions"] == {}  # each job asks for what it needs
