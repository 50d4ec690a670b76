"""FakeGitHub's endpoint handlers, keyed by GitHub's operationId; they answer with GitHub-shaped JSON."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime, timezone
from typing import Any

from bot.simulator.github import ROLE_TO_PERMISSION, Call, FakeGitHub, HTTPError, _b64, route
from bot.simulator.github_seed import _now

R = "/repos/{owner}/{repo}"


# ---- shapes ---------------------------------------------------------------------------------------
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
        "updated_at": i["created_at"],
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


def pull_json(f: FakeGitHub, r: dict, i: dict) -> dict[str, Any]:
    p = i["pull"]
    return {
        **issue_json(f, r, i),
        "url": f.api("repos", r["full_name"], "pulls", i["number"]),
        "html_url": f"https://github.com/{r['full_name']}/pull/{i['number']}",
        "head": {"sha": p["head_sha"], "ref": p["head_ref"], "label": f"{r['owner']}:{p['head_ref']}"},
        "base": {"sha": "b" * 40, "ref": p["base"], "label": f"{r['owner']}:{p['base']}", "repo": repo_json(f, r)},
        "draft": False,
        "merged": False,
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


# ---- pull requests, compare, statuses, checks, reviews --------------------------------------------
@route("get", R + "/pulls/{pull_number}", "pulls/get")
def pull_get(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    return 200, pull_json(f, call.repo, get_issue(call, "pull_number", pull=True))


@route("get", R + "/pulls/{pull_number}/files", "pulls/list-files")
def pull_files(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r, i = call.repo, get_issue(call, "pull_number", pull=True)
    items = [file_json(f, r, pf) for pf in i["pull"]["files"][:3000]]  # GitHub lists at most 3000 files
    return 200, f.paginate(call, f"/repos/{r['full_name']}/pulls/{i['number']}/files", items)


@route("get", R + "/compare/{basehead}", "repos/compare-commits-with-basehead")
def compare(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r, basehead = call.repo, call.op.params["basehead"]
    if basehead not in r["compare"]:
        raise HTTPError(404, "Not Found")
    files = [file_json(f, r, pf) for pf in r["compare"][basehead][:300]]  # compare shows at most 300 files
    status, ahead_by, behind_by = r.get("compare_status", {}).get(basehead, ("ahead", 1, 0))
    return 200, {
        "url": f.api("repos", r["full_name"], "compare", basehead),
        "html_url": "",
        "status": status,
        "ahead_by": ahead_by,
        "behind_by": behind_by,
        "total_commits": ahead_by,
        "commits": [],
        "files": files,
    }


@route("post", R + "/statuses/{sha}", "repos/create-commit-status")
def create_status(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    actor = need_actor(call)
    st = {"id": f.next_id(), "sha": call.op.params["sha"], **call.json, "creator": f.user(actor["login"]),
          "created_at": _now(), "url": f.api("repos", call.repo["full_name"], "statuses", call.op.params["sha"])}
    st.setdefault("context", "default")
    call.repo["statuses"].append(st)
    return 201, st


def _check_run(call: Call) -> dict:
    run = call.repo["check_runs"].get(int(call.op.params["check_run_id"]))
    if run is None:
        raise HTTPError(404, "Not Found")
    return run


def _check_json(f: FakeGitHub, r: dict, run: dict) -> dict[str, Any]:
    out = {k: v for k, v in run.items() if k != "annotations"}
    return {**out, "url": f.api("repos", r["full_name"], "check-runs", run["id"]), "html_url": ""}


@route("post", R + "/check-runs", "checks/create")
def check_create(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    need_actor(call)
    body = dict(call.json)
    output = body.pop("output", None) or {}
    if len(output.get("annotations", [])) > 50:
        raise HTTPError(422, "Validation Failed: at most 50 annotations per request")
    run = {"id": f.next_id(), "status": "completed" if body.get("conclusion") else "queued", **body,
           "output": {k: v for k, v in output.items() if k != "annotations"},
           "annotations": list(output.get("annotations", []))}
    call.repo["check_runs"][run["id"]] = run
    return 201, _check_json(f, call.repo, run)


@route("patch", R + "/check-runs/{check_run_id}", "checks/update")
def check_update(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    need_actor(call)
    run = _check_run(call)
    body = dict(call.json)
    output = body.pop("output", None) or {}
    if len(output.get("annotations", [])) > 50:
        raise HTTPError(422, "Validation Failed: at most 50 annotations per request")
    run.update(body)
    run["output"].update({k: v for k, v in output.items() if k != "annotations"})
    run["annotations"] += output.get("annotations", [])  # GitHub appends annotations on update
    return 200, _check_json(f, call.repo, run)


@route("get", R + "/check-runs/{check_run_id}", "checks/get")
def check_get(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    run = _check_run(call)
    return 200, _check_json(f, call.repo, run)


@route("get", R + "/check-runs/{check_run_id}/annotations", "checks/list-annotations")
def check_annotations(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    run = _check_run(call)
    path = f"/repos/{call.repo['full_name']}/check-runs/{run['id']}/annotations"
    return 200, f.paginate(call, path, run["annotations"])


@route("post", R + "/pulls/{pull_number}/reviews", "pulls/create-review")
def review_create(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    actor = need_actor(call)
    i = get_issue(call, "pull_number", pull=True)
    body = call.json or {}
    event = body.get("event")
    review = {"id": f.next_id(), "pull_number": i["number"], "body": body.get("body", ""),
              "commit_id": body.get("commit_id", i["pull"]["head_sha"]), "event": event,
              "state": {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}.get(
                  event or "", "PENDING"), "comments": list(body.get("comments", [])),
              "user": f.user(actor["login"], actor["type"]), "submitted_at": _now()}
    call.repo["reviews"].append(review)
    return 200, {k: v for k, v in review.items() if k not in ("comments", "event", "pull_number")}


@route("get", R + "/pulls/{pull_number}/reviews", "pulls/list-reviews")
def review_list(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    i = get_issue(call, "pull_number", pull=True)
    items = [{k: v for k, v in rv.items() if k not in ("comments", "event", "pull_number")}
             for rv in call.repo["reviews"] if rv["pull_number"] == i["number"]]
    return 200, f.paginate(call, f"/repos/{call.repo['full_name']}/pulls/{i['number']}/reviews", items)


# ---- actions --------------------------------------------------------------------------------------
@route("post", R + "/actions/workflows/{workflow_id}/dispatches", "actions/create-workflow-dispatch")
def workflow_dispatch(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    need_actor(call)
    call.repo["workflow_dispatches"].append({"workflow": call.op.params["workflow_id"], **call.json})
    return 204, None


@route("post", R + "/dispatches", "repos/create-dispatch-event")
def repository_dispatch(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    need_actor(call)
    call.repo["repository_dispatches"].append(dict(call.json))
    return 204, None


def _artifact_json(f: FakeGitHub, r: dict, a: dict) -> dict[str, Any]:
    url = f.api("repos", r["full_name"], "actions", "artifacts", a["id"])
    return {"id": a["id"], "node_id": f"MDg_{a['id']}", "name": a["name"], "size_in_bytes": len(a["data"]),
            "url": url, "archive_download_url": f"{url}/zip", "expired": False,
            "workflow_run": {"id": a["run_id"]}, "created_at": _now(), "expires_at": _now()}


@route("get", R + "/actions/runs/{run_id}/artifacts", "actions/list-workflow-run-artifacts")
def run_artifacts(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r, run_id = call.repo, int(call.op.params["run_id"])
    items = [_artifact_json(f, r, a) for a in r["artifacts"].values() if a["run_id"] == run_id]
    page = f.paginate(call, f"/repos/{r['full_name']}/actions/runs/{run_id}/artifacts", items)
    return 200, {"total_count": len(items), "artifacts": page}


@route("get", R + "/actions/artifacts/{artifact_id}", "actions/get-artifact")
def artifact_get(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    a = call.repo["artifacts"].get(int(call.op.params["artifact_id"]))
    if a is None:
        raise HTTPError(404, "Not Found")
    return 200, _artifact_json(f, call.repo, a)


@route("get", R + "/actions/artifacts/{artifact_id}/{archive_format}", "actions/download-artifact")
def artifact_download(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    # GitHub answers 302 with a short-lived blob-storage URL
    a = call.repo["artifacts"].get(int(call.op.params["artifact_id"]))
    if a is None or call.op.params["archive_format"] != "zip":
        raise HTTPError(404, "Not Found")
    call.extra_headers["Location"] = f"{f.url}/_sim/blobs/artifacts/{a['id']}.zip"
    return 302, None


@route("get", "/rate_limit", "rate-limit/get")
def rate_limit(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    core = {"limit": 5000, "remaining": 5000, "reset": int(time.time()) + 3600, "used": 0}
    return 200, {"resources": {"core": core}, "rate": core}
