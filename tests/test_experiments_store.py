"""The issue store contract (IssueStore on SQLite, and the Action's MemoryIssueStore): routing records, overrides,
idempotent dispatch claims, outcomes, budgets."""

import inspect

from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine

from bot.models import Complexity, RoutingDecision, Strategy, Tier
from bot.store.issues import IssueStore
from bot.store.memory import MemoryIssueStore


def decision(tier=Tier.haiku, strategy=Strategy.pattern, est=0.02, base=0.06):
    return RoutingDecision(
        tier=tier, model=f"claude-{tier.value}-x", complexity=Complexity.simple, confidence=0.8, strategy=strategy,
        rationale="r", estimated_cost_usd=est, baseline_cost_usd=base, savings_usd=base - est,
    )


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 20, 12, 0, 0)

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(params=["sqlite", "memory"])
def store(request, tmp_path, clock):
    if request.param == "memory":
        return MemoryIssueStore(clock=clock)
    return IssueStore(create_engine(f"sqlite:///{tmp_path / 'x.db'}"), clock=clock)


def _public(cls) -> dict[str, inspect.Signature]:
    return {n: inspect.signature(f) for n, f in inspect.getmembers(cls, inspect.isfunction) if not n.startswith("_")}


def test_the_memory_store_keeps_the_whole_contract():
    """The Action runs the shared services on MemoryIssueStore: every IssueStore method must exist there too."""
    real, memory = _public(IssueStore), _public(MemoryIssueStore)
    missing = sorted(set(real) - set(memory))
    assert not missing, f"add these to bot/store/memory.py: {missing}"
    differ = [n for n in real if list(real[n].parameters) != list(memory[n].parameters)]
    assert not differ, f"signatures differ: {differ}"


def test_the_memory_convoy_store_keeps_the_whole_contract():
    from bot.store.convoys import ConvoyStore
    from bot.store.memory import MemoryConvoyStore

    real, memory = _public(ConvoyStore), _public(MemoryConvoyStore)
    assert not sorted(set(real) - set(memory)), "add these to MemoryConvoyStore"
    assert all(list(real[n].parameters) == list(memory[n].parameters) for n in real)


def test_record_decision_is_one_row_per_issue(store):
    rid = store.record_decision("o/r", 1, decision())
    assert store.record_decision("o/r", 1, decision(Tier.sonnet, Strategy.override), source="override") == rid
    cur = store.current("o/r", 1)
    assert cur["routing_id"] == rid and cur["tier"] == "sonnet" and cur["auto_tier"] == "haiku"
    assert store.decision("o/r", 1).tier is Tier.sonnet
    assert store.current("o/r", 2) is None
    assert store.record_decision("o/r", 2, decision()) != rid


def test_overrides_listed(store):
    store.record_decision("o/r", 1, decision())
    store.record_override("o/r", 1, field="tier", old="haiku", new="opus", by="alice")
    store.record_override("o/r", 1, field="tier", old="opus", new="opus", by="alice")  # no change: not an override
    [o] = store.current("o/r", 1)["overrides"]
    assert (o["field"], o["old"], o["new"], o["by"]) == ("tier", "haiku", "opus", "alice")


def test_claim_dispatch_is_idempotent_and_error_is_reclaimable(store):
    store.record_decision("o/r", 1, decision())
    kw = dict(tier="haiku", model="m", complexity="simple", estimated_cost_usd=0.1)
    row, first = store.claim_dispatch(key="o/r#1:comment:9", repo="o/r", number=1, **kw)
    assert first and row.dispatch_id.startswith(store.current("o/r", 1)["routing_id"] + ".1.")
    again, second = store.claim_dispatch(key="o/r#1:comment:9", repo="o/r", number=1, **kw)
    assert not second and again.dispatch_id == row.dispatch_id
    store.update_dispatch(row.dispatch_id, status="error", error="502")
    _, retried = store.claim_dispatch(key="o/r#1:comment:9", repo="o/r", number=1, **kw)
    assert retried


def test_outcome_recorded_once_and_counts(store, clock):
    kw = dict(tier="haiku", model="m", complexity="simple", estimated_cost_usd=0.5)
    row, _ = store.claim_dispatch(key="a", repo="o/r", number=1, **kw)
    store.update_dispatch(row.dispatch_id, status="dispatched")
    assert store.active_runs("o/r") == 1 and store.month_spend("o/r") == pytest.approx(0.5)
    done, first = store.record_outcome(row.dispatch_id, run_id=7, success=True, actual_cost_usd=0.25, duration_s=60)
    assert first and done.status == "success"
    _, again = store.record_outcome(row.dispatch_id, run_id=7, success=False)
    assert not again and store.dispatches("o/r", 1)[0].status == "success"
    assert store.active_runs("o/r") == 0 and store.month_spend("o/r") == pytest.approx(0.25)
    clock.now = datetime(2026, 12, 1, 0, 0, 1)
    assert store.month_spend("o/r") == 0.0


def test_a_score_is_one_per_run_the_latest_wins(store, clock):
    row, _ = store.claim_dispatch(key="a", repo="o/r", number=1, tier="haiku", model="m", complexity="simple")
    rated, earlier = store.record_score(row.dispatch_id, score=2, by="alice", note="meh")
    assert earlier is None and (rated.score, rated.score_by, rated.score_note, rated.scored_at) == (2, "alice", "meh", clock.now)
    clock.now += timedelta(minutes=5)
    rated, earlier = store.record_score(row.dispatch_id, score=4, by="bob", note="")
    assert earlier == 2 and (rated.score, rated.score_by, rated.score_note, rated.scored_at) == (4, "bob", "", clock.now)
    [run] = store.dispatches("o/r", 1)
    assert (run.score, run.score_by) == (4, "bob")
    with pytest.raises(KeyError):
        store.record_score("nope", score=3, by="bob", note="")


def test_a_runs_truth_is_found_by_its_branch_and_settles_its_status(store):
    row, _ = store.claim_dispatch(key="a", repo="o/r", number=1, tier="haiku", model="m", complexity="simple")
    store.record_outcome(row.dispatch_id, run_id=1, success=True)
    assert store.dispatch_for_branch("o/r", "claude/issue-1") is None
    store.update_dispatch(row.dispatch_id, branch="claude/issue-1")
    assert store.dispatch_for_branch("o/other", "claude/issue-1") is None
    assert store.dispatch_for_branch("o/r", "claude/issue-1").dispatch_id == row.dispatch_id
    pending, changed = store.record_truth(row.dispatch_id, truth="checks_failed", pr_number=5, success=None, time_to_merge_s=None)
    assert changed and (pending.truth, pending.pr_number, pending.status) == ("checks_failed", 5, "success")  # still the claim
    failed, changed = store.record_truth(row.dispatch_id, truth="closed_unmerged", pr_number=5, success=False, time_to_merge_s=None)
    assert changed and (failed.truth, failed.status) == ("closed_unmerged", "failure")
    _, changed = store.record_truth(row.dispatch_id, truth="closed_unmerged", pr_number=5, success=False, time_to_merge_s=None)
    assert not changed  # a redelivery
    merged, changed = store.record_truth(row.dispatch_id, truth="merged", pr_number=5, success=True, time_to_merge_s=9.0)
    assert changed and (merged.truth, merged.status) == ("merged", "success")
    stale, changed = store.record_truth(row.dispatch_id, truth="checks_failed", pr_number=5, success=None, time_to_merge_s=None)
    assert not changed and (stale.truth, stale.status, stale.time_to_merge_s) == ("merged", "success", 9.0)  # final
    with pytest.raises(KeyError):
        store.record_truth("nope", truth="merged", pr_number=5, success=True, time_to_merge_s=1.0)


def test_stale_runs_do_not_block_the_cap(store, clock):
    row, _ = store.claim_dispatch(key="a", repo="o/r", number=1, tier="haiku", model="m", complexity="simple")
    store.update_dispatch(row.dispatch_id, status="dispatched")
    clock.now += timedelta(hours=8)
    assert store.active_runs("o/r") == 0


def test_reply_mapping(store):
    assert store.reply_for("o/r", 5) is None
    store.set_reply("o/r", 5, 99)
    store.set_reply("o/r", 5, 100)  # first one wins
    assert store.reply_for("o/r", 5) == 99


def test_records_for_report(store):
    store.record_decision("o/r", 1, decision())
    store.record_decision("x/y", 1, decision())
    store.record_override("o/r", 1, field="tier", old="haiku", new="sonnet", by="a")
    store.claim_dispatch(key="k", repo="o/r", number=1, tier="haiku", model="m", complexity="simple")
    [rec] = store.records("o/r")
    assert len(rec["overrides"]) == 1 and len(rec["dispatches"]) == 1
    assert len(store.records()) == 2


def test_the_rollup_is_the_same_in_sql_and_in_memory(tmp_path, clock):
    """The Action's report reads the memory store's rollup; the dashboard reads the SQL one: same counts."""
    sql = IssueStore(create_engine(f"sqlite:///{tmp_path / 'r.db'}"), clock=clock)
    mem = MemoryIssueStore(clock=clock)
    for s in (sql, mem):
        s.record_decision("o/r", 1, decision())
        s.record_decision("o/r", 2, decision(Tier.sonnet, est=0.3, base=0.3))
        s.record_override("o/r", 2, field="tier", old="sonnet", new="opus", by="p")
        kw = dict(tier="haiku", model="m", complexity="simple", estimated_cost_usd=0.02)
        row, _ = s.claim_dispatch(key="k1", repo="o/r", number=1, **kw)
        s.record_outcome(row.dispatch_id, run_id=1, success=False, actual_cost_usd=0.01)
        row, _ = s.claim_dispatch(key="k2", repo="o/r", number=1, **{**kw, "tier": "sonnet", "attempt": 2})
        s.record_outcome(row.dispatch_id, run_id=2, success=True, actual_cost_usd=0.05)
        s.record_score(row.dispatch_id, score=4, by="p", note="")
        s.record_decision("o/r", 3, decision())  # its first run's pull request is still open: pending
        row, _ = s.claim_dispatch(key="k3", repo="o/r", number=3, **kw)
        s.record_outcome(row.dispatch_id, run_id=3, success=True, actual_cost_usd=0.01)
        s.record_truth(row.dispatch_id, truth="checks_passed", pr_number=9, success=None, time_to_merge_s=None)
    key = lambda g: (g.day, g.repo, g.tier, g.complexity)  # noqa: E731
    expected = sorted(sql.rollup("o/r"), key=key)
    assert expected and [(key(g), g.tally) for g in expected] == [(key(g), g.tally) for g in sorted(mem.rollup("o/r"), key=key)]
    assert sum(g.tally.haiku_first_runs for g in expected) == 1 and sum(g.tally.judged for g in expected) == 2


def test_a_kind_stored_before_kinds_were_bounded_is_read_back_clipped(store):
    """A decision recorded before MAX_KIND can hold a longer kind: the store hands it out clipped (the key the
    router now makes), so re-rendering, /cost, the report and learning read it instead of failing."""
    from bot.models import MAX_KIND

    old = decision().model_copy(update={"kind": "rule-" + "x" * 300})  # how an unbounded decision was dumped
    store.record_decision("o/r", 1, old)
    row, _ = store.claim_dispatch(key="k", repo="o/r", number=1, tier="haiku", model="m", complexity="simple")
    store.record_outcome(row.dispatch_id, run_id=1, success=True, actual_cost_usd=0.01)
    clipped = ("rule-" + "x" * 300)[:MAX_KIND]
    assert store.decision("o/r", 1).kind == clipped
    assert store.current("o/r", 1)["decision"]["kind"] == clipped
    assert [r["decision"]["kind"] for r in store.records("o/r")] == [clipped]
    assert store.knowledge().own("o/r", clipped, Tier.haiku).attempts == 1  # learned under the key routing asks
