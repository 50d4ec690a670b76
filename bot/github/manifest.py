"""Register the App in one step with GitHub's manifest flow, and keep its credentials out of every log.

1. A page on 127.0.0.1 posts the manifest (app.yml + the webhook URL) to GitHub's "new App" form.
2. The person confirms on GitHub, which redirects back with a temporary code (and our `state`).
3. `POST /app-manifests/{code}/conversions` turns the code into the App's id, slug, key, webhook secret and
   OAuth client id/secret (the dashboard's sign-in, whose callback the manifest registered).
4. They are written to files readable only by their owner; only the App's name, id and paths are printed.
"""

from __future__ import annotations

import html
import json
import os
import secrets
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import parse_qs, quote, urlsplit, urlunsplit
from urllib.request import Request, urlopen

import yaml


LOCAL_SERVICE = "http://127.0.0.1:8000"  # `model-router serve` on this machine
CALLBACK_PATH = "/dashboard/oauth/callback"  # bot/app/dashboard: where GitHub's sign-in comes back


class ManifestError(Exception):
    """The flow could not finish; the message is safe to print."""


@dataclass(frozen=True)
class CreatedApp:
    id: int
    slug: str
    name: str
    html_url: str
    env_file: Path
    key_file: Path

    @property
    def bot_login(self) -> str:
        """The App's bot user: what the executor workflow's `allowed_bots` must name (MODEL_ROUTER_BOT)."""
        return f"{self.slug}[bot]"


def public_url_for(webhook_url: str) -> str:
    """The service's own address: the webhook URL without `/webhook`; a relay's (smee.io) is not ours, so local."""
    parts = urlsplit(webhook_url)
    if not parts.path.rstrip("/").endswith("/webhook"):
        return LOCAL_SERVICE
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/")[: -len("/webhook")], "", ""))


def load_manifest(webhook_url: str, redirect_url: str, *, name: str | None = None, url: str | None = None,
                  public_url: str | None = None) -> dict:
    """app.yml with the URLs of this installation filled in."""
    manifest = yaml.safe_load((resources.files("bot") / "data" / "app.yml").read_text(encoding="utf-8"))
    manifest["hook_attributes"] = {**manifest.get("hook_attributes", {}), "url": webhook_url}
    manifest["redirect_url"] = redirect_url
    manifest["callback_urls"] = [(public_url or public_url_for(webhook_url)).rstrip("/") + CALLBACK_PATH]
    if name:
        manifest["name"] = name
    if url:
        manifest["url"] = url
    return manifest


def new_app_url(github_url: str, state: str, org: str | None = None) -> str:
    base = github_url.rstrip("/")
    where = f"/organizations/{quote(org, safe='')}/settings/apps/new" if org else "/settings/apps/new"
    return f"{base}{where}?state={quote(state, safe='')}"


def form_page(manifest: dict, action: str) -> str:
    """The page that hands the manifest to GitHub (GitHub requires a POSTed form field named `manifest`)."""
    value = html.escape(json.dumps(manifest), quote=True)
    return (
        "<!doctype html><meta charset=utf-8><title>Create the model-router GitHub App</title>"
        f'<form id=f method=post action="{html.escape(action, quote=True)}">'
        f'<input type=hidden name=manifest value="{value}">'
        f"<p>Registering <b>{html.escape(manifest['name'])}</b> on GitHub…</p>"
        "<button type=submit>Create the GitHub App</button></form>"
        "<script>document.getElementById('f').submit()</script>"
    )


def convert(api_url: str, code: str, *, timeout: float = 30.0) -> dict[str, Any]:
    """Exchange the temporary code for the App's credentials (no authentication: the code is the proof)."""
    req = Request(
        f"{api_url.rstrip('/')}/app-manifests/{quote(code, safe='')}/conversions",
        method="POST",
        headers={"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
                 "User-Agent": "model-router"},
    )
    try:
        with urlopen(req, timeout=timeout) as resp:
            data = json.load(resp)
    except HTTPError as exc:
        raise ManifestError(f"GitHub refused the code ({exc.code}): start again, a code is valid for one hour and one use") from None
    except (URLError, OSError, ValueError) as exc:
        raise ManifestError(f"could not reach {api_url}: {exc}") from None
    missing = [k for k in ("id", "slug", "pem", "webhook_secret", "client_id", "client_secret") if not data.get(k)]
    if missing:
        raise ManifestError(f"GitHub's answer lacks {', '.join(missing)}")
    return data


def _private(path: Path, text: str) -> None:
    """Write a secret readable by its owner only (created 0600, never briefly world-readable)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, 0o600)


def save(data: dict[str, Any], out_dir: Path, api_url: str, *, public_url: str = LOCAL_SERVICE,
         github_url: str = "https://github.com") -> CreatedApp:
    """The key as a PEM file and an env file for `model-router serve`: GITHUB_APP_*, the webhook secret, the bot,
    and the dashboard's sign-in (the OAuth client, the public address its callback was registered at)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    slug = str(data["slug"])
    key_file = (out_dir / f"{slug}.private-key.pem").resolve()
    env_file = (out_dir / "model-router.env").resolve()
    _private(key_file, data["pem"])
    lines = [
        "# model-router App credentials (created by `model-router app create`); keep this file private.",
        f"GITHUB_APP_ID={int(data['id'])}",
        f"GITHUB_APP_PRIVATE_KEY_PATH={key_file}",
        f"GITHUB_WEBHOOK_SECRET={data['webhook_secret']}",
        f"MODEL_ROUTER_BOT={slug}[bot]",
        f"GITHUB_CLIENT_ID={data['client_id']}",
        f"GITHUB_CLIENT_SECRET={data['client_secret']}",
        f"MODEL_ROUTER_PUBLIC_URL={public_url.rstrip('/')}",
    ]
    if api_url.rstrip("/") != "https://api.github.com":
        lines.append(f"GITHUB_API_URL={api_url.rstrip('/')}")
    if github_url.rstrip("/") != "https://github.com":
        lines.append(f"MODEL_ROUTER_GITHUB_WEB_URL={github_url.rstrip('/')}")
    _private(env_file, "\n".join(lines) + "\n")
    return CreatedApp(int(data["id"]), slug, str(data.get("name") or slug), str(data.get("html_url") or ""), env_file, key_file)


class ManifestFlow:
    """The local half of the flow: serves the form, receives GitHub's redirect, saves the credentials once."""

    def __init__(self, *, webhook_url: str, out_dir: Path, github_url: str = "https://github.com",
                 api_url: str = "https://api.github.com", org: str | None = None, name: str | None = None,
                 public_url: str | None = None, host: str = "127.0.0.1", port: int = 0):
        self.state = secrets.token_urlsafe(24)
        self.out_dir, self.api_url, self.github_url, self.org = out_dir, api_url, github_url, org
        self.webhook_url, self.name = webhook_url, name
        self.public_url = (public_url or public_url_for(webhook_url)).rstrip("/")
        self.done = threading.Event()
        self.created: CreatedApp | None = None
        self.error: str | None = None
        flow = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                flow._get(self)

            def log_message(self, *args: Any) -> None:  # the redirect's query holds the one-time code
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def manifest(self) -> dict:
        return load_manifest(self.webhook_url, self.url + "callback", name=self.name, public_url=self.public_url)

    def _get(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        if parts.path == "/":
            page = form_page(self.manifest(), new_app_url(self.github_url, self.state, self.org))
            return self._answer(h, 200, page)
        if parts.path != "/callback":
            return self._answer(h, 404, "not found")
        query = parse_qs(parts.query)
        code, state = (query.get("code") or [""])[0], (query.get("state") or [""])[0]
        if not code or not secrets.compare_digest(state.encode(), self.state.encode()):
            return self._answer(h, 400, "This link does not belong to this `model-router app create` run.")
        if self.created is not None:
            return self._answer(h, 200, f"The App {html.escape(self.created.name)} was created already.")
        try:
            self.created = save(convert(self.api_url, code), self.out_dir, self.api_url, public_url=self.public_url,
                                github_url=self.github_url)
        except ManifestError as exc:
            self.error = str(exc)
        self.done.set()  # before answering: whoever waits sees the outcome as soon as the browser does
        if self.created is None:
            return self._answer(h, 502, html.escape(self.error or "failed"))
        self._answer(h, 200, f"Created the GitHub App <b>{html.escape(self.created.name)}</b>. "
                             "Return to the terminal for the next steps; you may close this tab.")

    @staticmethod
    def _answer(h: BaseHTTPRequestHandler, status: int, body: str) -> None:
        data = f"<!doctype html><meta charset=utf-8><p>{body}</p>".encode()
        h.send_response(status)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        h.send_header("Cache-Control", "no-store")
        h.end_headers()
        h.wfile.write(data)

    def __enter__(self) -> ManifestFlow:
        threading.Thread(target=self.server.serve_forever, name="manifest-flow", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
