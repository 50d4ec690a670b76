"""CPU per request of the acknowledgement in one thread, without gunicorn: where the door's cost is.

    .venv/bin/python benchmarks/ack_profile.py [--requests N] [--sqlite-synchronous FULL|NORMAL] [--profile]

Calls the WSGI apps directly (no sockets, no threads) with distinct signed `issues.opened` deliveries (12 kB)
and prints the thread CPU time per request of: the bare Flask app answering 204, the service with its store
stubbed out (every delivery answered as queued, nothing written), and the service with its SQLite store (a
temp file, one commit per request: no other request to share it). Thread CPU is what the machine's noise
skews least, so two runs agree to a few per cent where wrk's rates move by tens. `--profile` adds cProfile's
top functions of the service with its store. What it leaves out — gunicorn, the sockets, the threads' hand-offs
and the commit shared by a batch — is what `bench_webhook.py --ack-only` measures.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import hmac
import io
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="ack-profile-metrics-"))

from bot.simulator.local import example, keypair  # noqa: E402

SECRET = b"bench-secret"


class _KeepsNothing:
    """The queue's intake port answering every delivery as new: the door's cost without the store's."""

    def enqueue(self, *_args, **_kwargs) -> bool:
        return True


def deliveries(count: int) -> list[dict]:
    ex = example("issues", "opened")
    template = json.dumps(dict(ex, issue=dict(ex["issue"], number=987654321), installation={"id": 1})).encode()
    out = []
    for i in range(count):
        body = template.replace(b"987654321", str(10_000_000 + i).encode(), 1)
        out.append({"REQUEST_METHOD": "POST", "PATH_INFO": "/webhook", "SERVER_NAME": "bench", "SERVER_PORT": "80",
                    "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "CONTENT_TYPE": "application/json",
                    "CONTENT_LENGTH": str(len(body)), "wsgi.input": body, "wsgi.errors": sys.stderr,
                    "HTTP_X_GITHUB_EVENT": "issues", "HTTP_X_GITHUB_DELIVERY": f"profile-{i}",
                    "HTTP_X_HUB_SIGNATURE_256": "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest(),
                    "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False})
    return out


def cpu_per_request(app, environs: list[dict], expect: str) -> float:
    """Microseconds of this thread's CPU per request; every answer must start with `expect`."""
    statuses = []

    def start_response(status, _headers, _exc=None):
        statuses.append(status)

    start = time.thread_time()
    for env in environs:
        answer = app(dict(env, **{"wsgi.input": io.BytesIO(env["wsgi.input"])}), start_response)
        b"".join(answer)
        getattr(answer, "close", lambda: None)()
    spent = time.thread_time() - start
    if not all(s.startswith(expect) for s in statuses):
        raise SystemExit(f"unexpected answers: {sorted(set(statuses))}")
    return spent / len(environs) * 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--sqlite-synchronous", choices=("FULL", "NORMAL"), default="FULL")
    ap.add_argument("--profile", action="store_true", help="cProfile's top 20 functions of the service with its store")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ack-profile-"))
    private, _public = keypair(tmp)
    os.environ.update(GITHUB_APP_ID="1", GITHUB_APP_PRIVATE_KEY=private, GITHUB_WEBHOOK_SECRET=SECRET.decode(),
                      GITHUB_API_URL="http://127.0.0.1:9", MODEL_ROUTER_LOG_LEVEL="WARNING",
                      MODEL_ROUTER_WORKER_THREADS="0", MODEL_ROUTER_SQLITE_SYNCHRONOUS=a.sqlite_synchronous,
                      DATABASE_URL=f"sqlite:///{tmp / 'ack.db'}")
    from flask import Flask

    from bot.app import create_app

    bare = Flask("bare")
    bare.post("/webhook")(lambda: ("", 204))
    service, stubbed = create_app(), create_app()
    stubbed.extensions["model_router"].runtime.queue = _KeepsNothing()
    envs, warm = deliveries(a.requests + 200), 200
    third = a.requests // 3
    cpu_per_request(stubbed, envs[:warm], "202")
    cpu_per_request(service, envs[:warm], "202")
    print(f"Thread CPU per request, one thread, no gunicorn ({a.requests} distinct 12 kB deliveries; SQLite "
          f"{a.sqlite_synchronous}, a commit per request)")
    print(f"  bare Flask 204: {cpu_per_request(bare, envs[:third], '204'):.0f} us")
    print(f"  service, store stubbed: {cpu_per_request(stubbed, envs[warm:], '202'):.0f} us")
    rest = envs[warm:]
    if a.profile:
        prof = cProfile.Profile()
        prof.enable()
    print(f"  service with its store: {cpu_per_request(service, rest, '202'):.0f} us")
    if a.profile:
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
