"""`model-router route | explain | eval`: the routing core on the command line (flags, JSON or JSON Lines)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Callable

from bot.cli import UsageError, add_output_flags
from bot.cli.route_input import decode, issue_from_args, load_config, open_input, read_jsonl
from bot.cli.route_output import as_json_line, as_text
from bot.config import CONFIG_PATH, RepoConfig
from bot.models import IssueInput, RoutingDecision
from bot.routing import explain, route


def add_parser(sub: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", help=f"repo config (default: ./{CONFIG_PATH} when present)")
    common.add_argument("--no-llm", action="store_true", help="never call the LLM classifier")

    issue = argparse.ArgumentParser(add_help=False)
    issue.add_argument("--title", help="issue title (without --title/--body/--label/--files: JSON on stdin)")
    issue.add_argument("--body", help="issue body")
    issue.add_argument("--label", action="append", default=None, metavar="NAME", help="label (repeatable)")
    issue.add_argument("--files", metavar="N", help="number of changed files, when known")

    p = sub.add_parser("route", parents=[common, issue], help="route one issue, or JSON Lines with --jsonl")
    p.add_argument("--jsonl", action="store_true", help='read JSON Lines ({"title","body","labels","files"}) '
                   "from stdin, write one decision per line")
    p.add_argument("--keep-going", action="store_true", help="with --jsonl: report a broken line and go on")
    add_output_flags(p, default="json")
    p.set_defaults(func=cmd_route)

    p = sub.add_parser("explain", parents=[common, issue], help="print the rule trace for one issue")
    add_output_flags(p, default="text")
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("eval", parents=[common], help="score labelled issues (expected_tier/expected_complexity), "
                       "or replay a stream of issues with per-tier outcomes (--replay)")
    p.add_argument("file", metavar="FILE.jsonl", nargs="?", help="JSON Lines with expected_tier and/or "
                   "expected_complexity; - for stdin")
    p.add_argument("--replay", metavar="FILE.jsonl", help='replay issues with {"outcomes": {tier: {"success", '
                   '"cost_usd"}}} in order: the learning router and the baselines, escalating on failure')
    add_output_flags(p, default="text")
    p.add_argument("--llm", action="store_true", help="also use the LLM classifier (off by default in eval)")
    p.add_argument("--keep-going", action="store_true", help="skip broken lines (reported on stderr)")
    p.set_defaults(func=cmd_eval)


# ---- the LLM shell ----------------------------------------------------------------------------------
def make_router(args: argparse.Namespace, config: RepoConfig) -> Callable[[IssueInput], RoutingDecision]:
    key = os.environ.get("ANTHROPIC_API_KEY")
    if args.no_llm or not key or not config.llm.enabled:
        return lambda issue: route(issue, config)
    from bot.classifier import route_with_llm
    from bot.llm import AnthropicLLM

    llm = AnthropicLLM(key, base_url=os.environ.get("ANTHROPIC_BASE_URL") or None)
    return lambda issue: route_with_llm(issue, config, llm)


def cmd_route(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    router = make_router(args, config)
    if not args.jsonl:
        decision = router(issue_from_args(args, config))
        print(as_text(decision) if args.format == "text" else as_json_line(decision))
        return 0
    if any(v is not None for v in (args.title, args.body, args.label, args.files)):
        raise UsageError("--jsonl reads stdin; do not combine it with --title/--body/--label/--files")
    out = sys.stdout
    batch: list[str] = []
    # One write per line costs a syscall each when PYTHONUNBUFFERED is set (as on CI runners): batch lines
    # unless a person is watching.
    batch_size = 1 if out.isatty() else 256
    errors = 0

    def emit(line: str) -> None:
        batch.append(line)
        if len(batch) >= batch_size:
            out.write("".join(batch))
            batch.clear()

    def on_error(number: int, message: str) -> None:
        nonlocal errors
        errors += 1
        out.write("".join(batch))
        batch.clear()
        out.flush()
        print(f"model-router: {message}", file=sys.stderr)
        emit(json.dumps({"line": number, "error": message}) + "\n")

    text = args.format == "text"
    append = batch.append
    try:
        for _, _, issue in read_jsonl(sys.stdin.buffer, config, args.keep_going, on_error):
            decision = router(issue)
            append(as_text(decision) + "\n\n" if text else as_json_line(decision, "\n"))
            if len(batch) >= batch_size:
                out.write("".join(batch))
                batch.clear()
    finally:
        out.write("".join(batch))
        out.flush()
    return 2 if errors else 0


def cmd_explain(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    decision = make_router(args, config)(issue_from_args(args, config))
    if args.format == "json":
        print(decision.model_dump_json(indent=2))
    else:
        print(explain(decision))
    return 0


def cmd_replay(args: argparse.Namespace, config: RepoConfig) -> int:
    from bot.routing.replay import Replay, parse_line, render

    replay = Replay(config)
    errors = 0
    stream = open_input(args.replay)
    try:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            where = f"line {number}"
            try:
                try:
                    obj = json.loads(decode(raw, where))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{where}: invalid JSON ({exc.msg}, column {exc.colno})") from None
                line = parse_line(obj, where)
            except (ValueError, UsageError) as exc:
                if not args.keep_going:
                    raise UsageError(f"{exc} (use --keep-going to skip broken lines)") from None
                errors += 1
                print(f"model-router: {exc}", file=sys.stderr)
                continue
            replay.add(line)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    if not replay.router.issues:
        raise UsageError(f"{args.replay}: no issues to replay")
    report = replay.report()
    report["skipped_lines"] = errors
    print(json.dumps(report, indent=2) if args.format == "json" else render(report))
    return 2 if errors else 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.routing.evaluate import Scorer, parse_expected, render_table

    config = load_config(args.config)
    if args.replay is not None:
        if args.file is not None:
            raise UsageError("give either FILE.jsonl (labelled issues) or --replay FILE.jsonl, not both")
        return cmd_replay(args, config)
    if args.file is None:
        raise UsageError("give FILE.jsonl (labelled issues) or --replay FILE.jsonl")
    args.no_llm = not args.llm
    router = make_router(args, config)
    scorer = Scorer(config)
    errors: list[str] = []

    def on_error(number: int, message: str) -> None:
        errors.append(message)
        print(f"model-router: {message}", file=sys.stderr)

    stream = open_input(args.file)
    try:
        for number, obj, issue in read_jsonl(stream, config, args.keep_going, on_error):
            try:
                expected_tier, expected_complexity = parse_expected(obj, f"line {number}")
            except ValueError as exc:
                if not args.keep_going:
                    raise UsageError(str(exc)) from None
                on_error(number, str(exc))
                continue
            scorer.add(router(issue), expected_tier, expected_complexity)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    if not scorer.total:
        raise UsageError(f"{args.file}: no labelled issues to score")
    report = scorer.report()
    report["skipped_lines"] = len(errors)
    print(json.dumps(report, indent=2) if args.format == "json" else render_table(report))
    return 2 if errors else 0
