"""One App executor run that comes back as a `workflow_run` event, shared by the tests of how a finished run is
judged (tests/test_run_finished.py, tests/test_no_agent_run.py)."""

from __future__ import annotations

from sqlalchemy import create_engine

from bot.config import RepoConfig
from bot.config.source import FixedConfig
from bot.context import Context
from bot.handlers import handle_event
from bot.issues.service import route_issue
from bot.runs import executor
from bot.store.issues import IssueStore
from tests.plugins.action import act, settings

APP_REPO, ACTION_REPO = "octo-org/app-repo", "octo-org/action-repo"
TITLE, BODY = "Fix typo in README", "Small change."


def seed(fake, repo):
    fake.add_repo(repo)
    fake.add_issue(repo, 1, title=TITLE, body=BODY)
    fake.set_permission(repo, "octocat", "write")


def app_run(fake, gh, webhook_example, tmp_path, files, conclusion="failure"):
    """/dispatch on the App; the executor's run comes back as a workflow_run event, its artifact holding `files`
    (none: no artifact). Returns the context, the payload and what handling it did."""
    seed(fake, APP_REPO)
    store = IssueStore(create_engine(f"sqlite:///{tmp_path / 'app.db'}"))
    ctx = Context(gh=gh, repo=APP_REPO, store=store, configs=FixedConfig(RepoConfig))
    route_issue(ctx, 1)
    row = executor.start_run(ctx, 1, cause="comment:42", by="octocat").dispatch
    payload = webhook_example("workflow_run", "completed", index=1)
    run = payload["workflow_run"]
    run.update(id=5551, conclusion=conclusion, path=".github/workflows/model-router-executor.yml",
               event="workflow_dispatch", display_title=f"model-router #1 execute on {row.tier} [mr:{row.dispatch_id}]",
               head_branch="main")
    run["actor"]["login"] = "github-actions[bot]"
    run["head_repository"]["full_name"] = run["repository"]["full_name"] = APP_REPO
    if files is not None:
        fake.add_artifact(APP_REPO, 5551, "model-router-execution-5551-1", files=files)
    return ctx, payload, handle_event("workflow_run", payload, ctx)


def action_report(fake, tmp_path, execution, **report_inputs):
    """`mode: dispatch` in one job, then the executor's `report` job with `execution` as its execution-file."""
    seed(fake, ACTION_REPO)
    dispatch = {"inputs": {"issue_number": "1"}, "repository": {"full_name": ACTION_REPO},
                "sender": {"login": "octocat", "type": "User"}}
    assert act(settings(tmp_path, fake, "workflow_dispatch", dispatch, mode="dispatch", run_id="77",
                        repository=ACTION_REPO))[0] == 0
    [started] = fake.repo(ACTION_REPO)["workflow_dispatches"]
    report = {"inputs": started["inputs"], "repository": {"full_name": ACTION_REPO},
              "sender": {"login": "github-actions[bot]", "type": "Bot"}}
    return act(settings(tmp_path, fake, "workflow_dispatch", report, mode="report", run_id="5551",
                        repository=ACTION_REPO, execution_file=execution, **report_inputs))
