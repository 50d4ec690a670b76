"""`model-router jobs list|show|retry`: what the queue holds, why a job failed, and running it again."""

from __future__ import annotations

import json
import time

from bot.cli import UsageError, add_output_flags


def add_parser(sub) -> None:
    p = sub.add_parser("jobs", help="inspect and retry webhook jobs (DATABASE_URL)")
    jsub = p.add_subparsers(dest="jobs_command", required=True)
    ls = jsub.add_parser("list", help="newest jobs first")
    ls.add_argument("--failed", action="store_true", help="only failed jobs")
    ls.add_argument("--status", choices=("queued", "running", "done", "failed", "superseded"))
    ls.add_argument("--limit", type=int, default=50)
    add_output_flags(ls)  # JSON: one object per line
    ls.set_defaults(func=list_)
    sh = jsub.add_parser("show", help="one job, its payload and its last error")
    sh.add_argument("id", type=int)
    sh.set_defaults(func=show)
    rt = jsub.add_parser("retry", help="queue failed jobs again with fresh attempts")
    which = rt.add_mutually_exclusive_group(required=True)
    which.add_argument("id", type=int, nargs="?")
    which.add_argument("--all-failed", action="store_true")
    rt.set_defaults(func=retry)


def _queue():
    from bot.cli.db import engine_from_env
    from bot.store.tables import init_db
    from bot.store.jobs import JobQueue

    engine = engine_from_env(existing=True)  # never create an empty store just to list it
    init_db(engine)
    return JobQueue(engine)


def _age(seconds: float) -> str:
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"


def list_(args) -> int:
    from bot.store.job_admin import list_jobs

    queue = _queue()
    try:
        rows = list_jobs(queue, status="failed" if args.failed else args.status, limit=args.limit)
    finally:
        queue.engine.dispose()
    if args.format == "json":
        for row in rows:
            print(json.dumps(row, default=str))
        return 0
    now = time.time()
    print(f"{'ID':>6}  {'STATUS':<10} {'TRIES':>5}  {'AGE':>5}  {'EVENT':<28} {'SUBJECT':<32} LAST ERROR")
    for r in rows:
        event = f"{r['event']}.{r['action']}" if r["action"] else r["event"]
        error = (r["last_error"] or "").replace("\n", " ")[:80] if r["status"] != "done" else ""
        print(f"{r['id']:>6}  {r['status']:<10} {r['attempts']:>5}  {_age(now - r['created_at']):>5}  {event[:28]:<28} "
              f"{(r['subject'] or r['repo'] or '-')[:32]:<32} {error}")
    return 0


def show(args) -> int:
    from bot.store.job_admin import show as get

    queue = _queue()
    try:
        row = get(queue, args.id)
    finally:
        queue.engine.dispose()
    if row is None:
        raise UsageError(f"no job {args.id}")
    print(json.dumps(row, indent=2, default=str))
    return 0


def retry(args) -> int:
    from bot.store.job_admin import retry as requeue

    queue = _queue()
    try:
        n = requeue(queue, None if args.all_failed else args.id)
    finally:
        queue.engine.dispose()
    if n == 0 and not args.all_failed:
        raise UsageError(f"job {args.id} does not exist or has not failed")
    print(f"queued {n} job(s) again")
    return 0
