"""IssueStore on PostgreSQL (127.0.0.1:5432, database `test`), in a throwaway schema."""

import pytest

from bot.models import Complexity, RoutingDecision, Strategy, Tier
from bot.store.issues import IssueStore

pytestmark = pytest.mark.postgres


@pytest.fixture
def store(pg_engine):
    return IssueStore(pg_engine)


def test_round_trip_on_postgres(store):
    d = RoutingDecision(
        tier=Tier.haiku, model="m", complexity=Complexity.simple, confidence=0.7, strategy=Strategy.pattern,
        rationale="r", estimated_cost_usd=0.1, baseline_cost_usd=0.3, savings_usd=0.2,
    )
    rid = store.record_decision("o/r", 1, d)
    assert store.record_decision("o/r", 1, d) == rid
    store.record_override("o/r", 1, field="tier", old="haiku", new="sonnet", by="a")
    big = 3_000_000_000  # GitHub run and comment ids no longer fit in 32 bits
    row, first = store.claim_dispatch(key="k", repo="o/r", number=1, tier="haiku", model="m", complexity="simple",
                                      comment_id=big, estimated_cost_usd=0.1)
    assert first and not store.claim_dispatch(key="k", repo="o/r", number=1, tier="haiku", model="m", complexity="simple")[1]
    store.update_dispatch(row.dispatch_id, status="dispatched")
    assert store.active_runs("o/r") == 1
    done, _ = store.record_outcome(row.dispatch_id, run_id=big + 1, success=True, actual_cost_usd=0.05)
    assert done.run_id == big + 1 and store.month_spend("o/r") == pytest.approx(0.05)
    store.set_reply("o/r", big, big + 2)
    assert store.reply_for("o/r", big) == big + 2
    [rec] = store.records("o/r")
    assert rec["overrides"] and rec["dispatches"][0]["status"] == "success"


def test_a_kind_stored_before_kinds_were_bounded_is_read_back_clipped_on_postgres(store):
    """The SQL store's code is one for both databases; PostgreSQL's JSON column reads the kind back clipped too."""
    from bot.models import MAX_KIND

    d = RoutingDecision(
        tier=Tier.haiku, model="m", complexity=Complexity.simple, confidence=0.7, strategy=Strategy.pattern,
        rationale="r", estimated_cost_usd=0.1, baseline_cost_usd=0.3, savings_usd=0.2,
    ).model_copy(update={"kind": "k" * 300})
    store.record_decision("o/r", 1, d)
    row, _ = store.claim_dispatch(key="k", repo="o/r", number=1, tier="haiku", model="m", complexity="simple")
    store.record_outcome(row.dispatch_id, run_id=1, success=True, actual_cost_usd=0.05)
    assert store.decision("o/r", 1).kind == "k" * MAX_KIND == store.records("o/r")[0]["decision"]["kind"]
    assert store.knowledge().own("o/r", "k" * MAX_KIND, Tier.haiku).attempts == 1
