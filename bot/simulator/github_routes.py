"""FakeGitHub's endpoint handlers for the App, repositories, labels, issues and comments, keyed by operationId."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from bot.simulator.github_calls import ROLE_TO_PERMISSION, Call, HTTPError, _b64, route
from bot.simulator.github_seed import _now
from bot.simulator.github_shapes import R, comment_json, get_comment, get_issue, issue_json, label_json, need_actor, repo_json

if TYPE_CHECKING:
    from bot.simulator.github import FakeGitHub


# ---- App ------------------------------------------------------------------------------------------
@route("get", "/app", "apps/get-authenticated")
def get_app(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    return 200, {
        "id": f.app_id,
        "slug": f.app_slug,
        "node_id": f"A_{f.app_id}",
        "name": f.app_slug,
        "owner": f.user("octo-org", "Organization"),
        "permissions": {"issues": "write", "metadata": "read"},
        "events": ["issues", "issue_comment"],
    }


@route("post", "/app/installations/{installation_id}/access_tokens", "apps/create-installation-access-token")
def create_token(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    inst = int(call.op.params["installation_id"])
    if inst not in f.installations:
        raise HTTPError(404, "Not Found")
    token = "ghs_" + secrets.token_urlsafe(27)
    expires = time.time() + f.token_ttl
    f.tokens[token] = {"installation_id": inst, "expires": expires}
    stamp = datetime.fromtimestamp(expires, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return 201, {"token": token, "expires_at": stamp, "permissions": {"issues": "write"}, "repository_selection": "all"}


@route("get", "/installation/repositories", "apps/list-repos-accessible-to-installation")
def installation_repos(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    info = f.tokens.get(call.token or "")
    if info is None:
        raise HTTPError(403, "This endpoint requires an installation access token")
    repos = [repo_json(f, f.repos[k]) for k in f.installations[info["installation_id"]]["repos"]]
    page = f.paginate(call, "/installation/repositories", repos)
    return 200, {"total_count": len(repos), "repositories": page, "repository_selection": "all"}


@route("get", R + "/installation", "apps/get-repo-installation")
def repo_installation(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    inst = call.repo["installation_id"]
    if inst is None:
        raise HTTPError(404, "Not Found")
    return 200, {"id": inst, "app_id": f.app_id, "app_slug": f.app_slug, "account": f.user(call.repo["owner"])}


# ---- repository and contents ----------------------------------------------------------------------
@route("get", R, "repos/get")
def get_repo(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    return 200, repo_json(f, call.repo)


@route("get", R + "/contents/{path}", "repos/get-content")
def get_content(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r, path = call.repo, call.op.params["path"].strip("/")
    ref = call.query.get("ref") or r["default_branch"]
    files = r["files"].get(ref, {})
    base = {"url": f.api("repos", r["full_name"], "contents", path) + f"?ref={ref}", "html_url": "", "git_url": ""}
    if path in files:
        data = files[path]
        return 200, {
            **base,
            "type": "file",
            "encoding": "base64",
            "size": len(data),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "content": _b64(data),
            "sha": hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest(),
            "download_url": None,
        }
    children = sorted({p[len(path) + 1 :].split("/")[0] for p in files if p.startswith(path + "/")})
    if not children:
        raise HTTPError(404, "Not Found")
    return 200, [
        {**base, "type": "file" if f"{path}/{c}" in files else "dir", "name": c, "path": f"{path}/{c}", "sha": "0" * 40}
        for c in children
    ]


@route("get", R + "/collaborators/{username}/permission", "repos/get-collaborator-permission-level")
def get_permission(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    user = call.op.params["username"]
    role = call.repo["permissions"].get(user.lower(), "none")
    return 200, {"permission": ROLE_TO_PERMISSION.get(role, "none"), "role_name": role, "user": f.user(user)}


# ---- labels ---------------------------------------------------------------------------------------
@route("get", R + "/labels", "issues/list-labels-for-repo")
def list_labels(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r = call.repo
    items = [label_json(f, r, lab) for lab in r["labels"].values()]
    return 200, f.paginate(call, f"/repos/{r['full_name']}/labels", items)


@route("post", R + "/labels", "issues/create-label")
def create_label(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r, body = call.repo, call.json
    need_actor(call)
    if body["name"].lower() in r["labels"]:
        raise HTTPError(422, "Validation Failed", errors=[{"resource": "Label", "code": "already_exists", "field": "name"}])
    lab = f.add_label(r["full_name"], body["name"], body.get("color", "ededed"), body.get("description"))
    return 201, label_json(f, r, lab)


@route("get", R + "/labels/{name}", "issues/get-label")
def get_label(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    lab = call.repo["labels"].get(call.op.params["name"].lower())
    if lab is None:
        raise HTTPError(404, "Not Found")
    return 200, label_json(f, call.repo, lab)


@route("patch", R + "/labels/{name}", "issues/update-label")
def update_label(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r = call.repo
    lab = r["labels"].pop(call.op.params["name"].lower(), None)
    if lab is None:
        raise HTTPError(404, "Not Found")
    body = call.json or {}
    lab.update({"name": body.get("new_name", lab["name"])}, **{k: body[k] for k in ("color", "description") if k in body})
    r["labels"][lab["name"].lower()] = lab
    return 200, label_json(f, r, lab)


@route("get", R + "/issues/{issue_number}/labels", "issues/list-labels-on-issue")
def issue_labels(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r, i = call.repo, get_issue(call)
    items = [label_json(f, r, r["labels"][n.lower()]) for n in i["labels"]]
    return 200, f.paginate(call, f"/repos/{r['full_name']}/issues/{i['number']}/labels", items)


def _label_names(body: Any) -> list[tuple[str, dict]]:
    items = body.get("labels", []) if isinstance(body, dict) else body or []
    return [(x, {}) if isinstance(x, str) else (x["name"], x) for x in items]


@route("post", R + "/issues/{issue_number}/labels", "issues/add-labels")
def add_labels(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r, i = call.repo, get_issue(call)
    need_actor(call)
    for name, extra in _label_names(call.json):
        lab = r["labels"].get(name.lower()) or f.add_label(r["full_name"], name)  # GitHub creates missing labels
        if lab["name"] not in i["labels"]:
            i["labels"].append(lab["name"])
        if extra:
            i.setdefault("label_details", {})[lab["name"]] = {k: v for k, v in extra.items() if k != "name"}
    i["updated_at"] = _now()
    return 200, [label_json(f, r, r["labels"][n.lower()]) for n in i["labels"]]


@route("put", R + "/issues/{issue_number}/labels", "issues/set-labels")
def set_labels(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    get_issue(call)["labels"] = []
    return add_labels(f, call)


@route("delete", R + "/issues/{issue_number}/labels/{name}", "issues/remove-label")
def remove_label(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r, i = call.repo, get_issue(call)
    need_actor(call)
    name = call.op.params["name"].lower()
    if name not in [n.lower() for n in i["labels"]]:
        raise HTTPError(404, "Label does not exist")
    i["labels"] = [n for n in i["labels"] if n.lower() != name]
    i["updated_at"] = _now()
    return 200, [label_json(f, r, r["labels"][n.lower()]) for n in i["labels"]]


# ---- issues and comments --------------------------------------------------------------------------
@route("get", R + "/issues/{issue_number}", "issues/get")
def issue_get(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    return 200, issue_json(f, call.repo, get_issue(call))


@route("patch", R + "/issues/{issue_number}", "issues/update")
def issue_update(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    i, body = get_issue(call), call.json or {}
    need_actor(call)
    for k in ("title", "body", "state"):
        if k in body:
            i[k] = body[k]
    if "labels" in body:
        call.json = {"labels": body["labels"]}
        set_labels(f, call)
    return 200, issue_json(f, call.repo, i)


@route("get", R + "/issues/{issue_number}/comments", "issues/list-comments")
def list_comments(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r, i = call.repo, get_issue(call)
    items = [comment_json(f, r, c) for c in sorted(f.comments(r["full_name"], i["number"]), key=lambda c: c["id"])]
    return 200, f.paginate(call, f"/repos/{r['full_name']}/issues/{i['number']}/comments", items)


@route("post", R + "/issues/{issue_number}/comments", "issues/create-comment")
def create_comment(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r, i, actor = call.repo, get_issue(call), need_actor(call)
    if len(call.json["body"]) > 65536:
        raise HTTPError(422, "Validation Failed", errors=[{"resource": "IssueComment", "code": "custom",
                                                         "message": "Body is too long (maximum is 65536 characters)"}])
    cid = f.add_comment(r["full_name"], i["number"], call.json["body"], actor["login"], actor["type"])
    return 201, comment_json(f, r, r["comments"][cid])


@route("get", R + "/issues/comments/{comment_id}", "issues/get-comment")
def comment_get(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    return 200, comment_json(f, call.repo, get_comment(call))


@route("patch", R + "/issues/comments/{comment_id}", "issues/update-comment")
def comment_update(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    c = get_comment(call)
    need_actor(call)
    if len(call.json["body"]) > 65536:
        raise HTTPError(422, "Validation Failed")
    c["body"], c["updated_at"] = call.json["body"], _now()
    return 200, comment_json(f, call.repo, c)


@route("delete", R + "/issues/comments/{comment_id}", "issues/delete-comment")
def comment_delete(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    need_actor(call)
    del call.repo["comments"][get_comment(call)["id"]]
    return 204, None


def _react(f: FakeGitHub, call: Call, target: dict) -> tuple[int, Any]:
    actor = need_actor(call)
    content = call.json["content"]
    for rx in target["reactions"]:
        if rx["content"] == content and rx["user"]["login"] == actor["login"]:
            return 200, rx
    rx = {"id": f.next_id(), "node_id": "RE_x", "content": content, "user": f.user(actor["login"], actor["type"]),
          "created_at": _now()}
    target["reactions"].append(rx)
    return 201, rx


@route("post", R + "/issues/comments/{comment_id}/reactions", "reactions/create-for-issue-comment")
def react_comment(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    return _react(f, call, get_comment(call))


@route("post", R + "/issues/{issue_number}/reactions", "reactions/create-for-issue")
def react_issue(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    return _react(f, call, get_issue(call))
