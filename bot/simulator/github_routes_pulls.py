"""FakeGitHub's endpoint handlers for pull requests, compare, statuses, checks and reviews."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from bot.simulator.github_calls import Call, HTTPError, route
from bot.simulator.github_seed import _now
from bot.simulator.github_shapes import R, app_json, file_json, get_issue, need_actor, pull_json

if TYPE_CHECKING:
    from bot.simulator.github import FakeGitHub


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


@route("get", R + "/commits/{commit_sha}/pulls", "repos/list-pull-requests-associated-with-commit")
def commit_pulls(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r, sha = call.repo, call.op.params["commit_sha"]
    items = [pull_json(f, r, i) for i in r["issues"].values() if i.get("pull") and i["pull"]["head_sha"] == sha]
    for item in items:
        item.pop("changed_files", None)  # the list returns "pull-request-simple" items
    return 200, f.paginate(call, f"/repos/{r['full_name']}/commits/{sha}/pulls", items)


@route("get", R + "/commits/{ref}/statuses", "repos/list-commit-statuses-for-ref")
def commit_statuses(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r, ref = call.repo, call.op.params["ref"]
    items = [st for st in reversed(r["statuses"]) if st["sha"] == ref]  # newest first
    return 200, f.paginate(call, f"/repos/{r['full_name']}/commits/{ref}/statuses", items)


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
    """A check run as GitHub shows it, with the `app` that reported it (the fake's App when it created the run)."""
    out = {k: v for k, v in run.items() if k not in ("annotations", "app_id")}
    url = f.api("repos", r["full_name"], "check-runs", run["id"])
    output = {"title": None, "summary": None, "text": None, **out.get("output", {}),
              "annotations_count": len(run.get("annotations", [])), "annotations_url": f"{url}/annotations"}
    done = _now() if run.get("status") == "completed" else None
    return {"node_id": f"CR_{run['id']}", "external_id": "", "details_url": None, "started_at": None,
            "completed_at": done, "check_suite": {"id": run["id"]}, "pull_requests": [], "conclusion": None, **out,
            "output": output, "app": app_json(f, run.get("app_id", f.app_id)), "url": url, "html_url": ""}


@route("post", R + "/check-runs", "checks/create")
def check_create(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    need_actor(call)
    body = dict(call.json)
    output = body.pop("output", None) or {}
    if len(output.get("annotations", [])) > 50:
        raise HTTPError(422, "Validation Failed: at most 50 annotations per request")
    run = {"id": f.next_id(), "status": "completed" if body.get("conclusion") else "queued", **body, "app_id": f.app_id,
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


@route("get", R + "/commits/{ref}/check-runs", "checks/list-for-ref")
def check_runs_for_ref(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r, ref = call.repo, call.op.params["ref"]
    latest = {(run.get("app_id", f.app_id), run["name"]): run for run in sorted(r["check_runs"].values(), key=lambda x: x["id"])
              if run.get("head_sha") == ref}
    runs = [_check_json(f, r, run) for run in latest.values()]  # `filter=latest`, GitHub's default: per app and name
    return 200, {"total_count": len(runs), "check_runs": runs}


@route("get", R + "/check-runs/{check_run_id}/annotations", "checks/list-annotations")
def check_annotations(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    run = _check_run(call)
    path = f"/repos/{call.repo['full_name']}/check-runs/{run['id']}/annotations"
    return 200, f.paginate(call, path, run["annotations"])


@route("get", R + "/rules/branches/{branch}", "repos/get-branch-rules")
def branch_rules(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    # a required check: its name, or (name, integration_id) for one that must come from that app
    required = [(c, None) if isinstance(c, str) else tuple(c)
                for c in call.repo.get("required_checks", {}).get(call.op.params["branch"], [])]
    others = list(call.repo.get("branch_rules", {}).get(call.op.params["branch"], []))  # other rules, listed first
    rules = others + [{"type": "required_status_checks", "ruleset_source_type": "Repository",
                       "ruleset_source": call.repo["full_name"], "ruleset_id": 1, "parameters": {
        "strict_required_status_checks_policy": False,
        "required_status_checks": [{"context": name, **({"integration_id": app} if app else {})}
                                   for name, app in required]}}] if required else []
    return 200, f.paginate(call, f"/repos/{call.repo['full_name']}/rules/branches/{call.op.params['branch']}", rules)


@route("get", R + "/branches/{branch}", "repos/get-branch")
def branch_get(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    """A branch with its classic protection (`FakeGitHub.protect_branch`), as Contents (read) sees it."""
    r, name = call.repo, call.op.params["branch"]
    if name != r["default_branch"] and name not in r.get("branches", {}):
        raise HTTPError(404, "Branch not found")
    kept = r.get("protection", {}).get(name)
    url = f.api("repos", r["full_name"], "branches") + "/" + quote(name, safe="")
    checks = {"enforcement_level": "non_admins" if kept else "off", "contexts": [], "checks": [], **(kept or {})}
    return 200, {"name": name, "commit": {"sha": r.get("branches", {}).get(name, "0" * 40)},
                 "_links": {"self": url, "html": f"https://github.com/{r['full_name']}/tree/{name}"},
                 "protected": bool(kept), "protection": {"enabled": bool(kept), "required_status_checks": checks},
                 "protection_url": f"{url}/protection"}


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


@route("get", "/rate_limit", "rate-limit/get")
def rate_limit(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    core = {"limit": 5000, "remaining": 5000, "reset": int(time.time()) + 3600, "used": 0}
    return 200, {"resources": {"core": core}, "rate": core}
