"""Organisation-wide config (`_extends`, the owner's `.github` repository), the generated JSON Schema and
`model-router config validate|schema`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.action.context import ActionConfig
from bot.config import jsonschema
from bot.config.errors import ConfigError
from bot.config.extends import deep_merge, target
from bot.config.loading import CONFIG_PATH
from bot.config.source import load_repo_config
from bot.models import Tier
from tests.plugins.action import settings

ROOT = Path(__file__).resolve().parents[1]
CHECK = Path(sys.executable).parent / "check-jsonschema"
ORG = """\
security:
  paths: ["**/vault/**"]
  min_tier: opus
budgets: {monthly_usd: 100, max_concurrent_runs: 2}
"""


def test_deep_merge_keys_merge_other_values_replace():
    base = {"budgets": {"monthly_usd": 100, "max_concurrent_runs": 2}, "security": {"paths": ["a"]}}
    assert deep_merge(base, {"budgets": {"monthly_usd": 5}, "security": {"paths": ["b"]}}) == {
        "budgets": {"monthly_usd": 5, "max_concurrent_runs": 2}, "security": {"paths": ["b"]}}


def test_extends_targets():
    assert target(".github", "acme/api", "f") == ("acme/.github", CONFIG_PATH)
    assert target("other/shared:cfg/router.yml", "acme/api", "f") == ("other/shared", "cfg/router.yml")
    for bad in ("", "a/b/c", "x:../../etc/passwd", 3):
        with pytest.raises(ConfigError):
            target(bad, "acme/api", "f")


def test_a_repository_extends_its_orgs_file_and_overrides_it(fake_github, gh):
    fake_github.add_repo("acme/.github", files={CONFIG_PATH: ORG})
    fake_github.add_repo("acme/api", files={CONFIG_PATH: "_extends: .github\nbudgets:\n  monthly_usd: 20\n"})
    loaded = load_repo_config(gh, "acme/api")
    assert loaded.error is None
    c = loaded.config
    assert c.budgets.monthly_usd == 20 and c.budgets.max_concurrent_runs == 2  # merged key by key
    assert c.security.paths == ["**/vault/**"] and c.security.min_tier == Tier.opus


def test_no_file_falls_back_to_the_orgs_github_repository(fake_github, gh):
    fake_github.add_repo("acme/.github", files={CONFIG_PATH: ORG})
    fake_github.add_repo("acme/web")
    assert load_repo_config(gh, "acme/web").config.budgets.monthly_usd == 100


def test_errors_name_the_file_they_are_in(fake_github, gh):
    fake_github.add_repo("acme/.github", files={CONFIG_PATH: "budgets:\n  monthly_usdd: 1\n"})
    fake_github.add_repo("acme/api", files={CONFIG_PATH: "_extends: .github\n"})
    loaded = load_repo_config(gh, "acme/api")
    assert loaded.error and f"acme/.github:{CONFIG_PATH}:2: budgets.monthly_usdd" in loaded.error
    assert loaded.config.budgets.monthly_usd is None  # the defaults, never half a config


def test_a_missing_base_or_a_cycle_is_an_error(fake_github, gh):
    fake_github.add_repo("acme/api", files={CONFIG_PATH: "_extends: nowhere\n"})
    assert "cannot read acme/nowhere" in load_repo_config(gh, "acme/api").error
    fake_github.add_repo("acme/a", files={CONFIG_PATH: "_extends: b\n"})
    fake_github.add_repo("acme/b", files={CONFIG_PATH: "_extends: a\n"})
    assert "circular or longer" in load_repo_config(gh, "acme/a").error


def test_the_action_follows_extends_from_the_default_branch(fake_github, gh, runner_env, tmp_path, webhook_example):
    fake_github.add_repo("acme/.github", files={CONFIG_PATH: ORG})
    fake_github.add_repo("acme/api", files={CONFIG_PATH: "_extends: acme/.github\nllm: {enabled: false}\n"})
    s = settings(tmp_path, fake_github, "issues", webhook_example("issues", "opened"), workspace=tmp_path)
    loaded = ActionConfig(s, {}).load(gh, "acme/api")
    assert loaded.error is None and loaded.config.llm.enabled is False and loaded.config.budgets.monthly_usd == 100


def test_the_shipped_schema_is_current():
    assert jsonschema.shipped() == jsonschema.text(), "run `model-router config schema --write`"


def _check(schemafile: Path, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CHECK), "--schemafile", str(schemafile), str(path)], capture_output=True, text=True, timeout=60)


def test_the_example_config_validates_against_the_schema_and_a_typo_does_not(tmp_path):
    schema = ROOT / "bot" / "data" / jsonschema.SCHEMA_FILE
    assert (ROOT / ".github" / "model-router.yml").read_text().startswith(
        f"# yaml-language-server: $schema=../bot/data/{jsonschema.SCHEMA_FILE}\n")
    proc = _check(schema, ROOT / ".github" / "model-router.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    bad = tmp_path / "bad.yml"
    bad.write_text("_extends: .github\nllm:\n  timout_seconds: 5\n")
    assert _check(schema, bad).returncode != 0


def _cli(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "config", *argv], capture_output=True, text=True, timeout=60)


def test_config_validate_and_schema_commands(tmp_path):
    ok = _cli("validate", str(ROOT / ".github" / "model-router.yml"))
    assert ok.returncode == 0 and ok.stdout.strip().endswith("model-router.yml: valid")
    bad = tmp_path / "bad.yml"
    bad.write_text("_extends: .github\nllm:\n  timout_seconds: 5\n")
    res = _cli("validate", str(bad))
    assert res.returncode == 2 and f"{bad}:3: llm.timout_seconds: unknown key (did you mean 'timeout_seconds'?)" in res.stderr
    as_json = json.loads(_cli("validate", str(bad), "--json").stdout)
    assert as_json["valid"] is False and as_json["extends"] == ".github"
    assert json.loads(_cli("schema").stdout)["properties"]["_extends"]["type"] == "string"
