"""GitHub-shaped JSON for FakeGitHub's state, and the lookups every endpoint handler shares."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from bot.simulator.github_calls import Call, HTTPError

if TYPE_CHECKING:
    from bot.simulator.github import FakeGitHub

R = "/repos/{owner}/{repo}"


def repo_json(f: FakeGitHub, r: dict) -> dict[str, Any]:
    return {
        "id": r["id"],
        "node_id": f"R_{r['id']}",
        "name": r["name"],
        "full_name": r["full_name"],
        "owner": f.user(r["owner"], "Organization"),
        "private": r["private"],
        "default_branch": r["default_branch"],
        "url": f.api("repos", r["full_name"]),
        "html_url": f"https://github.com/{r['full_name']}",
    }


ACTIONS_APP_ID = 15368  # GitHub Actions, the app behind most required checks


def app_json(f: FakeGitHub, app_id: int) -> dict[str, Any]:
    """The app (GitHub's `integration`) that reported a check run: the fake's own App, GitHub Actions or another."""
    slug = f.app_slug if app_id == f.app_id else "github-actions" if app_id == ACTIONS_APP_ID else f"app-{app_id}"
    return {"id": app_id, "slug": slug, "node_id": f"A_{app_id}", "owner": f.user("octo-org", "Organization"),
            "name": slug, "description": None, "external_url": f"https://{slug}.example.test",
            "html_url": f"https://github.com/apps/{slug}", "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z", "permissions": {"checks": "write", "metadata": "read"},
            "events": ["check_suite"]}


def label_json(f: FakeGitHub, r: dict, lab: dict) -> dict[str, Any]:
    return {**lab, "node_id": f"LA_{lab['id']}", "url": f.api("repos", r["full_name"], "labels", lab["name"])}


def issue_json(f: FakeGitHub, r: dict, i: dict) -> dict[str, Any]:
    url = f.api("repos", r["full_name"], "issues", i["number"])
    out = {
        "id": i["id"],
        "node_id": f"I_{i['id']}",
        "number": i["number"],
        "title": i["title"],
        "body": i["body"],
        "state": i["state"],
        "user": f.user(i["user"]),
        "labels": [label_json(f, r, r["labels"][n.lower()]) for n in i["labels"]],
        "comments": sum(1 for c in r["comments"].values() if c["issue_number"] == i["number"]),
        "url": url,
        "comments_url": f"{url}/comments",
        "labels_url": f"{url}/labels{{/name}}",
        "html_url": f"https://github.com/{r['full_name']}/issues/{i['number']}",
        "repository_url": f.api("repos", r["full_name"]),
        "created_at": i["created_at"],
        "updated_at": i.get("updated_at") or i["created_at"],
    }
    if i["pull"]:
        out["pull_request"] = {"url": f.api("repos", r["full_name"], "pulls", i["number"])}
    return out


def comment_json(f: FakeGitHub, r: dict, c: dict) -> dict[str, Any]:
    return {
        "id": c["id"],
        "node_id": f"IC_{c['id']}",
        "body": c["body"],
        "user": f.user(c["user"], c["user_type"]),
        "created_at": c["created_at"],
        "updated_at": c["updated_at"],
        "author_association": "NONE",
        "url": f.api("repos", r["full_name"], "issues", "comments", c["id"]),
        "html_url": f"https://github.com/{r['full_name']}/issues/{c['issue_number']}#issuecomment-{c['id']}",
        "issue_url": f.api("repos", r["full_name"], "issues", c["issue_number"]),
    }


def _head_repo(f: FakeGitHub, r: dict, full_name: str | None) -> dict[str, Any]:
    """The head branch's repository: this one, or a fork named by the seed's `head_repo`."""
    if not full_name or full_name.lower() == r["full_name"].lower():
        return repo_json(f, r)
    owner, name = full_name.split("/", 1)
    return {**repo_json(f, r), "full_name": full_name, "name": name, "owner": f.user(owner),
            "url": f.api("repos", full_name), "html_url": f"https://github.com/{full_name}"}


def pull_json(f: FakeGitHub, r: dict, i: dict) -> dict[str, Any]:
    p = i["pull"]
    return {
        **issue_json(f, r, i),
        "url": f.api("repos", r["full_name"], "pulls", i["number"]),
        "html_url": f"https://github.com/{r['full_name']}/pull/{i['number']}",
        "head": {"sha": p["head_sha"], "ref": p["head_ref"], "label": f"{r['owner']}:{p['head_ref']}",
                 "repo": _head_repo(f, r, p.get("head_repo"))},
        "changed_files": p.get("changed_files", len(p["files"])),
        "base": {"sha": "b" * 40, "ref": p["base"], "label": f"{r['owner']}:{p['base']}", "repo": repo_json(f, r)},
        "draft": False,
        "merged": bool(p.get("merged_at")),
        "merged_at": p.get("merged_at"),
    }


def file_json(f: FakeGitHub, r: dict, pf: dict) -> dict[str, Any]:
    sha = hashlib.sha1(pf["filename"].encode()).hexdigest()
    return {"sha": sha, "blob_url": "", "raw_url": "", "contents_url": "", **pf}


def get_issue(call: Call, key: str = "issue_number", pull: bool = False) -> dict:
    i = call.repo["issues"].get(int(call.op.params[key]))
    if i is None or (pull and not i["pull"]):
        raise HTTPError(404, "Not Found")
    return i


def get_comment(call: Call) -> dict:
    c = call.repo["comments"].get(int(call.op.params["comment_id"]))
    if c is None:
        raise HTTPError(404, "Not Found")
    return c


def need_actor(call: Call) -> dict:
    if call.actor is None:
        raise HTTPError(401, "Requires authentication")
    return call.actor
