"""CLI conventions: --version, help that matches behaviour, a clear line when the App's extra is missing."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import bot
from bot.cli import build_parser, main


def test_version(capsys):
    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert capsys.readouterr().out.strip() == f"model-router {bot.__version__}"


def test_serve_threads_help_names_the_real_default():
    # read, not imported: importing the gunicorn config sets up multiprocess metrics for the whole test session
    conf = (Path(bot.__file__).parent / "app" / "gunicorn_conf.py").read_text()
    default = re.search(r'"GUNICORN_THREADS", "(\d+)"', conf).group(1)
    help_text = build_parser("serve")._subparsers._group_actions[0].choices["serve"].format_help()
    assert f"default {default};" in " ".join(help_text.split())


def test_service_commands_name_the_missing_extra(tmp_path):
    """Without SQLAlchemy (the App's extra), `report` says what to install: one line, exit 2, no traceback."""
    code = "import sys; sys.modules['sqlalchemy'] = None; from bot.cli import main; sys.exit(main(['report']))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == (
        "model-router: this command needs sqlalchemy, one of the App service's dependencies: "
        "pip install 'claude-tier-router[app]'"
    )


def _run(*argv: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *argv], input=stdin, capture_output=True, text=True, timeout=60)


def test_one_output_flag_across_subcommands(tmp_path):
    """`--json` / `--text` everywhere; `--format` stays as an alias; each command keeps its default."""
    import json

    issue = ["--title", "Fix typo in README", "--no-llm"]
    assert json.loads(_run("route", *issue).stdout)["tier"] == "haiku"  # route: JSON by default
    assert _run("route", *issue, "--json").stdout == _run("route", *issue, "--format", "json").stdout
    assert _run("route", *issue, "--text").stdout == _run("route", *issue, "--format", "text").stdout
    assert json.loads(_run("explain", *issue, "--json").stdout)
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"title": "Fix typo in README", "expected_tier": "haiku"}\n')
    assert json.loads(_run("eval", str(samples), "--json").stdout)
    assert not _run("eval", str(samples)).stdout.lstrip().startswith("{")
    bad = _run("route", *issue, "--json", "--text")
    assert bad.returncode == 2 and "not allowed with argument" in bad.stderr
