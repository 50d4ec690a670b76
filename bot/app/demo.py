"""The service half of `make demo`: offline GitHub simulator + gunicorn + signed real issue events."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import IO

EXAMPLES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "github" / "webhook-examples.json.gz"
REPO = "Codertocat/Hello-World"
ISSUES = [
    "Fix typo in the README installation section",
    "Design a plugin architecture for exporters",
    "Payment webhook accepts unsigned requests (security)",
]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(method: str, url: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def wait_for(predicate, timeout: float = 20.0, what: str = "condition", poll: float = 0.05):
    """Poll until `predicate()` is truthy and return it; TimeoutError naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    raise TimeoutError(f"timed out waiting for {what}")


def _examples(event: str, action: str) -> dict:
    with gzip.open(EXAMPLES, "rt", encoding="utf-8") as f:
        examples = {e["name"]: e["examples"] for e in json.load(f)}
    return next(e for e in examples[event] if e.get("action") == action)


def _keypair(tmp: Path) -> tuple[str, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = tmp / "app-public.pem"
    public.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return private, public


def run_service_demo(out: IO[str]) -> int:
    if not EXAMPLES.exists():
        print("\n(service demo skipped: tests/fixtures/github is not present in this installation)", file=out)
        return 0
    print("\nmodel-router demo, part 2: the App service (gunicorn + SQLite) against an offline GitHub simulator\n", file=out)
    with tempfile.TemporaryDirectory(prefix="model-router-demo-") as tmpdir:
        tmp = Path(tmpdir)
        private, public = _keypair(tmp)
        gh_port, app_port, secret = _port(), _port(), secrets.token_hex(16)
        seed = {"repos": [{"full_name": REPO, "installation_id": 1,
                           "issues": [{"number": n, "title": t, "body": "", "labels": ["bug"] if n == 1 else []}
                                      for n, t in enumerate(ISSUES, 1)]}]}
        (tmp / "seed.json").write_text(json.dumps(seed))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "ANTHROPIC_", "DATABASE_URL"))}
        env.update(GITHUB_APP_ID="1", GITHUB_APP_PRIVATE_KEY=private, GITHUB_WEBHOOK_SECRET=secret,
                   GITHUB_API_URL=f"http://127.0.0.1:{gh_port}", DATABASE_URL=f"sqlite:///{tmp / 'demo.db'}",
                   MODEL_ROUTER_JOB_POLL_SECONDS="0.1", MODEL_ROUTER_LOG_LEVEL="WARNING")
        procs = [
            subprocess.Popen([sys.executable, "-m", "bot.simulator.github", "--port", str(gh_port), "--seed",
                              str(tmp / "seed.json"), "--app-public-key", str(public)],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        ]
        try:
            gh = f"http://127.0.0.1:{gh_port}"
            wait_for(lambda: _http("GET", f"{gh}/_sim/state")[0] == 200, 30, "the GitHub simulator")
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "bot", "serve", "--bind", f"127.0.0.1:{app_port}", "--workers", "2"],
                env=env, stdout=subprocess.DEVNULL, stderr=(tmp / "service.log").open("w")))
            app = f"http://127.0.0.1:{app_port}"
            wait_for(lambda: _http("GET", f"{app}/readyz")[0] == 200, 60, "the service")
            print(f"GitHub simulator on {gh}, service on {app} (gunicorn, 2 workers, SQLite)", file=out)
            started = time.monotonic()
            for number, title in enumerate(ISSUES, 1):
                payload = _examples("issues", "opened")
                payload["issue"].update(number=number, title=title, body="")
                payload["installation"] = {"id": 1}
                body = json.dumps(payload).encode()
                sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
                status, _ = _http("POST", f"{app}/webhook", body, {
                    "X-GitHub-Event": "issues", "X-GitHub-Delivery": f"demo-{number}",
                    "X-Hub-Signature-256": sig, "Content-Type": "application/json"})
                print(f"  delivered issues.opened #{number} (real GitHub example payload, signed) -> HTTP {status}", file=out)

            def state() -> dict:
                return json.loads(_http("GET", f"{gh}/_sim/state")[1] or b"{}")

            def done():
                s = state()
                repo = (s.get("repos") or {}).get(REPO.lower()) or {}
                commented = {c["issue_number"] for c in (repo.get("comments") or {}).values()}
                return s if len(commented) == len(ISSUES) else None

            try:
                final = wait_for(done, 60, "the sticky comments")
            except TimeoutError:
                print((tmp / "service.log").read_text()[-3000:], file=out)
                raise
            print(f"  all {len(ISSUES)} issues labelled and commented {time.monotonic() - started:.1f} s after delivery\n", file=out)
            repo = final["repos"][REPO.lower()]
            for number in range(1, len(ISSUES) + 1):
                issue = repo["issues"][str(number)]
                print(f"#{number} {issue['title']}", file=out)
                print(f"  labels: {', '.join(issue['labels'])}", file=out)
                for c in (repo.get("comments") or {}).values():
                    if c["issue_number"] == number:
                        print(f"  comment by {c['user']}:", file=out)
                        for line in c["body"].splitlines():
                            if line.strip() and not line.startswith(("<!--", "<details", "</details", "|---")):
                                print(f"    {line}", file=out)
                print(file=out)
            if final.get("violations"):
                print(f"GitHub API violations: {final['violations']}", file=out)
                return 1
            print("Every GitHub request was checked against GitHub's OpenAPI description: no violations.", file=out)
            return 0
        finally:
            for p in reversed(procs):
                p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
