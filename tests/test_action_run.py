"""The Action end to end in-process: real payloads → settings → RestGitHub on the validating FakeGitHub."""

from __future__ import annotations

import json
from pathlib import Path


from bot.models import Tier
from bot.issues.render import RUNS_BEGIN
from bot.issues.state import STATE_PREFIX, decode
from tests.plugins.action import CONFIG, REPO, act, checkout, parse_outputs, settings, sticky  # noqa: F401

def test_issue_opened_labels_comments_and_outputs(fake_github, webhook_example, runner_env, tmp_path):
    payload = webhook_example("issues", "opened")
    fake_github.seed_payload(payload)
    code, log = act(settings(tmp_path, fake_github, "issues", payload))
    assert code == 0, log
    outputs = parse_outputs(runner_env["output"].read_text())
    tier = Tier(outputs["tier"])
    assert outputs["result"] == "routed"
    assert json.loads(outputs["decision"])["model"] == outputs["model"]
    labels = fake_github.labels_on(REPO, 1)
    assert CONFIG.labels.model_label(tier) in labels
    assert any(lb.startswith(CONFIG.labels.complexity_prefix + outputs["complexity"]) for lb in labels)
    [comment] = sticky(fake_github, 1)
    assert comment["user"] == "github-actions[bot]" and outputs["model"] in comment["body"]
    summary = runner_env["summary"].read_text()
    assert f"| tier | {tier.value} |" in summary and "::error" not in log
    assert "nothing learned yet (no issue was routed before this one)" in json.loads(outputs["decision"])["rationale"]


def test_dry_run_writes_nothing(fake_github, webhook_example, runner_env, tmp_path):
    payload = webhook_example("issues", "opened")
    fake_github.seed_payload(payload)
    code, log = act(settings(tmp_path, fake_github, "issues", payload, dry_run=True))
    assert code == 0, log
    assert fake_github.writes() == []
    tier = parse_outputs(runner_env["output"].read_text())["tier"]
    # the handlers honour ctx.dry_run themselves; whatever reaches the port is only planned
    assert CONFIG.labels.model_label(Tier(tier)) in log
    assert "dry run" in runner_env["summary"].read_text()


def test_config_error_fails_the_step_naming_the_key_but_still_routes(fake_github, webhook_example, runner_env, tmp_path):
    payload = webhook_example("issues", "opened")
    fake_github.seed_payload(payload)
    fake_github.set_file(REPO, ".github/model-router.yml", "budgets:\n  monthly_usdd: 5\n")  # on the default branch
    code, log = act(settings(tmp_path, fake_github, "issues", payload, workspace=checkout(tmp_path, "")))
    assert code == 1
    [error] = [ln for ln in log.splitlines() if ln.startswith("::error")]
    assert error.startswith("::error file=.github/model-router.yml,line=2::")
    assert "budgets.monthly_usdd" in error and "monthly_usd" in error
    assert fake_github.labels_on(REPO, 1), "routing went ahead with the defaults"
    assert "invalid" in sticky(fake_github, 1)[0]["body"]


def test_config_comes_from_the_default_branch_never_the_checkout(fake_github, webhook_example, runner_env, tmp_path):
    payload = webhook_example("issues", "opened")
    fake_github.seed_payload(payload)
    fake_github.set_file(REPO, ".github/model-router.yml", "labels:\n  model_prefix: 'tier/'\n")
    workspace = checkout(tmp_path, "labels:\n  model_prefix: 'workspace/'\n")  # e.g. what an agent edited
    code, log = act(settings(tmp_path, fake_github, "issues", payload, workspace=workspace))
    assert code == 0, log
    assert any(lb.startswith("tier/") for lb in fake_github.labels_on(REPO, 1))


def test_pull_request_ignores_the_checked_out_config(fake_github, webhook_example, runner_env, tmp_path):
    """A pull request cannot weaken its own gate: the config is read from the default branch on GitHub."""
    payload = webhook_example("pull_request", "opened")
    fake_github.seed_payload(payload)
    workspace = checkout(tmp_path, "this: is not read\n")
    code, log = act(settings(tmp_path, fake_github, "pull_request", payload, workspace=workspace))
    assert code == 0, log
    reads = [r for r in fake_github.requests if r.path.endswith("/contents/.github/model-router.yml")]
    assert reads and reads[0].query.get("ref") == payload["repository"]["default_branch"]
    statuses = fake_github.repo(REPO)["statuses"]
    assert statuses and statuses[-1]["context"] == "model-router/opus-review"
    assert parse_outputs(runner_env["output"].read_text())["result"] != "failed"


def test_missing_permission_says_which(fake_github, webhook_example, runner_env, tmp_path):
    payload = webhook_example("issues", "opened")
    fake_github.seed_payload(payload)
    fake_github.fail_next("POST", r"/repos/.*/labels", 403, body={"message": "Resource not accessible by integration"}, times=5)
    fake_github.fail_next("POST", r"/repos/.*/issues/1/labels", 403, body={"message": "Resource not accessible by integration"}, times=5)
    code, log = act(settings(tmp_path, fake_github, "issues", payload))
    assert code == 1
    [error] = [ln for ln in log.splitlines() if ln.startswith("::error")]
    assert "403" in error and "issues: write" in error and "ghs_action_token" not in log


def test_route_mode_on_workflow_dispatch(fake_github, runner_env, tmp_path):
    fake_github.add_repo(REPO)
    fake_github.add_issue(REPO, 5, "Rewrite the payment service's auth layer", "Touches auth/session.py and crypto.")
    payload = {"inputs": {"issue_number": "5"}, "repository": {"full_name": REPO}, "sender": {"login": "octocat", "type": "User"}}
    code, log = act(settings(tmp_path, fake_github, "workflow_dispatch", payload, mode="route"))
    assert code == 0, log
    assert parse_outputs(runner_env["output"].read_text())["result"] == "routed"
    assert sticky(fake_github, 5)


def test_dispatch_mode_routes_then_starts_the_executor(fake_github, runner_env, tmp_path):
    fake_github.add_repo(REPO)
    fake_github.add_issue(REPO, 6, "Fix a typo in the README", "teh → the")
    fake_github.set_permission(REPO, "octocat", "write")  # who may run workflows by hand has write access
    payload = {"inputs": {"issue_number": "6"}, "repository": {"full_name": REPO}, "sender": {"login": "octocat", "type": "User"}}
    code, log = act(settings(tmp_path, fake_github, "workflow_dispatch", payload, mode="dispatch", run_id="77"))
    assert code == 0, log
    [dispatched] = fake_github.repo(REPO)["workflow_dispatches"]
    outputs = parse_outputs(runner_env["output"].read_text())
    assert outputs["result"] == "dispatched" and outputs["dispatch"] == "dispatched"
    assert json.dumps(dispatched).count(outputs["model"]) >= 1


def _execution_file(tmp_path: Path, cost: float, *, ok: bool = True) -> Path:
    path = tmp_path / f"execution-{cost}.json"
    messages = [
        {"type": "system", "subtype": "init", "model": "m"},
        {"type": "result", "subtype": "success" if ok else "error_max_turns", "is_error": not ok,
         "total_cost_usd": cost, "num_turns": 4, "duration_ms": 1234, "result": "done"},
    ]
    path.write_text(json.dumps(messages))
    return path


def test_report_posts_actual_cost_into_the_sticky_comment(fake_github, webhook_example, runner_env, tmp_path):
    opened = webhook_example("issues", "opened")
    fake_github.seed_payload(opened)
    assert act(settings(tmp_path, fake_github, "issues", opened))[0] == 0
    before = sticky(fake_github, 1)[0]["body"]
    dispatch_event = {
        "inputs": {"issue_number": "1", "tier": "haiku", "model": "claude-haiku-x", "complexity": "simple", "routing_id": "r1"},
        "repository": {"full_name": REPO}, "sender": {"login": "github-actions[bot]", "type": "Bot"},
    }
    for run_id, cost, ok in (("101", 0.0123, False), ("102", 0.2345, True)):
        code, log = act(settings(tmp_path, fake_github, "workflow_dispatch", dispatch_event, mode="report",
                                 run_id=run_id, execution_file=_execution_file(tmp_path, cost, ok=ok),
                                 branch_name=f"claude/issue-1-{run_id}"))  # claude-code-action's branch_name
        assert code == 0, log
    [comment] = sticky(fake_github, 1)
    body = comment["body"]
    assert RUNS_BEGIN in body and "$0.0123" in body and "$0.2345" in body
    assert "failure" in body and "success" in body and "actions/runs/102" in body
    unstated = lambda text: "\n".join(ln for ln in text.splitlines() if not ln.startswith(STATE_PREFIX))  # noqa: E731
    assert unstated(body.split(RUNS_BEGIN)[0]).strip() == unstated(before.split("<details>")[0]).strip()
    runs = decode(body).runs  # what the next job recovers
    assert [(r.tier, r.status, r.actual_cost_usd, r.run_id) for r in runs] == [
        ("haiku", "failure", 0.0123, 101), ("sonnet", "dispatched", None, None),  # the failure escalated, as in the App
        ("haiku", "success", 0.2345, 102)]
    assert [d["inputs"]["tier"] for d in fake_github.repo(REPO)["workflow_dispatches"]] == ["sonnet"]
    outputs = parse_outputs(runner_env["output"].read_text())
    assert outputs["actual-cost"] == "0.234500" and outputs["success"] == "true"


def test_report_needs_the_execution_file(fake_github, runner_env, tmp_path):
    fake_github.add_repo(REPO)
    payload = {"inputs": {"issue_number": "1"}, "repository": {"full_name": REPO}}
    code, log = act(settings(tmp_path, fake_github, "workflow_dispatch", payload, mode="report"))
    assert code == 1 and "execution-file" in log
    # the input set but no file there: a run whose agent never ran (tests/test_no_agent_run.py)


def test_dry_run_gate_sets_no_status(fake_github, webhook_example, runner_env, tmp_path):
    payload = webhook_example("pull_request", "opened")
    fake_github.seed_payload(payload)
    code, log = act(settings(tmp_path, fake_github, "pull_request", payload, dry_run=True))
    assert code == 0, log
    assert fake_github.writes() == [] and fake_github.repo(REPO)["statuses"] == []


def test_other_workflow_runs_are_ignored(fake_github, webhook_example, runner_env, tmp_path):
    payload = webhook_example("workflow_run", "completed")
    fake_github.seed_payload(payload)
    code, log = act(settings(tmp_path, fake_github, "workflow_run", payload, repository=payload["repository"]["full_name"]))
    assert code == 0, log
    assert parse_outputs(runner_env["output"].read_text())["result"] == "ignored"
    assert fake_github.writes() == []


def test_a_persons_label_survives_later_jobs(fake_github, webhook_example, runner_env, tmp_path):
    """Jobs share no store: a later job recovers the person's choice from the issue and does not fight it."""
    opened = webhook_example("issues", "opened")
    fake_github.seed_payload(opened)
    assert act(settings(tmp_path, fake_github, "issues", opened))[0] == 0
    routed = Tier(parse_outputs(runner_env["output"].read_text())["tier"])
    chosen = Tier.opus if routed is not Tier.opus else Tier.haiku
    label = CONFIG.labels.model_label(chosen)

    def event(action: str, **extra) -> dict:
        payload = webhook_example("issues", action)
        payload["issue"]["labels"] = [{"name": n} for n in fake_github.labels_on(REPO, 1)]
        payload.update(extra)
        return payload

    fake_github.add_label(REPO, label)  # a person adds the label in the UI
    fake_github.issue(REPO, 1)["labels"].append(label)
    code, log = act(settings(tmp_path, fake_github, "issues", event("labeled", label={"name": label})))
    assert code == 0, log
    assert label in fake_github.labels_on(REPO, 1) and CONFIG.labels.model_label(routed) not in fake_github.labels_on(REPO, 1)

    edited = event("edited", changes={"body": {"from": "old text"}})
    edited["issue"]["body"] = "Fix the typo. Nothing else."
    code, log = act(settings(tmp_path, fake_github, "issues", edited))
    assert code == 0, log
    assert label in fake_github.labels_on(REPO, 1), "a later job re-routed over a person's label"
    assert "earlier overrides by people: tier=" + chosen.value in log

    # a person removes the router's label: later jobs do not put it back
    fake_github.issue(REPO, 1)["labels"].remove(label)
    code, log = act(settings(tmp_path, fake_github, "issues", event("reopened")))
    assert code == 0, log
    assert not [n for n in fake_github.labels_on(REPO, 1) if n.startswith(CONFIG.labels.model_prefix)]
