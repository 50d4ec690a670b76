"""Review records and override audit rows in the experiments store (SQLite and PostgreSQL), and the report line."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine

from bot.catalog import price_for
from bot.cli import main
from bot.handlers import handle_event
from bot.store.issues import IssueStore
from tests.plugins.gate import AUTH, NUMBER, OPUS, REPO, SHA, seed  # noqa: F401


def _exercise(store: IssueStore) -> None:
    assert store.last_review("o/r", 1) is None
    store.record_review("o/r", 1, head_sha="a" * 40, model="m", verdict="pass", state="success", trigger="opened",
                        files=["x.py"], chunks=1)
    store.record_review("o/r", 1, head_sha="b" * 40, base_sha="a" * 40, model="m", verdict="fail", state="failure",
                        trigger="push", counts={"high": 2}, skipped=[{"file": "k.bin", "reason": "binary"}], cost_usd=0.5)
    store.record_review("o/r", 2, head_sha="c" * 40, model="m", verdict="pass", state="success", trigger="/review")
    last = store.last_review("o/r", 1)
    assert (last["head_sha"], last["base_sha"], last["verdict"], last["counts"], last["cost_usd"]) == (
        "b" * 40, "a" * 40, "fail", {"high": 2}, 0.5)
    assert last["skipped"] == [{"file": "k.bin", "reason": "binary"}]
    assert [r["number"] for r in store.reviews("o/r")] == [1, 1, 2]
    assert len(store.reviews("o/r", 1)) == 2 and store.reviews("other/repo") == []
    store.record_review_override("o/r", 1, head_sha="b" * 40, by="boss", reason="false positive")
    (o,) = store.review_overrides("o/r", 1)
    assert (o["by"], o["reason"], o["head_sha"]) == ("boss", "false positive", "b" * 40)
    assert store.review_overrides("o/r", 2) == []


def test_review_records_sqlite(tmp_path):
    _exercise(IssueStore(create_engine(f"sqlite:///{tmp_path / 'r.db'}")))


@pytest.mark.postgres
def test_review_records_memory():
    from bot.store.memory import MemoryIssueStore

    _exercise(MemoryIssueStore())


def test_review_records_postgres(pg_engine):
    pg_store = IssueStore(pg_engine)
    _exercise(pg_store)


def test_a_review_leaves_a_complete_record(fake_github, fake_anthropic, make_ctx, webhook_example):
    seed(fake_github, [AUTH, {"filename": "src/auth/keys.bin", "status": "added"}], labels=["security"])
    fake_anthropic.reply_with({"verdict": "pass_with_findings", "findings": [
        {"file": "src/auth/login.py", "line": 2, "severity": "medium", "title": "t", "explanation": "e"},
        {"file": "src/auth/login.py", "line": 3, "severity": "low", "title": "t", "explanation": "e"}]})
    ctx = make_ctx()
    handle_event("pull_request", webhook_example("pull_request", "opened"), ctx)
    (r,) = ctx.store.reviews(REPO, NUMBER)
    assert (r["head_sha"], r["base_sha"], r["model"], r["verdict"], r["state"], r["trigger"]) == (
        SHA, None, OPUS, "pass_with_findings", "failure", "opened")  # a binary file was not reviewed: #12 finding 2
    assert r["counts"] == {"medium": 1, "low": 1} and r["chunks"] == 1
    assert r["skipped"] == [{"file": "src/auth/keys.bin", "reason": "no text diff (binary or too large for the files API)"}]
    assert r["files"] == ["src/auth/keys.bin", "src/auth/login.py"]
    (call,) = fake_anthropic.requests  # priced from the usage the API reported, at the catalog's opus price
    assert r["cost_usd"] > 0
    assert r["cost_usd"] == pytest.approx(price_for(OPUS).cost(call.usage["input_tokens"], call.usage["output_tokens"]))


def test_no_record_when_no_review_runs(fake_github, fake_anthropic, make_ctx, webhook_example):
    seed(fake_github, [AUTH], labels=["security"])
    ctx = make_ctx(llm=False)
    handle_event("pull_request", webhook_example("pull_request", "opened"), ctx)
    assert ctx.store.reviews() == []


def test_compare_reports_ancestry(gh, fake_github):
    fake_github.add_repo(REPO)
    fake_github.set_compare(REPO, "a" * 40, "b" * 40, [{"filename": "x.py"}], status="diverged", ahead_by=2, behind_by=3)
    cmp = gh.compare(REPO, "a" * 40, "b" * 40)
    assert (cmp.status, cmp.ahead_by, cmp.behind_by, [f.filename for f in cmp.files]) == ("diverged", 2, 3, ["x.py"])


def test_report_shows_one_review_line(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    _exercise(IssueStore(create_engine(url)))
    assert main(["report", "--database-url", url]) == 0
    out = capsys.readouterr().out
    assert "Opus reviews:           3 on 2 PR(s) (1 fail, 2 pass); 1 incremental; 1 override(s)" in out
    assert main(["report", "--database-url", url, "--json", "--repo", "o/r"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["reviews"] == {"reviews": 3, "pull_requests": 2, "verdicts": {"fail": 1, "pass": 2},
                               "incremental": 1, "overrides": 1}
