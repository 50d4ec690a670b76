"""`model-router report`: the five measures against their targets, --by breakdowns, --json, --csv, --html."""

import csv
import io
import json

import pytest
from sqlalchemy import create_engine

from bot.cli import main
from bot.cli.report import build_report
from bot.measures import Targets
from bot.models import Complexity, RoutingDecision, Strategy, Tier
from bot.simulator.history import seed_history
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
    # 4 issues in o/r: 3 haiku, 1 sonnet; #4 re-routed by a person; runs: haiku 2 ok + 1 failed then sonnet ok
    for n, tier, est in [(1, Tier.haiku, 0.10), (2, Tier.haiku, 0.10), (3, Tier.haiku, 0.10), (4, Tier.sonnet, 0.30)]:
        store.record_decision("o/r", n, decision(tier, est))
    store.record_decision("x/y", 1, decision(Tier.opus, 1.0, base=0.5))
    store.record_override("o/r", 4, field="tier", old="haiku", new="sonnet", by="alice")
    runs = [(1, "haiku", True, 0.05, 1), (2, "haiku", True, 0.07, 1), (3, "haiku", False, 0.04, 1),
            (3, "sonnet", True, 0.20, 2)]
    for i, (n, tier, ok, cost, attempt) in enumerate(runs):
        row, _ = store.claim_dispatch(key=f"k{i}", repo="o/r", number=n, tier=tier, model="m", complexity="simple",
                                      attempt=attempt)
        store.record_outcome(row.dispatch_id, run_id=100 + i, success=ok, actual_cost_usd=cost)
    return url, store


def test_report_numbers(db):
    _, store = db
    r = build_report(store.engine, "o/r", None, None, Targets())
    m = r["measures"]
    assert r["issues"] == 4 and m["haiku_share"]["value"] == 0.75
    assert m["haiku_success"]["value"] == pytest.approx(2 / 3) and m["haiku_success"]["met"] is False
    # judged: #1 ok, #2 ok, #3 first run failed, #4 re-routed -> 2 of 4
    assert m["routing_accuracy"]["value"] == 0.5
    # actual costs of the 3 issues with runs (0.05, 0.07, 0.24) against their baseline (0.90)
    assert m["average_cost"]["label"] == "actual" and m["average_cost"]["value"] == pytest.approx(0.36 / 3)
    assert m["savings"]["label"] == "actual" and m["savings"]["value"] == pytest.approx(1 - 0.36 / 0.90)
    assert m["savings"]["estimated"] == pytest.approx(1 - 0.60 / 1.20)
    assert r["summary"]["escalations"] == 1 and r["summary"]["spend_usd"] == pytest.approx(0.36 + 0.30)


def test_cli_text_json_csv(db, capsys):
    url, _ = db
    assert main(["report", "--database-url", url, "--repo", "o/r"]) == 0
    out = capsys.readouterr().out
    assert "4 routed issue(s) (haiku 3, sonnet 1, opus 0)" in out
    assert "Haiku first-try success:" in out and "MISSES target ≥ 85%" in out and "Routing accuracy:" in out
    assert main(["report", "--database-url", url, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["issues"] == 5 and data["tiers"] == {"haiku": 3, "sonnet": 1, "opus": 1} and data["store"] == "ok"
    assert main(["report", "--database-url", url, "--by", "repo", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["repo"], r["issues"], r["opus"]) for r in rows] == [("o/r", "4", "0"), ("x/y", "1", "1")]
    assert main(["report", "--database-url", url, "--by", "tier"]) == 0
    assert "  haiku             3" in capsys.readouterr().out


def test_by_week_and_since(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    seed_history(create_engine(url), ["o/a", "o/b"], 600, weeks=8)
    assert main(["report", "--database-url", url, "--by", "week", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["groups"]) >= 8 and sum(g["issues"] for g in data["groups"]) == 600
    assert main(["report", "--database-url", url, "--since", "2026-11-16", "--repo", "o/a", "--json"]) == 0
    recent = json.loads(capsys.readouterr().out)
    assert 0 < recent["issues"] < 300 and recent["since"] == "2026-11-16T00:00:00"
    with pytest.raises(SystemExit) as exc:
        main(["report", "--database-url", url, "--since", "yesterday"])
    assert exc.value.code == 2 and "not a date: 'yesterday'" in capsys.readouterr().err


def test_html_is_self_contained(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    seed_history(create_engine(url), ["o/a"], 200)
    out = tmp_path / "report.html"
    assert main(["report", "--database-url", url, "--html", str(out)]) == 0
    html = out.read_text()
    assert "Chart.js v4" in html and '"weeks": [' in html and html.count('class="card ') == 5
    assert "<script src=" not in html and "<link " not in html and "http://" not in html.split("<script>")[0]
    assert "o/a#" in html


def test_cli_empty_store(tmp_path, capsys):
    assert main(["report", "--database-url", f"sqlite:///{tmp_path / 'none.db'}"]) == 0
    assert "no routed issues" in capsys.readouterr().out
    assert main(["report", "--database-url", f"sqlite:///{tmp_path / 'none.db'}", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["issues"] == 0 and data["store"] == "missing" and data["measures"]["haiku_share"]["value"] is None
    assert not (tmp_path / "none.db").exists()  # reading leaves no empty store behind


def test_cli_bad_url(capsys):
    assert main(["report", "--database-url", "nosuchdb://x"]) == 2
    assert capsys.readouterr().err.startswith("model-router: cannot read the experiments store")


def test_report_shows_the_phases(tmp_path, capsys):
    from bot.config import RepoConfig
    from bot.models import IssueInput
    from bot.routing import route

    url = f"sqlite:///{tmp_path / 'p.db'}"
    store = IssueStore(create_engine(url))
    for n, title in enumerate(["Fix typo in README", "Migration of data from v1 tables", "Rotate the API key"], 1):
        store.record_decision("o/r", n, route(IssueInput(title=title), RepoConfig()))
    assert main(["report", "--database-url", url, "--json"]) == 0
    phases = json.loads(capsys.readouterr().out)["phases"]
    assert phases["plan"]["tiers"] == {"sonnet": 1} and phases["review"]["tiers"] == {"opus": 2}
    assert phases["execute"]["tiers"] == {"haiku": 2, "sonnet": 1}
    assert main(["report", "--database-url", url]) == 0
    assert "Phases (estimated):     plan 1 (sonnet 1)" in capsys.readouterr().out


def test_the_report_shows_and_counts_the_classifier_spend(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    store = IssueStore(create_engine(url))
    for n in (1, 2):
        store.record_decision("o/r", n, decision(Tier.haiku, 0.10).model_copy(update={"classifier_cost_usd": 0.01}))
    store.record_decision("o/r", 3, decision(Tier.haiku, 0.10))
    r = build_report(store.engine, "o/r", None, None, Targets())
    assert r["summary"]["classifier_usd"] == pytest.approx(0.02) and r["summary"]["classified"] == 2
    assert r["measures"]["savings"]["value"] == pytest.approx(1 - 0.32 / 0.90)
    assert r["measures"]["average_cost"]["value"] == pytest.approx(0.32 / 3)
    assert main(["report", "--database-url", url]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "LLM classifier:" in x)
    assert "$0.0200" in line and "on 2 of 3 issues" in line
    assert main(["report", "--database-url", url, "--csv"]) == 0
    row = next(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert float(row["classifier_usd"]) == pytest.approx(0.02)


def test_the_report_counts_the_human_scores_in_text_json_and_csv(db, capsys):
    url, store = db
    first, second = store.dispatches("o/r", 1)[0], store.dispatches("o/r", 3)[-1]
    store.record_score(first.dispatch_id, score=2, by="alice", note="")
    store.record_score(first.dispatch_id, score=4, by="bob", note="")  # one per run: the latest counts
    store.record_score(second.dispatch_id, score=5, by="bob", note="")
    assert main(["report", "--database-url", url, "--repo", "o/r"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "Human score" in x)
    assert "4.5/5 (2 rated runs)" in line
    assert main(["report", "--database-url", url, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["summary"]["average_score"], data["summary"]["rated_runs"]) == (4.5, 2)
    assert main(["report", "--database-url", url, "--by", "repo", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["repo"], r["average_score"], r["rated_runs"]) for r in rows] == [("o/r", "4.5", "2"), ("x/y", "", "0")]


def test_no_score_yet_says_so(db, capsys):
    url, _ = db
    assert main(["report", "--database-url", url]) == 0
    assert next(x for x in capsys.readouterr().out.splitlines() if "Human score" in x).rstrip().endswith("—")


def test_the_dashboard_and_the_actions_report_show_the_score_beside_the_five_numbers(db, tmp_path, capsys):
    from bot.measures.mermaid import report_markdown

    url, store = db
    out = tmp_path / "report.html"
    assert main(["report", "--database-url", url, "--html", str(out)]) == 0
    html = out.read_text()
    assert 'data-figure="average_score"' in html and "no run rated yet" in html and html.count('class="card ') == 5
    assert "Human quality score" not in report_markdown(store.rollup("o/r"), title="t")
    store.record_score(store.dispatches("o/r", 2)[0].dispatch_id, score=3, by="bob", note="")
    assert main(["report", "--database-url", url, "--html", str(out)]) == 0
    figure = out.read_text().split('data-figure="average_score"')[1].split("</div>\n  </div>")[0]
    assert "3.0/5" in figure and "average of 1 rated run " in figure
    assert "Human quality score (`/rate`): 3.0/5 (1 rated run)." in report_markdown(store.rollup("o/r"), title="t")
