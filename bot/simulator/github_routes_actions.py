"""FakeGitHub's endpoint handlers for Actions: dispatches (each starts a run, titled as GitHub would), the runs a
workflow's listing finds, artifacts."""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.simulator.github_calls import Call, HTTPError, route
from bot.simulator.github_runs import EXECUTOR_WORKFLOW, display_title, run_name
from bot.simulator.github_seed import _now
from bot.simulator.github_shapes import R, need_actor, repo_json

if TYPE_CHECKING:
    from bot.simulator.github import FakeGitHub


def start_run(f: FakeGitHub, call: Call, workflow: str, event: str, ref: str, *, inputs: dict | None = None,
              payload: dict | None = None) -> dict[str, Any]:
    """The run a dispatch starts: titled by the workflow file's `run-name` at `ref` (the executor's without one)."""
    r, path = call.repo, f".github/workflows/{workflow.rsplit('/', 1)[-1]}"
    text = r["files"].get(ref, {}).get(path)
    title = display_title(run_name(text.decode() if text is not None else None, workflow), inputs=inputs, payload=payload)
    rid = f.next_id()
    run = {"id": rid, "name": workflow, "display_title": title, "event": event, "status": "queued", "conclusion": None,
           "head_branch": ref, "path": path, "workflow_id": zlib.crc32(path.encode()), "run_number": len(r["workflow_runs"]) + 1,
           "actor": dict(need_actor(call)), "created_at": _now()}
    r["workflow_runs"].append(run)
    return run


def _run_json(f: FakeGitHub, r: dict, run: dict) -> dict[str, Any]:
    url = f.api("repos", r["full_name"], "actions", "runs", run["id"])
    actor = f.user(run["actor"]["login"], run["actor"].get("type"))
    return {**run, "node_id": f"WFR_{run['id']}", "head_sha": "0" * 40, "url": url,
            "html_url": f"https://github.com/{r['full_name']}/actions/runs/{run['id']}", "updated_at": run["created_at"],
            "actor": actor, "triggering_actor": actor, "pull_requests": [], "head_commit": None,
            "repository": repo_json(f, r), "head_repository": repo_json(f, r), "jobs_url": f"{url}/jobs",
            "logs_url": f"{url}/logs", "check_suite_url": "", "cancel_url": f"{url}/cancel", "rerun_url": f"{url}/rerun",
            "artifacts_url": f"{url}/artifacts", "workflow_url": f.api("repos", r["full_name"], "actions", "workflows",
                                                                        run["workflow_id"])}


def _created(query: str) -> tuple[datetime | None, datetime | None]:
    """GitHub's `created` range (`>=T`, `>T`, `<=T`, `<T`, `A..B`), as (from, to), inclusive."""
    def when(text: str) -> datetime:
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise HTTPError(422, f"Invalid created date: {text!r}") from None
    if ".." in query:
        lo, hi = query.split("..", 1)
        return when(lo), when(hi)
    for op in (">=", ">", "<=", "<"):
        if query.startswith(op):
            return (when(query[len(op):]), None) if op[0] == ">" else (None, when(query[len(op):]))
    return when(query), when(query)


@route("post", R + "/actions/workflows/{workflow_id}/dispatches", "actions/create-workflow-dispatch")
def workflow_dispatch(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    need_actor(call)
    declared = call.repo.get("workflow_inputs", {}).get(call.op.params["workflow_id"])  # seeded: the file's inputs
    unexpected = sorted(set((call.json or {}).get("inputs") or {}) - set(declared)) if declared is not None else []
    if unexpected:
        raise HTTPError(422, f"Unexpected inputs provided: {unexpected}")
    call.repo["workflow_dispatches"].append({"workflow": call.op.params["workflow_id"], **call.json})
    start_run(f, call, call.op.params["workflow_id"], "workflow_dispatch", call.json["ref"], inputs=call.json.get("inputs"))
    return 204, None


@route("post", R + "/dispatches", "repos/create-dispatch-event")
def repository_dispatch(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    need_actor(call)
    call.repo["repository_dispatches"].append(dict(call.json))
    # the executor workflow is the one the fake knows to listen to repository_dispatch
    start_run(f, call, EXECUTOR_WORKFLOW, "repository_dispatch", call.repo["default_branch"],
              payload=call.json.get("client_payload"))
    return 204, None


@route("get", R + "/actions/workflows/{workflow_id}/runs", "actions/list-workflow-runs")
def workflow_runs(f: FakeGitHub, call: Call) -> tuple[int, Any]:
    r, wid, q = call.repo, call.op.params["workflow_id"], call.query
    lo, hi = _created(q["created"]) if q.get("created") else (None, None)

    def listed(run: dict) -> bool:
        at = datetime.fromisoformat(run["created_at"].replace("Z", "+00:00"))
        return (wid in (run["path"].rsplit("/", 1)[-1], str(run["workflow_id"])) and q.get("event") in (None, run["event"])
                and (lo is None or at >= lo) and (hi is None or at <= hi))
    items = [_run_json(f, r, run) for run in reversed(r["workflow_runs"]) if listed(run)]  # newest first
    page = f.paginate(call, f"/repos/{r['full_name']}/actions/workflows/{wid}/runs", items)
    return 200, {"total_count": len(items), "workflow_runs": page}



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
