"""Parse the runner's env into settings (flags may override it) and run the Action once."""

from __future__ import annotations

import sys
from typing import Any

from pydantic import ValidationError

from bot.action import io
from bot.action.runner import run
from bot.action.settings import MODES, ActionSettings, describe_error


def add_arguments(parser: Any) -> None:
    parser.add_argument("--mode", choices=MODES, help="override INPUT_MODE (default: auto, by event)")
    parser.add_argument("--dry-run", action="store_true", default=None, help="compute and print, write nothing")
    parser.add_argument("--event-name", help="override GITHUB_EVENT_NAME")
    parser.add_argument("--event-path", help="override GITHUB_EVENT_PATH (the webhook payload JSON)")
    parser.add_argument("--repo", help="override GITHUB_REPOSITORY (owner/name)")
    parser.add_argument("--issue-number", type=int, help="the issue for route/dispatch/report modes")
    parser.add_argument("--execution-file", help="claude-code-action's execution_file (report mode)")
    parser.add_argument("--config-path", help="override INPUT_CONFIG_PATH")


def settings_from(args: Any = None) -> ActionSettings:
    overrides = {}
    if args is not None:
        for name in ("mode", "dry_run", "event_name", "event_path", "issue_number", "execution_file", "config_path"):
            value = getattr(args, name, None)
            if value is not None:
                overrides[name] = value
        if getattr(args, "repo", None):
            overrides["repository"] = args.repo
    return ActionSettings(**overrides)


def main(args: Any = None) -> int:
    try:
        settings = settings_from(args)
    except ValidationError as exc:
        print(io.annotation("error", f"model-router action: {describe_error(exc)}"))
        return 1
    return run(settings).exit_code


if __name__ == "__main__":
    sys.exit(main())
