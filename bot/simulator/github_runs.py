"""The workflow runs a dispatch starts, as both GitHub fakes record them: titled by the workflow's `run-name`.

GitHub titles a run (`display_title`) with its workflow's `run-name`, evaluated against the dispatch; the fakes
evaluate the `${{ a || b || 'literal' }}` expressions the executor workflow uses, from the workflow file when the
repository has it, else from `EXECUTOR_RUN_NAME` (the shipped workflow's, held to it by tests/test_executor_workflow.py).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import yaml

from bot.github.port import GitHubError, WorkflowRun

EXECUTOR_WORKFLOW = "model-router-executor.yml"
EXECUTOR_RUN_NAME = (
    "model-router #${{ inputs.issue_number || github.event.client_payload.issue_number }} "
    "${{ inputs.mode || github.event.client_payload.mode || 'execute' }} "
    "on ${{ inputs.tier || github.event.client_payload.tier }} "
    "[mr:${{ inputs.routing_id || github.event.client_payload.routing_id }}]"
)
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def run_name(workflow_text: str | None, workflow: str) -> str:
    """The workflow's `run-name` (the executor's when its file is not in the repository), else its name."""
    if workflow_text is None:
        return EXECUTOR_RUN_NAME if workflow.rsplit("/", 1)[-1] == EXECUTOR_WORKFLOW else workflow
    doc = yaml.safe_load(workflow_text) or {}
    return str(doc.get("run-name") or doc.get("name") or workflow)


def display_title(template: str, *, inputs: dict[str, Any] | None = None, payload: dict[str, Any] | None = None) -> str:
    """`template` with each `${{ … }}` evaluated: the first of its `||` operands that is set."""
    context = {"inputs": inputs or {}, "github.event.inputs": inputs or {}, "github.event.client_payload": payload or {}}

    def operand(text: str) -> str:
        text = text.strip()
        if len(text) >= 2 and text[0] == text[-1] == "'":
            return text[1:-1]
        scope, _, key = text.rpartition(".")
        return str(context.get(scope, {}).get(key) or "")

    def evaluate(m: re.Match[str]) -> str:
        return next((v for v in map(operand, m.group(1).split("||")) if v), "")

    return _EXPRESSION.sub(evaluate, template)


class MemoryActions:
    """MemoryGitHub's dispatches: each starts a run (`runs`); `fail_dispatch` makes the next ones fail, after starting
    their run when `started` (GitHub answering 5xx after it created the run)."""

    login: str
    dispatches: list[dict[str, Any]]

    def _actions(self) -> tuple[dict[str, list[WorkflowRun]], list[tuple[int, bool]]]:
        return self._runs, self._dispatch_faults  # type: ignore[attr-defined]  (set by MemoryGitHub.__init__)

    def runs(self, repo: str) -> list[WorkflowRun]:
        return list(self._actions()[0].get(repo, []))

    def fail_dispatch(self, status: int, *, started: bool = False, times: int = 1) -> None:
        self._actions()[1].extend([(status, started)] * times)

    def _dispatched(self, repo: str, workflow: str, event: str, title: str) -> None:
        self._repo(repo)  # type: ignore[attr-defined]  (404 for an unknown repository)
        runs, faults = self._actions()
        status, started = faults.pop(0) if faults else (0, True)
        if started:
            run_id = 7_000 + sum(map(len, runs.values()))
            runs.setdefault(repo, []).append(WorkflowRun(
                id=run_id, display_title=title, event=event, actor=self.login, created_at=datetime.now(timezone.utc),
                html_url=f"https://github.com/{repo}/actions/runs/{run_id}"))
        if status:
            raise GitHubError(status, "Server Error" if status >= 500 else "Refused")

    def dispatch_workflow(self, repo: str, workflow: str, ref: str, inputs: dict[str, str]) -> None:
        self._write("dispatch_workflow", repo, workflow, ref)  # type: ignore[attr-defined]
        self.dispatches.append({"repo": repo, "workflow": workflow, "ref": ref, "inputs": dict(inputs)})
        self._dispatched(repo, workflow, "workflow_dispatch", display_title(run_name(None, workflow), inputs=inputs))

    def repository_dispatch(self, repo: str, event_type: str, client_payload: dict) -> None:
        self._write("repository_dispatch", repo, event_type)  # type: ignore[attr-defined]
        self.dispatches.append({"repo": repo, "event_type": event_type, "client_payload": dict(client_payload)})
        title = display_title(EXECUTOR_RUN_NAME, payload=client_payload)
        self._dispatched(repo, EXECUTOR_WORKFLOW, "repository_dispatch", title)

    def list_workflow_runs(self, repo: str, workflow: str, event: str, since: datetime) -> list[WorkflowRun]:
        self._repo(repo)  # type: ignore[attr-defined]
        return [r for r in reversed(self._actions()[0].get(repo, []))
                if r.event == event and r.created_at is not None and r.created_at >= since]
