"""One savings figure, defined once in bot/measures (1 − cost / no-routing baseline) and shown the same way by the
demo, the sticky comment, `report` and the dashboard; the demo marks which of the five numbers miss their target."""

from __future__ import annotations

import re

from bot.config import RepoConfig
from bot.issues.render import routing_comment
from bot.measures.definitions import Tally, fmt, measure, met_mark, savings
from bot.models import IssueInput
from bot.routing import route
from bot.simulator.demo import render
from bot.simulator.samples import route_samples


def test_the_definition():
    assert savings(64.0, 100.0) == 0.36 and fmt("savings", savings(64.0, 100.0)) == "36.0%"
    assert savings(1.0, 0.0) is None and fmt("savings", None) == "—"
    assert savings(2.0, 1.0) == -1.0  # dearer than no routing is a negative saving, not hidden


def test_the_measure_is_that_definition():
    t = Tally(issues=2, estimated_usd=3.0, baseline_usd=4.0)
    assert measure(t)["savings"]["value"] == savings(3.0, 4.0)


def test_the_demo_table_states_it_the_same_way():
    rows = route_samples()
    text = render(rows)
    figure = fmt("savings", savings(sum(d.estimated_cost_usd for _, d in rows), sum(d.baseline_cost_usd for _, d in rows)))
    assert f"savings vs no routing (estimated) {figure}." in text
    assert "of it)" not in text and not re.search(r"\d\.\d+x", text)


def test_the_sticky_comment_states_it_the_same_way():
    d = route(IssueInput(title="Fix typo in README", body=""), RepoConfig())
    body = routing_comment(d)
    assert f"({fmt('savings', savings(d.estimated_cost_usd, d.baseline_cost_usd))})" in body


def test_misses_are_marked_in_words():
    assert met_mark(True) == "met" and met_mark(False) == "MISSES its target" and met_mark(None) == "not enough data"



def test_the_convoy_comment_states_it_the_same_way():
    from bot.convoy.render import checklist
    from bot.convoy.state import Convoy, TaskState

    tasks = [TaskState(id=i, title=i, description=i, acceptance=i, status="done", cost_usd=c, baseline_usd=b)
             for i, c, b in (("a", 0.01, 0.20), ("b", 0.05, 0.30))]
    c = Convoy(repo="o/r", parent=1, plan_cost_usd=0.04, status="done", tasks=tasks)
    text = checklist(c)
    assert f"savings vs no routing {fmt('savings', savings(0.10, 0.50))}." in text and "% less" not in text
