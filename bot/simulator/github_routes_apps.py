"""FakeGitHub's apps: the App manifest flow (a one-time code becomes an App with its key and webhook secret) and
"Get an app" by slug."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.simulator.github_calls import Call, HTTPError, route
from bot.simulator.github_seed import _now
from bot.simulator.github_shapes import ACTIONS_APP_ID, app_json

if TYPE_CHECKING:
    from bot.simulator.github import FakeGitHub


@route("post", "/app-manifests/{code}/conversions", "apps/create-from-manifest")
def create_from_manifest(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    """Seed `f.manifest_codes[code] = manifest` (what the person confirmed on GitHub); each code works once.
    The App's OAuth client becomes the one the simulated sign-in (`/login/oauth/*`) accepts."""
    with f._lock:
        manifest = f.manifest_codes.pop(call.op.params["code"], None)
    if manifest is None:
        raise HTTPError(404, "Not Found")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption()).decode()
    app_id = f.next_id()
    slug = "-".join(str(manifest.get("name", "app")).lower().split())
    now = _now()
    client_id, client_secret = f"Iv1.{secrets.token_hex(8)}", secrets.token_hex(20)
    with f._lock:  # the new App's OAuth client signs people in from now on, back to its first callback URL
        f.oauth_client_id, f.oauth_client_secret = client_id, client_secret
        f.oauth_callback = (manifest.get("callback_urls") or [None])[0]
    return 201, {
        "id": app_id, "slug": slug, "node_id": f"A_{app_id}", "client_id": client_id,
        "owner": f.user("octocat"), "name": manifest.get("name", slug), "description": manifest.get("description", ""),
        "external_url": manifest.get("url", ""), "html_url": f"https://github.com/apps/{slug}",
        "created_at": now, "updated_at": now, "permissions": manifest.get("default_permissions", {}),
        "events": manifest.get("default_events", []), "client_secret": client_secret,
        "webhook_secret": secrets.token_hex(20), "pem": pem,
    }


@route("get", "/apps/{app_slug}", "apps/get-by-slug")
def get_by_slug(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    """The apps `app_json` names: the fake's App, GitHub Actions and `app-<id>`; any other slug is not shown (404)."""
    slug = call.op.params["app_slug"]
    known = {f.app_slug: f.app_id, "github-actions": ACTIONS_APP_ID}
    app_id = known.get(slug) or (int(slug[4:]) if slug.startswith("app-") and slug[4:].isdigit() else None)
    if not app_id:
        raise HTTPError(404, "Not Found")
    return 200, app_json(f, app_id)
