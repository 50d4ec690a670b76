"""compose.yaml (the scale-out set-up) is a valid Compose file and wires every replica to PostgreSQL and Redis.

No Docker engine runs here: the file is checked against the Compose specification's schema instead."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.test_action_schema import _check

ROOT = Path(__file__).resolve().parents[1]


def test_compose_file_matches_the_compose_spec():
    proc = _check("vendor.compose-spec", ROOT / "compose.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_compose_check_can_fail(tmp_path):
    bad = tmp_path / "compose.yaml"
    bad.write_text("services:\n  web:\n    image: x\n    ports: 8000\n    restart: sometimes\n")
    assert _check("vendor.compose-spec", bad).returncode != 0


def test_two_services_a_worker_postgres_and_redis():
    spec = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = spec["services"]
    assert set(services) == {"service-1", "service-2", "worker", "postgres", "redis"}
    ours = {k: v for k, v in services.items() if k.startswith(("service", "worker"))}
    for name, svc in ours.items():
        assert svc["command"][:2] == ["model-router", "worker" if name == "worker" else "serve"]
        env = svc["environment"]
        assert env["DATABASE_URL"].startswith("postgresql://") and env["REDIS_URL"].startswith("redis://")
        assert set(svc["depends_on"]) == {"postgres", "redis"}
    documented = (ROOT / "docs/operations.md").read_text()
    for var in ours["worker"]["environment"]:
        assert f"`{var}`" in documented, var


def test_every_environment_variable_is_documented():
    import re

    from bot.settings import ServiceSettings

    documented = (ROOT / "docs/operations.md").read_text()
    names = {(f.validation_alias or name).upper() for name, f in ServiceSettings.model_fields.items()}
    conf = (ROOT / "bot/app/gunicorn_conf.py").read_text()
    names |= set(re.findall(r"environ(?:\.get|\.setdefault)?\(\s*\"([A-Z_]+)\"", conf))
    assert {"GUNICORN_ACCESS_LOG", "MODEL_ROUTER_LOG_LEVEL", "PROMETHEUS_MULTIPROC_DIR", "REDIS_URL"} <= names
    assert [n for n in sorted(names) if f"`{n}`" not in documented] == []


def test_the_readme_names_every_environment_variable():
    """README's front door names every variable the service reads; docs/operations.md says what each does."""
    import re

    from bot.settings import ServiceSettings

    readme = (ROOT / "README.md").read_text()
    names = {(f.validation_alias or name).upper() for name, f in ServiceSettings.model_fields.items()}
    conf = (ROOT / "bot/app/gunicorn_conf.py").read_text()
    names |= set(re.findall(r"environ(?:\.get|\.setdefault)?\(\s*\"([A-Z_]+)\"", conf))
    assert [n for n in sorted(names) if f"`{n}`" not in readme] == []
