"""The slash-command parser: line-anchored, case-insensitive, never inside code, quotes or HTML comments."""

import pytest

from bot.commands.parser import MAX_COMMANDS, parse

KNOWN = ["route", "model", "complexity", "cost", "why", "dispatch", "plan", "help", "review"]


def names(body):
    return [(i.name, i.args) for i in parse(body, KNOWN)]


def test_several_commands_case_insensitive():
    assert names("Thanks!\n/MODEL Sonnet\n/Dispatch\n") == [("model", ["Sonnet"]), ("dispatch", [])]


def test_line_anchored_only():
    assert names("please run /dispatch now") == []
    assert names("   /dispatch") == [("dispatch", [])]  # up to three spaces is still a paragraph


@pytest.mark.parametrize(
    "body",
    [
        "```\n/dispatch\n```",
        "~~~~sh\n/dispatch\n~~~~",
        "```\n/dispatch",  # an unclosed fence runs to the end of the comment
        "para\n\n    /dispatch",
        "\t/dispatch",
        "> /dispatch",
        ">> /dispatch",
        "  > /dispatch opus",
        "<!-- /dispatch -->",
        "<!--\n/dispatch\n-->",
        "<!-- never closed\n/dispatch",
        "`/dispatch`",
        "/etc/passwd is world readable",
        "/assign @me",
    ],
)
def test_ignored(body):
    assert names(body) == []


def test_longer_closing_fence_closes():
    assert names("```\ntext\n````\n/dispatch\n") == [("dispatch", [])]
    assert names("````\n```\n/dispatch\n````") == []  # a shorter fence does not close a longer one


def test_fenced_block_then_command():
    assert names("```\n/route\n```\n/why") == [("why", [])]


def test_inline_code_args_dropped_but_line_quoted_raw():
    [inv] = parse("/model `opus`", KNOWN)
    assert inv.args == [] and inv.line == "/model `opus`"


def test_long_form():
    assert names("/model-router dispatch opus") == [("dispatch", ["opus"])]
    assert names("/Model-Router /why") == [("why", [])]
    assert names("/model-router") == [("help", [])]
    assert names("/model-router frobnicate") == [("frobnicate", [])]  # reported as not understood


def test_duplicates_collapsed_and_capped():
    assert names("/why\n/why") == [("why", [])]
    body = "\n".join(f"/model-router x{i}" for i in range(50))
    assert len(parse(body, KNOWN)) == MAX_COMMANDS


def test_crlf_and_empty():
    assert names("/route\r\n/why\r\n") == [("route", []), ("why", [])]
    assert names("") == [] and parse(None) == []


def test_unknown_short_form_without_registry_is_kept():
    assert [i.name for i in parse("/anything")] == ["anything"]
