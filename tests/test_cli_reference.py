"""docs/cli.md is true: its table lists each subcommand's flags exactly; output flags work where it says;
a wrong flag names the subcommand's usage and every command; reading the job store never creates it."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| `([a-z ]+)` \|([^|]*)\|([^|]*)\|$", re.M)


def leaves(parser: argparse.ArgumentParser, name: str = ""):
    sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    if sub is None:
        flags = {o for a in parser._actions for o in a.option_strings if o.startswith("--") and o != "--help"}
        args = {a.metavar or a.dest for a in parser._actions if not a.option_strings}
        yield name, flags, args
        return
    for n, p in sub.choices.items():
        yield from leaves(p, f"{name} {n}".strip())


def _doc() -> dict[str, tuple[set[str], set[str]]]:
    text = (ROOT / "docs" / "cli.md").read_text()
    return {m.group(1): (set(re.findall(r"`(--[a-z-]+)`", m.group(3))), set(re.findall(r"`([^`]+)`", m.group(2))))
            for m in ROW.finditer(text)}


def test_docs_cli_lists_every_subcommand_with_exactly_its_flags():
    doc = _doc()
    commands = list(leaves(build_parser()))
    assert {c for c, _, _ in commands} == set(doc), "docs/cli.md's table and the parser list different commands"
    for name, flags, args in commands:
        assert doc[name][0] == flags, (name, flags ^ doc[name][0])
        assert doc[name][1] == args, (name, args, doc[name][1])


def _run(*argv: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *argv], capture_output=True, text=True, timeout=60,
                          cwd=cwd, env=env)


def _env(tmp_path: Path) -> dict:
    import os

    return {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}", "PYTHONPATH": str(ROOT)}


def test_report_takes_the_output_flags_docs_cli_promises(tmp_path):
    env = _env(tmp_path)
    text = _run("report", "--text", cwd=tmp_path, env=env)
    assert text.returncode == 0 and "no experiments store" in text.stdout
    as_json = _run("report", "--format", "json", cwd=tmp_path, env=env)
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["store"] == "missing"
    assert _run("report", "--json", cwd=tmp_path, env=env).stdout == as_json.stdout
    assert _run("report", "--format", "csv", cwd=tmp_path, env=env).stdout == _run("report", "--csv", cwd=tmp_path, env=env).stdout
    assert not (tmp_path / "none.db").exists()


@pytest.mark.parametrize("argv", [["report", "--bogus"], ["jobs", "list", "--bogus"], ["route", "--title", "x", "--nope"]])
def test_a_wrong_flag_prints_the_subcommands_usage_and_every_command(argv):
    proc = _run(*argv)
    assert proc.returncode == 2
    usage = proc.stderr.splitlines()[0]
    assert usage.startswith(f"usage: model-router {' '.join(a for a in argv if not a.startswith('-') and a != 'x')}")
    assert "unrecognized arguments: " + argv[-1] in proc.stderr
    listed = re.search(r"commands: (.+) \(model-router COMMAND --help\)", proc.stderr).group(1).split(", ")
    assert set(listed) == {"action", "app", "config", "db", "eval", "explain", "jobs", "report", "route", "serve", "worker"}


def test_a_bad_choice_in_a_nested_subcommand_names_that_subcommand():
    proc = _run("jobs", "list", "--status", "lost")
    assert proc.returncode == 2 and proc.stderr.startswith("usage: model-router jobs list") and "commands: " in proc.stderr


@pytest.mark.parametrize("argv", [["jobs", "list"], ["jobs", "show", "1"], ["db", "current"], ["db", "prune"]])
def test_reading_the_job_store_never_creates_it(tmp_path, argv):
    proc = _run(*argv, cwd=tmp_path, env=_env(tmp_path))
    assert proc.returncode == 2 and proc.stderr.startswith("model-router: no job store at ")
    assert "Traceback" not in proc.stderr and list(tmp_path.iterdir()) == []
