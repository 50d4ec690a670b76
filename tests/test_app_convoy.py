"""A convoy through the App's real door: signed webhooks → intake → job queue → worker, redelivered too."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import create_engine

from bot.config.source import FixedConfig
from bot.context import Context
from bot.convoy import render, service
from bot.simulator.convoy_demo import PARENT, REPO, Simulation
from bot.store.issues import IssueStore

CONFIG = "budgets:\n  max_concurrent_runs: 2\nllm:\n  enabled: false\n"


@dataclass
class AppSimulation(Simulation):
    post: Callable[..., Any] = None  # type: ignore[assignment]
    run_jobs: Callable[..., int] = None  # type: ignore[assignment]

    def deliver(self, event: str, payload: dict) -> Any:
        self.delivered.append((event, json.loads(json.dumps(payload))))
        resp = self.post(event, payload)
        assert resp.status_code in (200, 202), resp.get_data(as_text=True)
        self.run_jobs(wait_for_retries=True)
        return resp


def test_app_runs_a_convoy_and_ignores_redeliveries(fake_github, app_settings, post_event, run_jobs):
    fake_github.add_repo(REPO, files={".github/model-router.yml": CONFIG})
    fake_github.add_issue(REPO, PARENT, title="Make the exporters pluggable across modules", body="One registry.")
    reader = Context(gh=None, repo=REPO, store=IssueStore(create_engine(app_settings.database_url)), configs=FixedConfig())
    sim = AppSimulation(fake_github, reader, fail_first={"csv"}, post=post_event, run_jobs=run_jobs)
    sim.comment("/plan")
    sim.run()
    c = service.load(reader, PARENT)
    assert c is not None and c.status == "done" and len(c.tasks) == 5
    runs = len(fake_github.repo(REPO)["workflow_dispatches"])
    assert runs == 1 + 5 + 1  # the plan, five tasks, one escalation
    issues = len(fake_github.repo(REPO)["issues"])
    for event, payload in list(sim.delivered):  # every delivery again, with new delivery ids
        sim.post(event, payload)
    sim.run_jobs(wait_for_retries=True)
    assert len(fake_github.repo(REPO)["workflow_dispatches"]) == runs
    assert len(fake_github.repo(REPO)["issues"]) == issues
    body = next(x["body"] for x in fake_github.comments(REPO, PARENT) if x["body"].startswith(render.MARKER))
    assert "### Convoy: 5/5 tasks done — done" in body
    assert "Opus review of the whole:** not_configured" in body  # no API key: never shown as a pass
