"""What runs is pinned: every `uses:` by full commit SHA with its version, the Docker image from the hashed lock
on a specific base, and Dependabot keeps all three moving. (`docker build` cannot run here: checked statically.)"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

from tests.test_action_packaging import _norm, locked

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PINNED_FILES = [ROOT / "action.yml", *sorted((ROOT / ".github" / "workflows").glob("*.yml"))]
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", re.M)
SHA_PIN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _uses() -> list[tuple[str, str, str]]:
    return [(p.name, m.group(1), m.group(2)) for p in PINNED_FILES for m in USES.finditer(p.read_text())]


def test_every_uses_is_local_or_a_full_sha_with_its_version():
    found = _uses()
    assert len([u for u in found if not u[1].startswith("./")]) >= 10
    for where, ref, comment in found:
        if ref.startswith("./"):
            continue  # this repository's own Action
        assert SHA_PIN.match(ref), f"{where}: {ref} is not pinned by a full commit SHA"
        assert re.match(r"^\s+# v\d+\.\d+\.\d+\b", comment), f"{where}: {ref} lacks its `# vX.Y.Z` comment"


def test_one_version_per_action():
    versions: dict[str, set[str]] = {}
    for _, ref, comment in _uses():
        if not ref.startswith("./"):
            versions.setdefault(ref.split("@")[0], set()).add(ref.split("@")[1] + comment.strip())
    assert all(len(v) == 1 for v in versions.values()), versions


def test_a_moving_tag_is_caught():
    assert not SHA_PIN.match("actions/cache@v4") and not SHA_PIN.match("pypa/gh-action-pypi-publish@release/v1")


def test_the_base_image_is_a_specific_release_pinned_by_digest():
    base = re.search(r"^FROM\s+(\S+)", DOCKERFILE, re.M).group(1)
    assert re.match(r"^python:3\.11\.\d+-slim-[a-z]+@sha256:[0-9a-f]{64}$", base), base


def test_the_image_installs_only_from_the_hashed_lock():
    installs = re.findall(r"pip install ([^\n&]+)", DOCKERFILE)
    assert installs == [
        "--no-cache-dir --no-deps --require-hashes -r requirements/app.txt",
        "--no-cache-dir --no-deps --no-index --no-build-isolation . ",
    ]
    assert "COPY requirements/app.txt" in DOCKERFILE
    for src in re.findall(r"^COPY\s+(.+?)\s+\S+$", DOCKERFILE, re.M):
        for name in src.split():
            assert (ROOT / name).exists(), name


def test_the_app_lock_covers_the_core_the_app_and_postgres_extras_and_the_build_backend():
    lock = locked(ROOT / "requirements" / "app.txt")
    extras = PYPROJECT["project"]["optional-dependencies"]
    specs = [*PYPROJECT["project"]["dependencies"], *extras["app"], *extras["postgres"],
             *PYPROJECT["build-system"]["requires"]]
    for spec in specs:
        req = Requirement(spec)
        if _norm(req.name) == _norm(PYPROJECT["project"]["name"]):
            continue
        assert _norm(req.name) in lock, f"{req.name} is not in requirements/app.txt: run make lock"
        assert req.specifier.contains(lock[_norm(req.name)][0]), (req, lock[_norm(req.name)])
    assert all(hashes > 0 for _, hashes in lock.values())
    assert "requirements/app.txt" in (ROOT / "Makefile").read_text()


def test_dependabot_keeps_actions_python_and_the_image_moving():
    path = ROOT / ".github" / "dependabot.yml"
    cfg = yaml.safe_load(path.read_text())
    assert {u["package-ecosystem"] for u in cfg["updates"]} >= {"github-actions", "pip", "docker"}
    check = Path(sys.executable).parent / "check-jsonschema"
    proc = subprocess.run([str(check), "--builtin-schema", "vendor.dependabot", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_pinned_action_runs_on_a_current_runtime():
    """tests/fixtures/pinned-actions.yml records, per pin, its tag and its action.yml's `runs.using` as read from
    the action's repository at that commit; GitHub has deprecated node20 (and node16, node12)."""
    known = yaml.safe_load((ROOT / "tests" / "fixtures" / "pinned-actions.yml").read_text())
    for where, ref, comment in _uses():
        if ref.startswith("./"):
            continue
        assert ref in known, f"{where}: record {ref}'s version and runtime in tests/fixtures/pinned-actions.yml"
        assert comment.split("#", 1)[1].split()[0] == known[ref]["version"], (where, ref)
        assert known[ref]["runs"] in ("node24", "composite", "docker"), (ref, known[ref]["runs"])
