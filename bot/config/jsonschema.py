"""The config file's JSON Schema, generated from the pydantic model: editors complete and check
`.github/model-router.yml` with it (`# yaml-language-server: $schema=…`), and CI can validate with it."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from bot import REPOSITORY
from bot.config.extends import EXTENDS_KEY
from bot.config.schema import RepoConfig

SCHEMA_FILE = "model-router.schema.json"  # in bot/data/, shipped with the package
SCHEMA_URL = f"https://raw.githubusercontent.com/{REPOSITORY}/v1/bot/data/{SCHEMA_FILE}"


def schema() -> dict:
    """RepoConfig's schema, plus `_extends` (organisation-wide config), which the loader strips before validating."""
    out = RepoConfig.model_json_schema(mode="validation")
    out = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_URL, **out}
    out["title"] = "model-router configuration (.github/model-router.yml)"
    out["properties"] = {
        EXTENDS_KEY: {
            "type": "string",
            "description": "Inherit another repository's config and override it here: `.github` (this owner's "
            "`.github` repository), `repo`, `owner/repo` or `owner/repo:path/to/file.yml`; mappings merge key by key.",
        },
        **out["properties"],
    }
    return out


def text() -> str:
    return json.dumps(schema(), indent=2, sort_keys=False) + "\n"


def shipped() -> str:
    return (resources.files("bot") / "data" / SCHEMA_FILE).read_text(encoding="utf-8")


def write(path: Path | None = None) -> Path:
    """Regenerate the shipped copy (a test fails while it is stale)."""
    target = path or Path(str(resources.files("bot") / "data" / SCHEMA_FILE))
    target.write_text(text(), encoding="utf-8")
    return target
