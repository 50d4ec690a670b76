"""action.yml and every workflow file validate against GitHub's schemas (check-jsonschema's vendored copies)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECK = Path(sys.executable).parent / "check-jsonschema"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))


def _check(schema: str, path: Path) -> subprocess.CompletedProcess:
    assert CHECK.exists(), f"{CHECK} missing: install the test extra (pip install -e '.[test]')"
    return subprocess.run(
        [str(CHECK), "--builtin-schema", schema, str(path)], capture_output=True, text=True, timeout=60
    )


def test_action_yml_is_a_valid_action():
    proc = _check("vendor.github-actions", ROOT / "action.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_repository_has_workflows():
    assert ROOT / ".github" / "workflows" / "model-router.yml" in WORKFLOWS


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_valid(workflow: Path):
    proc = _check("vendor.github-workflows", workflow)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_schema_check_rejects_a_broken_action(tmp_path: Path):
    """The check can fail: an action without `runs` is refused."""
    bad = tmp_path / "action.yml"
    bad.write_text("name: x\ndescription: y\n")
    assert _check("vendor.github-actions", bad).returncode != 0
