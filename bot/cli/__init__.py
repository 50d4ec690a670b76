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


def add_output_flags(parser: argparse.ArgumentParser, default: str = "text", *, csv: bool = False) -> None:
    """The one output convention of every subcommand that prints a result: `--json` or `--text` (`report` also
    `--csv`); `--format json|text[|csv]` is an alias."""
    out = parser.add_mutually_exclusive_group()
    kinds = ["json", "text", *(["csv"] if csv else [])]
    for kind in kinds:
        out.add_argument(f"--{kind}", dest="format", action="store_const", const=kind,
                         help=f"print {kind.upper() if kind != 'text' else 'text'}" + (" (the default)" if default == kind else ""))
    out.add_argument("--format", dest="format", choices=kinds, help="the same as " + " / ".join(f"--{k}" for k in kinds))
    parser.set_defaults(format=default)


class Parser(argparse.ArgumentParser):
    """A usage error prints the usage of the (sub)command at fault, then every command there is."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\ncommands: {', '.join(commands())} "
                     "(model-router COMMAND --help)\n")


def commands() -> list[str]:
    """Every top-level command, from every module (only on the error path: it imports them all)."""
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(sub.choices)


def _leaf(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The innermost subcommand parser `args` went through (`jobs list`, `app create`, ...)."""
    while True:
        sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
        name = getattr(args, sub.dest, None) if sub is not None else None
        if sub is None or name not in sub.choices:
            return parser
        parser = sub.choices[name]


def needs_app_extra(module: str) -> str:
    return f"this command needs {module}, one of the App service's dependencies: pip install '{DISTRIBUTION}[app]'"


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = Parser(
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
    args, extra = parser.parse_known_args(argv)
    if extra:  # argparse would blame the top level; the subcommand whose flags these are not says so
        _leaf(parser, args).error(f"unrecognized arguments: {' '.join(extra)}")
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
