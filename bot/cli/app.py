"""`model-router app create`: register the GitHub App from its manifest (app.yml) in one step."""

from __future__ import annotations

import os
import sys
import webbrowser
from pathlib import Path

from bot.cli import UsageError


def add_parser(sub) -> None:
    p = sub.add_parser("app", help="set up the GitHub App")
    cmds = p.add_subparsers(dest="app_command", required=True)
    c = cmds.add_parser(
        "create",
        help="register the App on GitHub from app.yml (GitHub's manifest flow) and save its credentials",
        description="Serves a page on 127.0.0.1 that sends app.yml (permissions, events) to GitHub; after you "
        "confirm there, saves the App's id, private key, webhook secret and OAuth client (the dashboard's "
        "sign-in) to files only you can read.",
    )
    c.add_argument("--webhook-url", required=True,
                   help="where GitHub delivers webhooks: https://HOST/webhook, or a relay such as a smee.io channel")
    c.add_argument("--public-url", help="the service's address for the dashboard's sign-in callback (default: the "
                   "webhook URL without /webhook; for a relay, http://127.0.0.1:8000)")
    c.add_argument("--org", help="create the App in this organisation (default: your personal account)")
    c.add_argument("--name", help="the App's name (default: app.yml's; names are unique on GitHub)")
    c.add_argument("--out", type=Path, default=Path("."), help="directory for model-router.env and the key (default .)")
    c.add_argument("--port", type=int, default=0, help="local port for the page (default: any free port)")
    c.add_argument("--github-url", default="https://github.com", help="GitHub (Enterprise Server: https://HOST)")
    c.add_argument("--no-browser", action="store_true", help="print the page's address instead of opening it")
    c.add_argument("--timeout", type=float, default=900, help="seconds to wait for GitHub (default 900)")
    c.set_defaults(func=create)


def create(args) -> int:
    from bot.github.manifest import ManifestFlow

    if not args.webhook_url.startswith(("https://", "http://")):
        raise UsageError(f"--webhook-url must be an http(s) URL, got {args.webhook_url!r}")
    api_url = os.environ.get("GITHUB_API_URL") or "https://api.github.com"
    if args.public_url is not None and not args.public_url.startswith(("https://", "http://")):
        raise UsageError(f"--public-url must be an http(s) URL, got {args.public_url!r}")
    with ManifestFlow(webhook_url=args.webhook_url, out_dir=args.out, github_url=args.github_url, api_url=api_url,
                      org=args.org, name=args.name, public_url=args.public_url, port=args.port) as flow:
        print(f"Open {flow.url} to create the GitHub App (it sends app.yml to {args.github_url}).", flush=True)
        if not args.no_browser:
            webbrowser.open(flow.url)
        if not flow.done.wait(args.timeout):
            raise UsageError(f"no answer from GitHub within {args.timeout:.0f} s; run `model-router app create` again")
    if flow.created is None:
        raise UsageError(flow.error or "the App was not created")
    app = flow.created
    print(f"Created the GitHub App {app.name!r} (id {app.id}): {app.html_url}")
    print(f"Credentials: {app.env_file} and {app.key_file} (readable only by you; never commit them).")
    print("Next:")
    print(f"  1. Install it on your repositories: {app.html_url}/installations/new")
    print(f"  2. Run the service: set -a; . {app.env_file}; set +a; model-router serve")
    print(f"     The dashboard, with GitHub sign-in: {flow.public_url}/dashboard/")
    print("  3. Let the App start executor runs: in each repository using the executor workflow,")
    print(f"     gh variable set MODEL_ROUTER_BOT --body '{app.bot_login}' --repo your-org/your-repo")
    sys.stdout.flush()
    return 0
