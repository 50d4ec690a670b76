"""The router learns from the store's recorded outcomes (a query, no table of its own); a store that is empty,
damaged or from an older schema routes with the rules, says so and loses nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from bot.config import RepoConfig
from bot.models import IssueInput, Strategy, Tier
from bot.routing import route
from bot.routing.ladder_stats import attempt_costs, expect
from bot.store import outcomes
from bot.store.issues import IssueStore

REPO = "o/r"
DOCS = IssueInput(title="Update the README install section")


def record_runs(store: IssueStore, n: int, *, tier: str = "haiku", success: bool = True, start: int = 1,
                repo: str = REPO) -> None:
    cfg = RepoConfig()
    for number in range(start, start + n):
        d = route(DOCS, cfg)
        store.record_decision(repo, number, d)
        row, _ = store.claim_dispatch(key=f"{repo}#{number}:{tier}:c", repo=repo, number=number, tier=tier, model="m",
                                      complexity=d.complexity.value, estimated_cost_usd=0.01)
        store.record_outcome(row.dispatch_id, run_id=number, success=success, actual_cost_usd=0.004)


@pytest.fixture
def store(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    yield IssueStore(engine)
    outcomes.forget(engine)


TARGET = RepoConfig.model_validate({"learning": {"objective": "target"}})  # the rule before #22's ladders


def test_recorded_outcomes_teach_the_router(store) -> None:
    record_runs(store, 6, success=False)
    k = store.knowledge()
    assert k.size == 6
    d = route(DOCS, TARGET, knowledge=k, repo=REPO)
    assert (d.tier, d.strategy) == (Tier.sonnet, Strategy.learned)
    assert "haiku succeeded on 0 of 6 `docs-touch` issues here" in d.rationale
    # #22: the store gives each attempt its place on its issue's ladder, so the ladder objective learns too
    d = route(DOCS, RepoConfig(), knowledge=k, repo=REPO)
    assert (d.tier, d.strategy, d.ladder) == (Tier.sonnet, Strategy.learned, [Tier.sonnet, Tier.opus])
    assert "Ladder sonnet → opus: expected $" in d.rationale


def test_the_store_knows_which_tiers_already_failed(store) -> None:
    record_runs(store, 2, success=False)
    record_runs(store, 2, success=True, start=1, tier="sonnet")  # the same issues, escalated
    k = store.knowledge()
    assert k.ladders.counts[("docs-touch", frozenset({Tier.haiku}), Tier.sonnet, True)] == 2
    assert k.ladders.counts[("docs-touch", frozenset(), Tier.haiku, False)] == 2


def test_estimates_follow_recorded_actual_costs(store) -> None:
    record_runs(store, 6)
    d = route(DOCS, TARGET, knowledge=store.knowledge(), repo=REPO)
    # #22 item 4: a haiku attempt at its recorded actual cost ($0.004), escalation included, against no routing's
    # at the same scale (before: $0.004 flat, one run, against Sonnet's tokens scaled by the per-token ratio)
    k = store.knowledge()
    cost = attempt_costs(k.ladders, "docs-touch", Tier, 1.0)
    assert d.tier is Tier.haiku and cost[Tier.haiku] == pytest.approx(0.004) and d.estimate_basis == "actuals"
    assert d.phase("execute").estimated_cost_usd == pytest.approx(
        expect(k.ladders, "docs-touch", (Tier.haiku, Tier.sonnet, Tier.opus), cost)[0])
    assert d.baseline_cost_usd == pytest.approx(expect(k.ladders, "docs-touch", (Tier.sonnet, Tier.opus), cost)[0])
    assert 0.004 < d.estimated_cost_usd < d.baseline_cost_usd
    # the ladder objective: the ladder's expected cost, escalation included, against no routing's
    d = route(DOCS, RepoConfig(), knowledge=store.knowledge(), repo=REPO)
    assert d.tier is Tier.haiku and 0.004 < d.estimated_cost_usd < d.baseline_cost_usd
    assert "escalation included" in d.rationale and "actual costs recorded" in d.rationale


def test_empty_store_routes_with_the_rules_and_says_so(store) -> None:
    d = route(DOCS, RepoConfig(), knowledge=store.knowledge(), repo=REPO)
    assert d.strategy is Strategy.pattern and "nothing learned yet (no executor outcomes recorded yet)" in d.rationale


def test_older_or_damaged_store_is_a_note_not_a_failure(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    store = IssueStore(engine)
    record_runs(store, 3)
    with engine.begin() as c:  # an older schema: the table the query joins is not there
        c.execute(text("ALTER TABLE routing_records RENAME TO routing_records_old"))
    outcomes.forget(engine)
    d = route(DOCS, RepoConfig(), knowledge=store.knowledge(), repo=REPO)
    assert d.strategy is Strategy.pattern and "the outcome history could not be read" in d.rationale
    with engine.begin() as c:
        c.execute(text("ALTER TABLE routing_records_old RENAME TO routing_records"))
    outcomes.forget(engine)
    assert store.knowledge().size == 3  # nothing was lost


def test_rows_that_make_no_sense_are_skipped(store) -> None:
    record_runs(store, 2)
    with store.engine.begin() as c:
        c.execute(text("UPDATE executor_dispatches SET tier = 'gpt-9' WHERE number = 1"))
    outcomes.forget(store.engine)
    assert store.knowledge().size == 1


def test_a_recorded_outcome_reaches_the_next_routing_at_once(store) -> None:
    assert store.knowledge().size == 0
    record_runs(store, 1)
    assert store.knowledge().size == 1


def test_the_app_routes_with_what_it_learned(webhook_example, seed_repo_for, post_event, run_jobs, runtime) -> None:
    app_repo = "Codertocat/Hello-World"
    record_runs(runtime.store, 6, success=False, start=100, repo=app_repo)
    outcomes.forget(runtime.store.engine)
    payload = webhook_example("issues", "opened")
    payload["issue"].update(title="Update the README install section", body="", labels=[])
    seed_repo_for(payload)
    assert post_event("issues", payload).status_code in (200, 202)
    run_jobs()
    record = runtime.store.current(app_repo, payload["issue"]["number"])
    assert (record["tier"], record["strategy"]) == ("sonnet", "learned")
    assert record["decision"]["ladder"] == ["sonnet", "opus"]  # haiku failed all 6 here: not on the ladder
    assert "Ladder sonnet → opus" in record["decision"]["rationale"]


def test_a_low_score_is_a_failure_only_when_the_repository_says_so(store) -> None:
    record_runs(store, 6, success=True)
    for run in [d for n in range(1, 7) for d in store.dispatches(REPO, n)][:4]:
        store.record_score(run.dispatch_id, score=2 if run.number % 2 else 1, by="alice", note="")
    store.record_score(store.dispatches(REPO, 5)[0].dispatch_id, score=3, by="alice", note="")  # 3: not low
    default = store.knowledge()
    strict = store.knowledge(low_score_is_failure=True)
    assert sum(o[0] for k, o in default.counts.items() if k[0] == "kind") == 6  # the agent's claim, as before
    assert default.counts[("kind", "docs-touch", Tier.haiku)] == [6, 6]
    assert strict.counts[("kind", "docs-touch", Tier.haiku)] == [2, 6]
    assert strict.ladders.counts[("docs-touch", frozenset(), Tier.haiku, False)] == 4
    assert store.knowledge() is default  # each reading cached on its own


def test_the_issue_service_reads_the_setting(store, tmp_path) -> None:
    from bot.config.source import FixedConfig
    from bot.context import Context
    from bot.issues.service import knowledge

    record_runs(store, 1, success=True)
    store.record_score(store.dispatches(REPO, 1)[0].dispatch_id, score=1, by="alice", note="")
    on = RepoConfig.model_validate({"learning": {"low_score_is_failure": True}})
    ctx = Context(gh=None, repo=REPO, store=store, configs=FixedConfig(lambda: on))
    assert knowledge(ctx).counts[("kind", "docs-touch", Tier.haiku)] == [0, 1]
    ctx = Context(gh=None, repo=REPO, store=store, configs=FixedConfig())
    assert knowledge(ctx).counts[("kind", "docs-touch", Tier.haiku)] == [1, 1]
    assert RepoConfig().learning.low_score_is_failure is False


@pytest.mark.postgres
def test_the_history_query_runs_on_postgres(pg_engine) -> None:
    store = IssueStore(pg_engine)
    record_runs(store, 5, success=False)
    outcomes.forget(pg_engine)
    k = store.knowledge()
    assert k.size == 5 and route(DOCS, RepoConfig(), knowledge=k, repo=REPO).tier is Tier.sonnet
    outcomes.forget(pg_engine)


def test_the_actions_memory_store_learns_what_the_sql_store_learns(store) -> None:
    """The Action's scratch store (filled from sticky comments) reads the same rows the same way (#21): finished
    execute runs, a pull request still open pending, a low score a failure when configured."""
    from bot.store.memory import MemoryIssueStore

    memory = MemoryIssueStore()
    for s in (store, memory):
        record_runs(s, 3, success=False)
        record_runs(s, 3, success=True, start=1, tier="sonnet")
        record_runs(s, 2, start=10)
        row, _ = s.claim_dispatch(key="k-open", repo=REPO, number=10, tier="opus", model="m", complexity="simple")
        s.record_outcome(row.dispatch_id, run_id=1, success=True)
        s.record_truth(row.dispatch_id, truth="checks_passed", pr_number=7, success=None, time_to_merge_s=None)
        s.record_score(s.dispatches(REPO, 11)[0].dispatch_id, score=1, by="a", note="")
    for low in (False, True):
        sql, mem = store.knowledge(low_score_is_failure=low), memory.knowledge(low_score_is_failure=low)
        assert (mem.size, dict(mem.counts), dict(mem.ladders.counts)) == (sql.size, dict(sql.counts),
                                                                          dict(sql.ladders.counts))
    assert memory.knowledge().size == 8
