"""`model-router action`: run the GitHub Action's logic from a workflow step or a shell."""

from __future__ import annotations


def add_parser(sub) -> None:
    from bot.action.cli import add_arguments, main

    p = sub.add_parser(
        "action",
        help="handle the current GitHub Actions event (reads GITHUB_* env and the event file)",
        description="Handle one GitHub Actions event like the App would: route issues, run slash-commands, "
        "gate security pull requests, record outcomes or report actual cost. Reads GITHUB_EVENT_NAME, "
        "GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_API_URL and INPUT_* variables; flags override them.",
    )
    add_arguments(p)
    p.set_defaults(func=main)
