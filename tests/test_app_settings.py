"""Settings from the environment: one clear line on bad input, secrets never shown."""

from __future__ import annotations

import pytest

from bot.settings import ServiceSettings, SettingsError

ENV = (
    "GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY", "GITHUB_APP_PRIVATE_KEY_PATH", "GITHUB_WEBHOOK_SECRET",
    "GITHUB_API_URL", "GITHUB_TOKEN", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "DATABASE_URL",
    "WEBHOOK_MAX_BODY_BYTES", "MODEL_ROUTER_WORKER_THREADS",
)
PEM = "-----BEGIN PRIVATE KEY-----\nTOPSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_app_mode_from_env(clean_env):
    clean_env.setenv("GITHUB_APP_ID", "123")
    clean_env.setenv("GITHUB_APP_PRIVATE_KEY", PEM)
    clean_env.setenv("GITHUB_WEBHOOK_SECRET", "new-secret, old-secret")
    clean_env.setenv("GITHUB_API_URL", "https://ghe.example.com/api/v3/")
    clean_env.setenv("MODEL_ROUTER_WORKER_THREADS", "2")
    s = ServiceSettings.from_env()
    assert s.app_mode and s.github_app_id == 123
    assert s.webhook_secrets == [b"new-secret", b"old-secret"]
    assert s.github_api_url == "https://ghe.example.com/api/v3"
    assert s.worker_threads == 2
    assert s.database_url.startswith("sqlite")
    shown = repr(s) + str(s.model_dump())
    assert "TOPSECRET" not in shown and "old-secret" not in shown


def test_private_key_from_path(clean_env, tmp_path):
    key = tmp_path / "app.pem"
    key.write_text(PEM)
    clean_env.setenv("GITHUB_APP_ID", "7")
    clean_env.setenv("GITHUB_APP_PRIVATE_KEY_PATH", str(key))
    clean_env.setenv("GITHUB_WEBHOOK_SECRET", "s")
    assert ServiceSettings.from_env().github_app_private_key.get_secret_value() == PEM


def test_token_mode(clean_env):
    clean_env.setenv("GITHUB_TOKEN", "ghs_abc")
    clean_env.setenv("GITHUB_WEBHOOK_SECRET", "s")
    s = ServiceSettings.from_env()
    assert not s.app_mode


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, "set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY"),
        ({"GITHUB_APP_ID": "123", "GITHUB_WEBHOOK_SECRET": "s"}, "neither GITHUB_APP_PRIVATE_KEY"),
        ({"GITHUB_APP_ID": "abc", "GITHUB_WEBHOOK_SECRET": "s"}, "GITHUB_APP_ID: Input should be a valid integer"),
        ({"GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY": "TOPSECRET-not-pem", "GITHUB_WEBHOOK_SECRET": "s"}, "not a PEM"),
        ({"GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY_PATH": "/nonexistent/k.pem", "GITHUB_WEBHOOK_SECRET": "s"}, "cannot read"),
        ({"GITHUB_TOKEN": "TOPSECRET"}, "GITHUB_WEBHOOK_SECRET is required"),
        ({"GITHUB_TOKEN": "t", "GITHUB_WEBHOOK_SECRET": " , "}, "GITHUB_WEBHOOK_SECRET is required"),
        ({"GITHUB_TOKEN": "t", "GITHUB_WEBHOOK_SECRET": "s", "GITHUB_API_URL": "api.github.com"}, "GITHUB_API_URL: must start"),
        ({"GITHUB_TOKEN": "t", "GITHUB_WEBHOOK_SECRET": "s", "DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"GITHUB_TOKEN": "t", "GITHUB_WEBHOOK_SECRET": "s", "WEBHOOK_MAX_BODY_BYTES": "-1"}, "WEBHOOK_MAX_BODY_BYTES"),
    ],
)
def test_bad_settings_give_one_line_without_values(clean_env, env, expected):
    for k, v in env.items():
        clean_env.setenv(k, v)
    with pytest.raises(SettingsError) as info:
        ServiceSettings.from_env()
    message = str(info.value)
    assert expected in message
    assert "\n" not in message and "TOPSECRET" not in message
