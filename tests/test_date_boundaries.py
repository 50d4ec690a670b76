"""Every rule that reads the date, checked at the first second of a new month, quarter and year and after a leap
day, with the clock frozen (issue #25: a test that read today's date failed every day after the month turned).

The stores here keep their default clock, so these tests also prove that time-machine reaches the store's `utcnow`.
"""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine

from bot.config import RepoConfig
from bot.measures.breakdown import week_of, weekly
from bot.models import Complexity, RoutingDecision, Strategy, Tier
from bot.review.diff import DiffPlan
from bot.review.guard import refusal
from bot.store.issues import IssueStore
from bot.store.memory import MemoryIssueStore

SECOND = timedelta(seconds=1)
REPO = "o/r"


@pytest.fixture(params=["sqlite", "memory"])
def store(request, tmp_path):
    if request.param == "memory":
        return MemoryIssueStore()
    return IssueStore(create_engine(f"sqlite:///{tmp_path / 'dates.db'}"))


def _dispatched(store, key: str, cost: float) -> str:
    row, _ = store.claim_dispatch(key=key, repo=REPO, number=1, tier="haiku", model="m", complexity="simple",
                                  estimated_cost_usd=cost)
    store.update_dispatch(row.dispatch_id, status="dispatched")
    return row.dispatch_id


def test_the_month_spend_turns_with_the_month(boundary, time_machine, store):
    time_machine.move_to(boundary - SECOND, tick=False)
    _dispatched(store, "last-second", 2.0)
    assert store.month_spend(REPO) == pytest.approx(2.0)
    time_machine.move_to(boundary, tick=False)
    assert store.month_spend(REPO) == 0.0  # last month's run is not this month's spend
    _dispatched(store, "first-second", 3.0)
    assert store.month_spend(REPO) == pytest.approx(3.0)
    time_machine.move_to(boundary + timedelta(days=27), tick=False)  # still the same month, even in February
    assert store.month_spend(REPO) == pytest.approx(3.0)


def test_a_run_across_the_boundary_is_active_until_it_is_stale(boundary, time_machine, store):
    time_machine.move_to(boundary - SECOND, tick=False)
    _dispatched(store, "late", 1.0)
    time_machine.move_to(boundary + timedelta(hours=6, minutes=59), tick=False)
    assert store.active_runs(REPO) == 1
    time_machine.move_to(boundary + timedelta(hours=7), tick=False)
    assert store.active_runs(REPO) == 0  # GitHub ends a job after 6 hours: the cap stops counting it


def test_the_review_budget_turns_with_the_month(boundary, time_machine, store):
    time_machine.move_to(boundary - SECOND, tick=False)
    store.record_review(REPO, 1, head_sha="a" * 40, model="m", verdict="pass", state="success", trigger="opened",
                        cost_usd=5.0, author="dev")
    ctx = SimpleNamespace(store=store, repo=REPO, config=RepoConfig.model_validate({"budgets": {"monthly_usd": 4.0}}))
    plan = DiffPlan(chunks=[], skipped=[], commentable={})
    assert "budgets.monthly_usd" in refusal(ctx, SimpleNamespace(user_login="dev"), plan, "m", 1000, "review")
    time_machine.move_to(boundary, tick=False)
    assert refusal(ctx, SimpleNamespace(user_login="dev"), plan, "m", 1000, "review") == ""


def test_the_per_author_day_is_24_hours_not_a_calendar_day(boundary, time_machine, store):
    time_machine.move_to(boundary - SECOND, tick=False)
    store.record_review(REPO, 1, head_sha="b" * 40, model="m", verdict="pass", state="success", trigger="opened",
                        cost_usd=0.1, author="dev")
    time_machine.move_to(boundary + timedelta(hours=23), tick=False)
    since = datetime.now() - timedelta(days=1)  # naive, as the store keeps UTC
    assert store.reviews_by_author(REPO, "dev", since) == 1
    time_machine.move_to(boundary + timedelta(hours=24), tick=False)
    assert store.reviews_by_author(REPO, "dev", datetime.now() - timedelta(days=1)) == 0


def _decision() -> RoutingDecision:
    return RoutingDecision(tier=Tier.haiku, model="claude-haiku-x", complexity=Complexity.simple, confidence=0.8,
                           strategy=Strategy.pattern, rationale="r", estimated_cost_usd=0.02, baseline_cost_usd=0.06,
                           savings_usd=0.04)


def test_weekly_charts_are_contiguous_across_the_boundary(boundary, time_machine, store):
    days = [boundary - timedelta(days=10), boundary - SECOND, boundary, boundary + timedelta(days=9)]
    for n, when in enumerate(days, start=1):
        time_machine.move_to(when, tick=False)
        store.record_decision(REPO, n, _decision())
    weeks = [date.fromisoformat(w) for w in weekly(store.rollup(REPO))["weeks"]]
    assert weeks[0] == week_of(days[0].date()) and weeks[-1] == week_of(days[-1].date())
    assert all(b - a == timedelta(weeks=1) for a, b in zip(weeks, weeks[1:]))  # no week lost at the turn
    assert all(w.weekday() == 0 for w in weeks)


def test_boundaries_are_what_they_say(boundary):
    before = boundary - SECOND
    assert boundary.day == 1 and boundary.time() == datetime.min.time() and before.month != boundary.month
