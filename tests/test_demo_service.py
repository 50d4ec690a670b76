"""`make demo`'s service part: the App routes the bundled samples, simulated runs report outcomes, and the five
numbers it prints agree with the samples as the App routes them (a new issue has no changed-file count)."""

from __future__ import annotations

import io
import re

import pytest

from bot.simulator.demo_service import run_service_demo
from bot.simulator.samples import load_samples, route_samples


def _numbers(text: str) -> dict[str, str]:
    block = text.split("The five numbers", 1)[1].split("\nDashboard:", 1)[0]
    return {m[1].strip(): m[2] for m in re.finditer(r"^  (.+?)\s{2,}(\S+)  target", block, re.M)}


@pytest.mark.slow
def test_the_service_demo_routes_the_samples_and_records_outcomes(monkeypatch):
    monkeypatch.setenv("CI", "1")  # do not wait for Enter
    out = io.StringIO()
    assert run_service_demo(out) == 0
    text = out.getvalue()
    samples = load_samples()
    assert text.count("delivered issues.opened") == len(samples) == 13
    assert f"all {len(samples)} issues labelled and commented" in text
    rows = route_samples(files=False)  # what the App sees of a new issue: text and labels
    est = sum(d.estimated_cost_usd for _, d in rows)
    base = sum(d.baseline_cost_usd for _, d in rows)
    haiku = sum(d.tier.value == "haiku" for _, d in rows)
    numbers = _numbers(text)
    assert numbers["Savings vs no routing (estimated)"] == f"{1 - est / base:.1%}"
    assert numbers["Haiku share"] == f"{haiku / len(rows):.1%}"
    assert numbers["Average task cost (estimated)"] == f"${est / len(rows):.4f}"
    assert numbers["Haiku first-try success"] != "—" and numbers["Routing accuracy"] != "—"
    assert re.search(r"simulated executor: \d+ runs on 13 issues, 1 escalation", text)
    # each number says whether it meets its target; average cost's is relative to no routing (0.85x by default)
    block = text.split("The five numbers", 1)[1].split("\nDashboard:", 1)[0]
    marks = dict(re.findall(r"^  (.+?)\s{2,}\S+  target .+? (met|MISSES its target|not enough data)$", block, re.M))
    assert len(marks) == 5
    assert marks["Average task cost (estimated)"] == ("met" if est / base <= 0.85 else "MISSES its target")
    # one savings figure, one format: no cost ratios ("0.69x") beside the percentages
    assert not re.search(r"\d\.\d+x", text)


@pytest.mark.parametrize("title, runs, escalated", [
    # #22: a race condition executes on sonnet (opus reviews), never on haiku without learned evidence
    ("Race condition when two workers claim the same job", [("execute", "sonnet", "success")], []),
    ("Search results page is confusing on mobile", [("execute", "sonnet", "failure"), ("execute", "opus", "success")],
     ["#1 sonnet → opus"]),
])
def test_the_simulated_executor_runs_the_phases_and_escalates(tmp_path, title, runs, escalated):
    from sqlalchemy import create_engine

    from bot.config import RepoConfig
    from bot.models import IssueInput
    from bot.routing import route
    from bot.simulator.demo_outcomes import record_outcomes
    from bot.store.issues import IssueStore

    store = IssueStore(create_engine(f"sqlite:///{tmp_path / 'o.db'}"))
    sample = next(s for s in load_samples() if s["title"] == title)
    store.record_decision("o/r", 1, route(IssueInput(title=title, body=sample["body"], labels=sample["labels"]),
                                          RepoConfig()))
    done = record_outcomes(store, "o/r", {1: title})
    got = [(d["mode"], d["tier"], d["status"]) for d in store.current("o/r", 1)["dispatches"]]
    assert got == runs and done.escalations == escalated and done.runs == len(runs)
