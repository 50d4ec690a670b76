"""The command table in docs/commands.md is generated from the registry and must be current."""

from bot.commands import load_all
from bot.commands.readme import DOC, main, render


def test_readme_table_is_current():
    text = DOC.read_text(encoding="utf-8")
    assert render(text) == text, "docs/commands.md command table is stale: run `python -m bot.commands.readme`"


def test_every_command_declares_help_and_is_in_the_table():
    text = DOC.read_text(encoding="utf-8")
    for name, cmd in load_all().items():
        assert cmd.usage.startswith("/" + name) and cmd.description and cmd.examples, name
        assert f"`{cmd.usage.replace('|', chr(92) + '|')}`" in text, name


def test_mission_commands_registered():
    assert {"route", "model", "complexity", "cost", "why", "dispatch", "review", "plan", "help"} <= set(load_all())


def test_main_rewrites_a_stale_copy(tmp_path):
    copy = tmp_path / "README.md"
    copy.write_text("x\n<!-- commands-table -->\nold\n<!-- /commands-table -->\ny\n")
    assert main([str(copy)]) == 0
    assert "old" not in copy.read_text() and "`/dispatch [haiku" in copy.read_text()
    (tmp_path / "bare.md").write_text("nothing here")
    assert main([str(tmp_path / "bare.md")]) == 2
