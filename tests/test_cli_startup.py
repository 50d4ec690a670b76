"""The one-shot `model-router route` stays a routing-core program: what it imports is pinned here.

Start-up time is a benchmark (benchmarks/bench_routing.py), not a timed test; what makes it slow is
importing what the path does not need, and that is checked exactly: the modules loaded after the command ran."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# Modules the one-shot path must never load: the LLM and GitHub clients, the store, the web stack.
HEAVY = {"anthropic", "httpx", "httpcore", "github", "requests", "sqlalchemy", "alembic", "flask", "werkzeug",
         "jinja2", "gunicorn", "redis", "psycopg", "prometheus_client", "ruamel", "orjson", "ssl", "asyncio",
         "sqlite3", "concurrent", "http"}
# The bot modules it may load: the command, the config, the models and the pure routing core, with its dated data
# (the catalog; since #22 item 4 the ladder priors too: an estimate is the ladder's expected cost at their ratios).
CORE = {"bot", "bot.catalog_file", "bot.cli", "bot.cli.route", "bot.cli.route_input", "bot.cli.route_output", "bot.config",
        "bot.config.errors", "bot.config.loading", "bot.config.schema", "bot.models", "bot.catalog", "bot.priors"}

PROBE = (
    "import json, sys\n"
    "from bot.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "sys.stdout.flush()\n"
    "print('\\nMODULES ' + json.dumps(sorted(sys.modules)))\n"
    "sys.exit(code)\n"
)


def _modules_after(args: list[str], tmp_path, **env: str) -> tuple[dict, set[str]]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], env={**base, **env}, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out, _, modules = proc.stdout.rpartition("\nMODULES ")
    return json.loads(out.splitlines()[0]), set(json.loads(modules))


@pytest.mark.parametrize("args, env", [
    (["route", "--title", "Fix typo in README"], {}),  # offline: no key
    (["route", "--title", "Fix typo in README", "--no-llm"], {"ANTHROPIC_API_KEY": "sk-ant-unused"}),
], ids=["no-key", "no-llm-with-key"])
def test_one_shot_route_imports_only_the_routing_core(tmp_path, args, env):
    decision, modules = _modules_after(args, tmp_path, **env)
    assert decision["tier"] == "haiku"  # it did route
    assert not {m.split(".")[0] for m in modules} & HEAVY
    bot = {m for m in modules if m == "bot" or m.startswith("bot.")}
    assert "bot.routing.engine" in bot  # the probe sees what the command loaded
    extra = {m for m in bot - CORE if not m.startswith("bot.routing")}
    assert not extra, f"the one-shot route path imports {sorted(extra)}"

