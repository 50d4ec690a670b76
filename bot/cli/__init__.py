"""The `model-router` command line: subcommands live one per module in this package.

The one sanctioned place for in-function imports: a subcommand imports what it needs (the store, the
App runtime, the Anthropic SDK) inside the function that runs it, so `model-router --help` and `route`
start fast."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys


from bot import DISTRIBUTION, __version__

# The App service's dependencies (the `app` extra): the Action and `pip install claude-tier-router` do without them.
APP_EXTRA = frozenset({"flask", "werkzeug", "gunicorn", "orjson", "sqlalchemy", "alembic", "redis",
                       "psycopg"})


class UsageError(Exception):
    """Bad input: printed as one line, exit status 2."""


def add_output_flags(parser: argparse.ArgumentParser, default: str = "text") -> None:
    """The one output convention of every subcommand: `--json` or `--text`; `--format json|text` is an alias."""
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", dest="format", action="store_const", const="json", help="print JSON"
                     + (" (the default)" if default == "json" else ""))
    out.add_argument("--text", dest="format", action="store_const", const="text", help="print text"
                     + (" (the default)" if default == "text" else ""))
    out.add_argument("--format", dest="format", choices=["json", "text"], help="the same as --json / --text")
    parser.set_defaults(format=default)


def needs_app_extra(module: str) -> str:
    return f"this command needs {module}, one of the App service's dependencies: pip install '{DISTRIBUTION}[app]'"


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="model-router",
        description="Route GitHub work to the cheapest Claude tier that can do it well: Sonnet plans, Haiku executes, Opus reviews.",
    )
    parser.add_argument("--version", action="version", version=f"model-router {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    # Every module in bot.cli with an `add_parser(sub)` contributes subcommands;
    # each sets `func` (args -> exit code) as a default.
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if only is not None and mod.name != only:
            continue
        module = importlib.import_module(f"{__name__}.{mod.name}")
        add = getattr(module, "add_parser", None)
        if add is not None:
            add(sub)
        elif only is not None:  # a helper module (route_input, ...) named as a command: the full list says no
            return build_parser()
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Start-up time: a subcommand named after its module imports only that module.
    names = {m.name for m in pkgutil.iter_modules(__path__)}
    parser = build_parser(argv[0] if argv and argv[0] in names else None)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"model-router: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in APP_EXTRA:
            raise
        print(f"model-router: {needs_app_extra(exc.name.split('.')[0])}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
