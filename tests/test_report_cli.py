"""`model-router report`: haiku share, success per tier, average cost, savings vs all-Sonnet, accuracy."""

import json

import pytest
from sqlalchemy import create_engine

from bot.cli import main
from bot.cli.report import compute
from bot.models import Complexity, RoutingDecision, Strategy, Tier
from bot.store.issues import IssueStore


def decision(tier, est, base=0.30):
    return RoutingDecision(
        tier=tier, model=f"m-{tier.value}", complexity=Complexity.simple, confidence=0.9, strategy=Strategy.pattern,
        rationale="r", estimated_cost_usd=est, baseline_cost_usd=base, savings_usd=base - est,
    )


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'exp.db'}"
    store = IssueStore(create_engine(url))
    # 4 issues in o/r: 3 haiku, 1 sonnet; one overridden; runs: haiku 2 ok + 1 failed, sonnet 1 ok
    for n, tier, est in [(1, Tier.haiku, 0.10), (2, Tier.haiku, 0.10), (3, Tier.haiku, 0.10), (4, Tier.sonnet, 0.30)]:
        store.record_decision("o/r", n, decision(tier, est))
    store.record_decision("x/y", 1, decision(Tier.opus, 1.0, base=0.5))
    store.record_override("o/r", 4, field="tier", old="haiku", new="sonnet", by="alice")
    runs = [(1, "haiku", True, 0.05), (2, "haiku", True, 0.07), (3, "haiku", False, 0.04), (3, "sonnet", True, 0.20)]
    for i, (n, tier, ok, cost) in enumerate(runs):
        row, _ = store.claim_dispatch(key=f"k{i}", repo="o/r", number=n, tier=tier, model="m", complexity="simple")
        store.record_outcome(row["dispatch_id"], run_id=100 + i, success=ok, actual_cost_usd=cost)
    return url, store


def test_compute(db):
    _, store = db
    r = compute(store.records("o/r"))
    assert r["issues"] == 4 and r["haiku_share"] == 0.75
    assert r["success_by_tier"]["haiku"] == {"runs": 3, "success": 2, "success_rate": pytest.approx(2 / 3)}
    assert r["success_by_tier"]["sonnet"]["success_rate"] == 1.0 and r["success_by_tier"]["opus"]["success_rate"] is None
    assert r["haiku_target_met"] is False
    assert r["routing_accuracy"] == 0.75
    # issue costs: 0.05, 0.07, 0.04+0.20, and issue 4 has no runs -> its estimate 0.30
    assert r["average_actual_cost_usd"] == pytest.approx((0.05 + 0.07 + 0.24) / 3)
    assert r["cost_usd"] == pytest.approx(0.05 + 0.07 + 0.24 + 0.30)
    assert r["savings_vs_all_sonnet_usd"] == pytest.approx(1.20 - 0.66)


def test_empty():
    r = compute([])
    assert r["issues"] == 0 and r["haiku_share"] is None and r["routing_accuracy"] is None


def test_cli_text_and_json(db, capsys):
    url, _ = db
    assert main(["report", "--database-url", url, "--repo", "o/r"]) == 0
    out = capsys.readouterr().out
    assert "Haiku share:            75.0%" in out and "BELOW target ≥ 85%" in out and "Routing accuracy:       75.0%" in out
    assert main(["report", "--database-url", url, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["issues"] == 5 and data["tiers"] == {"haiku": 3, "sonnet": 1, "opus": 1}


def test_cli_empty_store(tmp_path, capsys):
    assert main(["report", "--database-url", f"sqlite:///{tmp_path / 'none.db'}"]) == 0
    assert "no routed issues" in capsys.readouterr().out
    assert not (tmp_path / "none.db").exists()  # reading leaves no empty store behind


def test_cli_bad_url(capsys):
    assert main(["report", "--database-url", "nosuchdb://x"]) == 2
    assert capsys.readouterr().err.startswith("model-router: cannot read the experiments store")
