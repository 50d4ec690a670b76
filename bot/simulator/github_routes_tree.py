"""FakeGitHub's issue creation, sub-issues and issue dependencies (blocked by), as GitHub answers them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.simulator.github_calls import Call, HTTPError, route
from bot.simulator.github_shapes import R, get_issue, issue_json, need_actor, pull_json

if TYPE_CHECKING:
    from bot.simulator.github import FakeGitHub


def _by_id(call: Call, issue_id: Any) -> dict:
    found = next((i for i in call.repo["issues"].values() if i["id"] == issue_id), None)
    if found is None:
        raise HTTPError(404, "Not Found")
    return found


@route("post", R + "/issues", "issues/create")
def create_issue(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r, body, actor = call.repo, call.json, need_actor(call)
    labels = [x if isinstance(x, str) else x.get("name", "") for x in body.get("labels") or []]
    number = f.add_issue(r["full_name"], title=str(body["title"]), body=body.get("body") or "", labels=labels,
                         user=actor["login"])
    return 201, issue_json(f, r, r["issues"][number])


@route("get", R + "/issues", "issues/list-for-repo")
def list_issues(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    """`labels` (all of them, by name), `since` (updated at or after), `sort`/`direction` as GitHub; without
    either of the last two, oldest number first."""
    r, q = call.repo, call.query
    wanted = {n.strip().lower() for n in q.get("labels", "").split(",") if n.strip()}
    found = [i for _, i in sorted(r["issues"].items())
             if (q.get("state", "open") in ("all", i["state"])) and q.get("creator", i["user"]) == i["user"]
             and _updated(i) >= q.get("since", "") and wanted <= {n.lower() for n in i["labels"]}]
    if "sort" in q or "direction" in q:
        key = {"updated": _updated, "comments": lambda i: issue_json(f, r, i)["comments"]}.get(
            q.get("sort", "created"), lambda i: i["created_at"])
        found.sort(key=lambda i: (key(i), i["number"]), reverse=q.get("direction", "desc") == "desc")
    return 200, f.paginate(call, f"/repos/{r['full_name']}/issues", [issue_json(f, r, i) for i in found])


def _updated(i: dict) -> str:
    return i.get("updated_at") or i["created_at"]


@route("post", R + "/issues/{issue_number}/sub_issues", "issues/add-sub-issue")
def add_sub_issue(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    parent, body = get_issue(call), call.json
    need_actor(call)
    child = _by_id(call, body["sub_issue_id"])
    if child["number"] in parent.setdefault("sub_issues", []):
        raise HTTPError(422, "Validation Failed", errors=[{"message": "Issue may not contain duplicate sub-issues"}])
    if child.get("parent") and not body.get("replace_parent"):
        raise HTTPError(422, "Validation Failed", errors=[{"message": "Sub issue may only have one parent"}])
    if child["number"] == parent["number"]:
        raise HTTPError(422, "Validation Failed", errors=[{"message": "An issue cannot be its own sub-issue"}])
    child["parent"] = parent["number"]
    parent["sub_issues"].append(child["number"])
    return 201, issue_json(f, call.repo, parent)


@route("get", R + "/issues/{issue_number}/sub_issues", "issues/list-sub-issues")
def list_sub_issues(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r, parent = call.repo, get_issue(call)
    items = [issue_json(f, r, r["issues"][n]) for n in parent.get("sub_issues", [])]
    return 200, f.paginate(call, f"/repos/{r['full_name']}/issues/{parent['number']}/sub_issues", items)


@route("post", R + "/issues/{issue_number}/dependencies/blocked_by", "issues/add-blocked-by-dependency")
def add_blocked_by(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    issue, body = get_issue(call), call.json
    need_actor(call)
    blocker = _by_id(call, body["issue_id"])
    if blocker["number"] == issue["number"]:
        raise HTTPError(422, "Validation Failed", errors=[{"message": "An issue cannot block itself"}])
    if blocker["number"] in issue.setdefault("blocked_by", []):
        raise HTTPError(422, "Validation Failed", errors=[{"message": "Dependency already exists"}])
    issue["blocked_by"].append(blocker["number"])
    return 201, issue_json(f, call.repo, blocker)


@route("get", R + "/issues/{issue_number}/dependencies/blocked_by", "issues/list-dependencies-blocked-by")
def list_blocked_by(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r, issue = call.repo, get_issue(call)
    items = [issue_json(f, r, r["issues"][n]) for n in issue.get("blocked_by", [])]
    return 200, f.paginate(call, f"/repos/{r['full_name']}/issues/{issue['number']}/dependencies/blocked_by", items)


@route("post", R + "/pulls", "pulls/create")
def create_pull(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    actor, r, body = need_actor(call), call.repo, call.json or {}
    sha = r.get("branches", {}).get(body.get("head"))
    if sha is None or body.get("base") not in (r["default_branch"], *r.get("branches", {})):
        raise HTTPError(422, "Validation Failed: head or base is not a branch of this repository")
    number = f.add_pull(r["full_name"], title=body.get("title", ""), body=body.get("body", ""), head_sha=sha,
                        head_ref=body["head"], base=body["base"], user=actor["login"])
    return 201, pull_json(f, r, r["issues"][number])


@route("get", R + "/pulls", "pulls/list")
def list_pulls(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r, state, head = call.repo, call.query.get("state", "open"), call.query.get("head")
    owner = r["full_name"].split("/")[0]
    items = [pull_json(f, r, i) for n, i in sorted(r["issues"].items(), reverse=True)
             if i["pull"] and (state == "all" or i["state"] == state)
             and (head is None or (f"{owner}:{i['pull']['head_ref']}" == head
                                   and i["pull"].get("head_repo") in (None, r["full_name"])))]
    return 200, f.paginate(call, f"/repos/{r['full_name']}/pulls", items)
