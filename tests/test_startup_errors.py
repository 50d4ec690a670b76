"""Every misconfiguration a user can make stops `model-router serve` / `worker` with one line on stderr, exit 2.

And `/readyz` says whether Redis answers when it is configured (503 while it does not)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
BAD_PEM = "-----BEGIN PRIVATE KEY-----\nTOPSECRETnotakey\n-----END PRIVATE KEY-----\n"


def _run(command: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("GITHUB_", "ANTHROPIC_", "DATABASE_URL", "REDIS_URL", "MODEL_ROUTER_"))}
    base.update(GITHUB_TOKEN="t", GITHUB_WEBHOOK_SECRET="s", DATABASE_URL=f"sqlite:///{tmp_path / 'ok.db'}",
                GITHUB_API_URL="http://127.0.0.1:9")
    base.update(env)
    base = {k: v for k, v in base.items() if v != ""}
    args = [str(BIN / "model-router"), command] + (["--once"] if command == "worker" else ["--bind", "127.0.0.1:9"])
    return subprocess.run(args, env=base, cwd=tmp_path, capture_output=True, text=True, timeout=60)


CASES = {
    "postgres unreachable": ({"DATABASE_URL": "postgresql://u:TOPSECRET@127.0.0.1:1/test"},
                             "DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:1/test"),
    "sqlite directory missing": ({"DATABASE_URL": "sqlite:///{tmp}/no/such/dir/x.db"},
                                 "DATABASE_URL: the SQLite file's directory {tmp}/no/such/dir does not exist"),
    "sqlite path is a directory": ({"DATABASE_URL": "sqlite:///{tmp}"}, "DATABASE_URL: cannot open the SQLite file"),
    "database scheme": ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL: must be sqlite:///PATH or postgresql://"),
    "redis unreachable": ({"REDIS_URL": "redis://:TOPSECRET@127.0.0.1:1/0"},
                          "REDIS_URL: cannot reach Redis at 127.0.0.1:1"),
    "redis scheme": ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL: must be redis://"),
    "no credentials": ({"GITHUB_TOKEN": ""}, "set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY"),
    "app id without key": ({"GITHUB_TOKEN": "", "GITHUB_APP_ID": "1"}, "neither GITHUB_APP_PRIVATE_KEY"),
    "key not usable": ({"GITHUB_TOKEN": "", "GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY": BAD_PEM},
                       "GITHUB_APP_PRIVATE_KEY is not a usable PEM private key"),
    "key file missing": ({"GITHUB_TOKEN": "", "GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY_PATH": "{tmp}/app.pem"},
                         "GITHUB_APP_PRIVATE_KEY_PATH: cannot read the file"),
    "webhook secret missing": ({"GITHUB_WEBHOOK_SECRET": ""}, "GITHUB_WEBHOOK_SECRET is required"),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", ["worker", "serve"])
def test_a_misconfiguration_is_one_line_and_exit_2(tmp_path, command, case):
    env, expected = CASES[case]
    proc = _run(command, tmp_path, **{k: v.replace("{tmp}", str(tmp_path)) for k, v in env.items()})
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith("model-router: ") and expected.replace("{tmp}", str(tmp_path)) in lines[0], lines[0]
    assert "TOPSECRET" not in proc.stderr


def test_readyz_fails_while_redis_is_configured_and_unreachable(tmp_path, fake_github, caplog):
    from bot.app import create_app
    from bot.settings import ServiceSettings

    settings = ServiceSettings(github_token="t", github_webhook_secret="s", github_api_url=fake_github.url,
                               database_url=f"sqlite:///{tmp_path / 'r.db'}", worker_threads=0,
                               redis_url="redis://127.0.0.1:1/0", _env_file=None)
    app = create_app({"SETTINGS": settings})  # a web worker starts (the CLI checked before), and says why
    assert any("REDIS_URL: cannot reach Redis at 127.0.0.1:1" in r.getMessage() and "falls back" in r.getMessage()
               for r in caplog.records)
    resp = app.test_client().get("/readyz")
    assert resp.status_code == 503 and resp.json["redis"] == "unreachable" and resp.json["store"] == "ok"
    app.extensions["model_router"].close()


def test_readyz_reports_redis(tmp_path, fake_github, redis_url, redis_prefix):
    from bot.app import create_app
    from bot.settings import ServiceSettings

    settings = ServiceSettings(github_token="t", github_webhook_secret="s", github_api_url=fake_github.url,
                               database_url=f"sqlite:///{tmp_path / 'r.db'}", worker_threads=0,
                               redis_url=redis_url, redis_prefix=redis_prefix, _env_file=None)
    app = create_app({"SETTINGS": settings})
    assert app.test_client().get("/readyz").json == {"status": "ready", "store": "ok", "redis": "ok"}
    app.extensions["model_router"].close()


def test_readyz_without_redis_says_so(client):
    assert client.get("/readyz").json == {"status": "ready", "store": "ok", "redis": "not configured"}
