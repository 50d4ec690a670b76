"""`model-router config validate FILE` and `model-router config schema`: check a config file, print its JSON Schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.cli import UsageError, add_output_flags


def add_parser(sub) -> None:
    p = sub.add_parser("config", help="validate a .github/model-router.yml, or print its JSON Schema")
    cmds = p.add_subparsers(dest="config_command", required=True)
    v = cmds.add_parser("validate", help="check a config file: every problem with its line, exit 2 when invalid")
    v.add_argument("file", metavar="FILE", help="the file to check (- for stdin)")
    add_output_flags(v)
    v.set_defaults(func=validate)
    s = cmds.add_parser("schema", help="print the JSON Schema of the config file (generated from the model)")
    s.add_argument("--write", action="store_true", help="rewrite the copy shipped in bot/data/ instead")
    s.set_defaults(func=schema)


def validate(args) -> int:
    from bot.config.errors import ConfigError
    from bot.config.extends import EXTENDS_KEY
    from bot.config.loading import read_mapping
    from bot.config.loading import validate as check

    source = "<stdin>" if args.file == "-" else args.file
    try:
        text = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        raise UsageError(f"{source}: {exc.strerror or exc}") from None
    problems: list[str] = []
    extends = None
    try:
        data, root = read_mapping(text, source)
        extends = data.pop(EXTENDS_KEY, None)
        if data:
            check(data, root, source)
    except ConfigError as exc:
        problems = list(exc.problems) or [str(exc)]
    if args.format == "json":
        print(json.dumps({"file": source, "valid": not problems, "problems": problems, "extends": extends}))
    elif problems:
        print("\n".join(problems), file=sys.stderr)
    else:
        note = f" (extends {extends}: followed on GitHub, not here)" if extends else ""
        print(f"{source}: valid{note}")
    return 2 if problems else 0


def schema(args) -> int:
    from bot.config import jsonschema

    if args.write:
        print(f"wrote {jsonschema.write()}")
    else:
        sys.stdout.write(jsonschema.text())
    return 0
