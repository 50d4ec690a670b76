"""The Action installs the core only, from a hash-pinned lock, and its code path never imports the web stack."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

from tests.plugins.action import parse_outputs

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SERVICE_ONLY = {"flask", "werkzeug", "gunicorn", "orjson", "sqlalchemy", "alembic", "fastjsonschema", "redis",
                "psycopg"}  # the App's stack; not in the Action


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) from a `uv pip compile --generate-hashes` file."""
    out: dict[str, tuple[str, int]] = {}
    name = None
    for line in path.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==([^ ;\\]+)", line)
        if m:
            name = _norm(m.group(1))
            out[name] = (m.group(2), 0)
        elif name and "--hash=sha256:" in line:
            out[name] = (out[name][0], out[name][1] + 1)
    return out


def test_every_core_dependency_is_bounded_and_locked_with_hashes():
    lock = locked(ROOT / "requirements" / "action.txt")
    for spec in PYPROJECT["project"]["dependencies"]:
        req = Requirement(spec)
        assert any(s.operator in ("<", "<=", "==", "~=") for s in req.specifier), f"{spec}: no upper bound"
        version, hashes = lock[_norm(req.name)]
        assert req.specifier.contains(version), f"lock has {req.name} {version}, pyproject wants {req.specifier}"
    assert all(hashes > 0 for _, hashes in lock.values()), "every locked package needs its hashes"
    assert not SERVICE_ONLY & set(lock), "the Action's lock must leave out the service stack"


def test_uv_is_pinned_with_hashes():
    assert list(locked(ROOT / "requirements" / "uv.txt")) == ["uv"]
    assert locked(ROOT / "requirements" / "uv.txt")["uv"][1] >= 5  # one per platform wheel


def test_every_optional_dependency_is_bounded():
    for extra, specs in PYPROJECT["project"]["optional-dependencies"].items():
        for spec in specs:
            req = Requirement(spec)
            if _norm(req.name) == _norm(PYPROJECT["project"]["name"]):  # its own extras
                continue
            assert any(s.operator in ("<", "<=", "==", "~=") for s in req.specifier), f"[{extra}] {spec}: no upper bound"


def test_the_action_code_path_does_not_import_the_web_stack(fake_github, webhook_example, tmp_path):
    payload = webhook_example("issues", "opened")
    fake_github.seed_payload(payload)
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "RUNNER_", "ANTHROPIC_"))}
    env.update(GITHUB_EVENT_NAME="issues", GITHUB_EVENT_PATH=str(event), GITHUB_API_URL=fake_github.url,
               GITHUB_REPOSITORY=payload["repository"]["full_name"], INPUT_GITHUB_TOKEN="ghs_x",
               RUNNER_TEMP=str(tmp_path), GITHUB_WORKSPACE=str(tmp_path), GITHUB_OUTPUT=str(tmp_path / "out"))
    code = (
        "import sys, runpy\n"
        "try:\n    runpy.run_module('bot.action', run_name='__main__')\n"
        "except SystemExit as e:\n    code = e.code\n"
        "print('MODULES', ' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
        "sys.exit(code)\n"
    )
    proc = subprocess.run([sys.executable, "-P", "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert parse_outputs((tmp_path / "out").read_text())["result"] == "routed"
    modules = set(proc.stdout.split("MODULES ", 1)[1].split())
    assert not {m.replace("-", "_") for m in SERVICE_ONLY} & modules
