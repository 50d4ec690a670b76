"""docs/configuration.md says `check-jsonschema` with the shipped schema applies the rules `config validate` does:
the same verdict on configs that exercise every rule written in Python, and where they still differ, the docs say."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.config.jsonschema import schema
from bot.config.schema import RepoConfig

ROOT = Path(__file__).resolve().parents[1]
CHECK = Path(sys.executable).parent / "check-jsonschema"

CASES = {
    # name: (config, valid?)
    "defaults": ({}, True),
    "min_tier haiku": ({"security": {"min_tier": "haiku"}}, False),
    "min_tier opus": ({"security": {"min_tier": "opus"}}, True),
    "escalation downwards": ({"executor": {"escalation": ["opus", "haiku"]}}, False),
    "escalation repeated": ({"executor": {"escalation": ["haiku", "haiku"]}}, False),
    "escalation skipping sonnet": ({"executor": {"escalation": ["haiku", "opus"]}}, True),
    "pattern that sets nothing": ({"extra_patterns": [{"name": "x", "words": ["y"]}]}, False),
    "pattern with tier null only": ({"extra_patterns": [{"name": "x", "words": ["y"], "tier": None}]}, False),
    "pattern security false only": ({"extra_patterns": [{"name": "x", "words": ["y"], "security": False}]}, False),
    "pattern with a tier": ({"extra_patterns": [{"name": "x", "words": ["y"], "tier": "opus"}]}, True),
    "pattern with security": ({"extra_patterns": [{"name": "x", "words": ["y"], "security": True}]}, True),
    "blank model id": ({"models": {"haiku": "  "}}, False),
    "label colour with #": ({"labels": {"security": {"color": "#b60205"}}}, True),
    "label colour not hex": ({"labels": {"security": {"color": "zzzzzz"}}}, False),
    "one tier's colour only": ({"labels": {"model": {"haiku": {"color": "00ff00"}}}}, True),
    "one estimate's output only": ({"token_estimates": {"simple": {"output_tokens": 10}}}, True),
    "unknown key": ({"budgets": {"monthly_usdd": 5}}, False),
}


def _python_says(cfg: dict) -> bool:
    try:
        RepoConfig.model_validate(cfg)
    except ValueError:
        return False
    return True


def _schema_says(cfg: dict) -> bool:
    return jsonschema.Draft202012Validator(schema()).is_valid(cfg)


@pytest.mark.parametrize("name", CASES)
def test_config_validate_and_the_json_schema_agree(name):
    cfg, valid = CASES[name]
    assert _python_says(cfg) is valid
    assert _schema_says(cfg) is valid


def test_check_jsonschema_refuses_min_tier_haiku_as_config_validate_does(tmp_path):
    bad = tmp_path / "model-router.yml"
    bad.write_text(yaml.safe_dump({"security": {"min_tier": "haiku"}}))
    shipped = ROOT / "bot" / "data" / "model-router.schema.json"
    proc = subprocess.run([str(CHECK), "--schemafile", str(shipped), str(bad)], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0, proc.stdout
    from bot.cli import main
    assert main(["config", "validate", str(bad)]) == 2


def test_the_docs_name_what_only_config_validate_checks():
    text = (ROOT / "docs" / "configuration.md").read_text()
    assert "the same rules, in CI" not in text
    assert "Only `config validate`" in text and "_extends" in text
