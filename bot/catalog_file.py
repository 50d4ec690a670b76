"""The dated catalog file in effect, read once: the `Tier` type and `bot.catalog` both start from it.

The newest `bot/data/catalog-YYYY-MM-DD.yaml` wins. Its `tiers:` mapping names the tiers, lowest first (the
order escalation climbs, whatever the prices); nothing in the code lists them again.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def newest_dated(prefix: str) -> tuple[str, Any]:
    """(file name, parsed YAML) of the newest dated `<prefix>-YYYY-MM-DD.yaml` in bot/data."""
    data_dir = resources.files("bot") / "data"
    names = sorted(p.name for p in data_dir.iterdir() if p.name.startswith(f"{prefix}-") and p.name.endswith(".yaml"))
    if not names:
        raise RuntimeError(f"no {prefix}-*.yaml in bot/data")
    return names[-1], yaml.load((data_dir / names[-1]).read_text(encoding="utf-8"), Loader=_Loader)


@lru_cache(maxsize=1)
def raw_catalog() -> tuple[str, dict[str, Any]]:
    """(file name, parsed YAML) of the newest dated catalog-YYYY-MM-DD.yaml in bot/data."""
    name, raw = newest_dated("catalog")
    if not isinstance(raw, dict) or not isinstance(raw.get("tiers"), dict) or not raw["tiers"]:
        raise RuntimeError(f"bot/data/{name}: `tiers:` must map each tier's name to its default model id")
    return name, raw


def tier_names() -> list[str]:
    """The catalog's tier names, lowest first."""
    return [str(name) for name in raw_catalog()[1]["tiers"]]
