"""Issue #12 findings 12 and 13: replayed bodies are queued once; no event kind cancels another's pending run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from bot.store.db import make_engine
from bot.store.tables import init_db
from bot.store.jobs import JobQueue

WORKFLOW = Path(__file__).resolve().parents[1] / ".github" / "workflows" / "model-router.yml"


# -- finding 12: the same signed body under a new X-GitHub-Delivery ----------------------------------
def test_a_replayed_body_under_new_delivery_ids_is_queued_once(post_event, runtime, webhook_example):
    payload = webhook_example("issue_comment", "created")
    first = post_event("issue_comment", payload, delivery="d-original")
    assert first.status_code == 202 and first.json["status"] == "queued"
    for delivery in ("d-replay-1", "d-replay-2"):
        again = post_event("issue_comment", payload, delivery=delivery)
        assert again.status_code == 200 and again.json["status"] == "duplicate"
    assert sum(runtime.queue.counts().values()) == 1
    assert runtime.queue.by_delivery("d-replay-1") is None


def test_a_different_body_is_a_new_job(post_event, runtime, webhook_example):
    payload = webhook_example("issue_comment", "created")
    post_event("issue_comment", payload, delivery="d-1")
    payload["comment"]["id"] += 1
    assert post_event("issue_comment", payload, delivery="d-2").json["status"] == "queued"


def test_replays_inside_one_batch_are_one_job(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'j.db'}")
    init_db(engine)
    queue = JobQueue(engine)
    rows = [dict(delivery_id=f"d{i}", body_digest="ab" * 32, event="issues", action="opened", installation_id=1,
                 repo="o/r", subject="o/r#1", lane="installation:1", payload="{}", status="queued", attempts=0,
                 run_after=0.0, created_at=0.0) for i in range(3)]
    assert queue._intake.write_batch(rows) == [True, False, False]
    engine.dispose()


def test_an_existing_jobs_table_gains_the_column(tmp_path):
    from bot.store import migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:  # a database at the revision before the column existed
        from alembic import command

        command.upgrade(migrate._config(conn), "0002")
    init_db(engine)
    with engine.connect() as conn:
        cols = [r[1] for r in conn.execute(text("PRAGMA table_info(jobs)"))]
    assert "body_digest" in cols
    engine.dispose()


# -- finding 13: concurrency groups per event kind ----------------------------------------------------
def _eval(expr: str, ctx: dict) -> str:
    """Enough of GitHub's expression language for concurrency groups: `${{ a.b || c.d }}`."""
    def one(m: re.Match) -> str:
        for alt in m.group(1).split("||"):
            value: object = ctx
            for part in alt.strip().split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if value:
                return str(value)
        return ""

    return re.sub(r"\$\{\{(.*?)\}\}", one, expr)


def _groups(event_name: str, event: dict) -> set[str]:
    wf = yaml.safe_load(WORKFLOW.read_text())
    ctx = {"github": {"event_name": event_name, "event": event, "run_id": 1234}}
    out = set()
    for job in wf["jobs"].values():
        if event_name not in job.get("if", ""):
            continue  # the job does not run for this event
        conc = job.get("concurrency") or wf.get("concurrency") or {}
        group = conc.get("group") if isinstance(conc, dict) else conc
        assert group, "every job has a concurrency group"
        out.add(_eval(group, ctx))
    return out


def test_a_comment_never_shares_a_group_with_the_gate():
    pr = {"number": 7}
    gate = _groups("pull_request_target", {"pull_request": pr})
    comment = _groups("issue_comment", {"issue": {**pr, "pull_request": {}}, "comment": {"id": 99, "body": "see a/b"}})
    other_comment = _groups("issue_comment", {"issue": pr, "comment": {"id": 100, "body": "/review"}})
    route = _groups("issues", {"issue": pr})
    assert gate and comment and route
    assert not gate & comment and not gate & route and not comment & route
    assert not comment & other_comment  # nor does one comment cancel another's pending commands


@pytest.mark.parametrize("kind", ["pull_request_target"])
def test_gate_runs_of_one_pr_share_a_group(kind):
    assert _groups(kind, {"pull_request": {"number": 7}}) == _groups(kind, {"pull_request": {"number": 7}})
    assert _groups(kind, {"pull_request": {"number": 7}}) != _groups(kind, {"pull_request": {"number": 8}})


def test_workflow_still_loads_as_json():
    assert json.loads(json.dumps(yaml.safe_load(WORKFLOW.read_text())))["jobs"]
