"""Starting the executor needs a token permission (`actions: write` for workflow_dispatch, `contents: write` for
repository_dispatch): when GitHub refuses the job's token (403 "Resource not accessible by integration"), the
Action's step fails with one line naming the permission to grant, after recording everything else (the run's
outcome, the refused dispatch), and a re-run with the permission starts what was refused. Through the Action's
entry point and the OpenAPI-checking fake GitHub."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from tests.plugins.action import REPO, act, parse_outputs, settings, sticky
from tests.test_action_learning import KEY
from tests.test_action_true_outcomes import execution, state

REFUSED = {"message": "Resource not accessible by integration",
           "documentation_url": "https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event",
           "status": "403"}
NEEDS = {"workflow_dispatch": "actions: write", "repository_dispatch": "contents: write"}
ROOT = Path(__file__).resolve().parents[1]


def errors(log: str) -> list[str]:
    return [ln for ln in log.splitlines() if ln.startswith("::error")]


def started(fake) -> list[dict]:
    """Executor runs GitHub started, either way (workflow_dispatch inputs, repository_dispatch client_payload)."""
    r = fake.repo(REPO)
    return [d["inputs"] for d in r["workflow_dispatches"]] + [d["client_payload"] for d in r["repository_dispatches"]]


def dispatch_job(fake, webhook_example, tmp_path, how="workflow_dispatch") -> tuple[int, str]:
    """Issue #1 opened by a writer, in a repository whose executor starts by `how`; a `mode: dispatch` job."""
    payload = copy.deepcopy(webhook_example("issues", "opened"))
    payload["issue"].update(number=1, title="Fix typo in README", body="There is a spelling mistake.", labels=[])
    payload["repository"]["full_name"] = REPO
    fake.seed_payload(payload)
    fake.set_permission(REPO, payload["sender"]["login"], "write")
    fake.set_file(REPO, ".github/model-router.yml", f"executor:\n  dispatch: {how}\n")
    return act(settings(tmp_path, fake, "issues", payload, mode="dispatch", state_key=KEY))


def failed_report(fake, tmp_path, inputs, run_id=901) -> tuple[int, str]:
    """The executor's report job for a failed run: the failure escalates, which dispatches the next tier."""
    event = {"inputs": inputs, "repository": {"full_name": REPO}, "sender": {"login": "github-actions[bot]", "type": "Bot"}}
    return act(settings(tmp_path, fake, "workflow_dispatch", event, mode="report", run_id=str(run_id), state_key=KEY,
                        branch_name="claude/issue-1-20261120-1000",
                        execution_file=execution(tmp_path / f"x{run_id}.json", ok=False)))


@pytest.mark.parametrize("how", ["workflow_dispatch", "repository_dispatch"])
def test_an_escalation_refused_for_a_missing_permission_fails_the_step_naming_it(how, fake_github, webhook_example,
                                                                                runner_env, tmp_path):
    code, log = dispatch_job(fake_github, webhook_example, tmp_path, how)
    assert code == 0, log
    [inputs] = started(fake_github)
    fake_github.fail_next("POST", r"/dispatches$", 403, body=REFUSED)
    code, log = failed_report(fake_github, tmp_path, inputs)
    [error] = errors(log)
    assert code == 1 and f"`{NEEDS[how]}`" in error and "permissions:" in error, log
    assert "403" in error and "internal error" not in log and "Traceback" not in log
    first, escalation = state(fake_github).runs  # nothing lost: the run's outcome and the refused escalation
    assert (first.status, first.actual_cost_usd, first.run_id) == ("failure", 0.03, 901)
    assert (escalation.tier, escalation.status) == ("sonnet", "error")
    assert parse_outputs(runner_env["output"].read_text())["actual-cost"] == "0.030000"
    assert len(started(fake_github)) == 1  # only the first run's

    code, log = failed_report(fake_github, tmp_path, inputs)  # "Re-run failed jobs", the permission granted
    assert code == 0 and not errors(log), log
    assert [d["tier"] for d in started(fake_github)][1:] == ["sonnet"]


@pytest.mark.parametrize("status", [403, 404])
def test_a_dispatch_job_without_the_permission_fails_after_routing(status, fake_github, webhook_example, runner_env,
                                                                   tmp_path):
    """404: GitHub also hides what a token may not see; the line names the permission and the workflow file."""
    fake_github.add_repo(REPO)
    fake_github.fail_next("POST", r"/dispatches$", status,
                          body=REFUSED if status == 403 else {"message": "Not Found", "status": "404"})
    code, log = dispatch_job(fake_github, webhook_example, tmp_path)
    [error] = errors(log)
    assert code == 1 and "`actions: write`" in error and "Traceback" not in log, log
    assert ("model-router-executor.yml" in error) is (status == 404)
    assert sticky(fake_github, 1) and "model:haiku" in fake_github.labels_on(REPO, 1)  # the routing is kept
    assert [r.status for r in state(fake_github).runs] == ["error"] and not started(fake_github)


def test_a_dispatch_the_executor_workflow_cannot_take_fails_the_step_naming_the_workflow(fake_github, webhook_example,
                                                                                         runner_env, tmp_path):
    """422: the workflow on the default branch lacks `on: workflow_dispatch` or an input the Action sends (a copy
    from an older release): a person must mend the file, so the step fails saying which, the routing kept."""
    fake_github.add_repo(REPO)
    fake_github.fail_next("POST", r"/dispatches$", 422,
                          body={"message": "Unexpected inputs provided: [\"issue_sha256\"]", "status": "422"})
    code, log = dispatch_job(fake_github, webhook_example, tmp_path)
    [error] = errors(log)
    assert code == 1 and "model-router-executor.yml" in error and "issue_sha256" in error, log
    assert "Traceback" not in log and "actions: write" not in error  # not a permission: the token was let in
    assert sticky(fake_github, 1) and [r.status for r in state(fake_github).runs] == ["error"]


def _workflows() -> list[tuple[str, dict]]:
    """This repository's workflows and docs/action.md's examples (a whole workflow, or jobs to paste)."""
    out = [(f.name, yaml.safe_load(f.read_text())) for f in sorted((ROOT / ".github" / "workflows").glob("*.yml"))]
    for tok in MarkdownIt("commonmark").parse((ROOT / "docs" / "action.md").read_text(encoding="utf-8")):
        doc = yaml.safe_load(tok.content) if tok.type == "fence" and tok.info.strip() == "yaml" else None
        if isinstance(doc, dict) and ("jobs" in doc or any(isinstance(v, dict) and "steps" in v for v in doc.values())):
            out.append((f"docs/action.md:{tok.map[0] + 1}", doc))
    return out


def _starts_runs(on: dict, job: dict, inputs: dict) -> bool:
    """Whether the Action in this job can start the executor: `mode: dispatch`, a run's report (escalation,
    convoys), or `auto` on a comment (`/dispatch`, `/plan`), a closed PR or a review (escalation)."""
    mode = inputs.get("mode", "auto")
    if mode == "dispatch" or (mode == "report" and "execution-file" in inputs):
        return True
    cond = str(job.get("if", ""))
    events = set(re.findall(r"github\.event_name == '(\w+)'", cond)) or set(on)
    closed = "closed" in ((on.get("pull_request_target") or {}).get("types") or []) and "!= 'closed'" not in cond
    return mode == "auto" and bool(events & {"issue_comment", "pull_request_review"} or
                                   ("pull_request_target" in events and closed))


def test_the_example_workflows_grant_the_dispatch_permission_exactly_where_the_action_may_dispatch():
    """Least privilege: `actions: write` (workflow_dispatch, the default) only in the jobs whose Action may start
    the executor, never `contents: write` beside it (that is repository_dispatch's, docs/action.md)."""
    seen = []
    for where, doc in _workflows():
        on = doc.get("on", doc.get(True)) or {}  # YAML 1.1 reads a bare `on` as true
        jobs = doc.get("jobs") or {k: v for k, v in doc.items() if isinstance(v, dict) and "steps" in v}
        for name, job in jobs.items():
            steps = [s for s in job["steps"] if re.match(r"(\./|model-router-dev/model-router@)", s.get("uses", ""))]
            if not steps:
                continue
            perms = job.get("permissions", doc.get("permissions")) or {}
            seen.append((where, name, _starts_runs(on, job, steps[0].get("with") or {})))
            assert (perms.get("actions") == "write") is seen[-1][2], seen[-1]
            assert perms.get("contents") == "read", (where, name)
    assert sum(starts for *_, starts in seen) >= 6 and len(seen) >= 11, seen
