"""RestGitHub's Actions calls: starting the executor, finding the runs a dispatch started, reading their artifacts."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import requests
from github import GithubException
from github.Artifact import Artifact as GhArtifact
from github.PaginatedList import PaginatedList
from github.WorkflowRun import WorkflowRun as GhWorkflowRun

from bot.github.port import Artifact, WorkflowRun
from bot.github.rest_pulls import listed
from bot.github.retry import translated


class ActionsMixin:
    """Mixed into RestGitHub, whose `_repo`, `_request`, `_write` and `_gh` it uses."""

    _gh: Any

    def dispatch_workflow(self, repo: str, workflow: str, ref: str, inputs: dict[str, str]) -> None:
        self._write()
        with translated():
            self._repo(repo).get_workflow(workflow).create_dispatch(ref, inputs, throw=True)

    def repository_dispatch(self, repo: str, event_type: str, client_payload: dict) -> None:
        self._write()
        with translated():
            # Repository.create_repository_dispatch reports failures only as False
            self._request("POST", f"{self._repo(repo).url}/dispatches",
                          {"event_type": event_type, "client_payload": client_payload})

    def list_workflow_runs(self, repo: str, workflow: str, event: str, since: datetime) -> list[WorkflowRun]:
        """The workflow's runs of `event` created at or after `since`, every page (GitHub filters by both)."""
        when = since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        url = f"{self._repo(repo).url}/actions/workflows/{quote(workflow, safe='')}/runs"
        params = {"event": event, "created": f">={when}", "exclude_pull_requests": "true", "per_page": 100}
        with translated():
            pages = PaginatedList(GhWorkflowRun, self._gh.requester, url, params, list_item="workflow_runs")
            return [_to_run(listed(r)) for r in pages]

    def list_run_artifacts(self, repo: str, run_id: int) -> list[Artifact]:
        with translated():
            # WorkflowRun.get_artifacts() would fetch the run first only to learn this URL
            url = f"{self._repo(repo).url}/actions/runs/{run_id}/artifacts"
            pages = PaginatedList(GhArtifact, self._gh.requester, url, None, list_item="artifacts")
            return [Artifact(id=a.id, name=a.name, size_in_bytes=a.size_in_bytes or 0) for a in pages]

    def download_artifact(self, repo: str, artifact_id: int) -> bytes:
        """The artifact zip. GitHub answers 302 to a signed blob URL, fetched without our token."""
        url = f"{self._repo(repo).url}/actions/artifacts/{artifact_id}/zip"
        with translated():
            status, headers, _ = self._gh.requester.requestJson("GET", url)
            location = {k.lower(): v for k, v in headers.items()}.get("location")
            if status != 302 or not location:
                raise GithubException(status, {"message": f"artifact download answered {status}"}, headers)
            resp = requests.get(location, timeout=60)
            if resp.status_code != 200:
                raise GithubException(resp.status_code, {"message": "artifact blob download failed"}, {})
            return resp.content


def _to_run(d: dict[str, Any]) -> WorkflowRun:
    created = d.get("created_at")
    return WorkflowRun(
        id=d["id"], display_title=d.get("display_title") or "", event=d.get("event") or "",
        actor=(d.get("actor") or {}).get("login") or "",
        html_url=d.get("html_url") or "",
        created_at=datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None,
    )
