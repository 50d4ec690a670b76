"""Kinds from the text, learned in production (issue #22, item 3): the App's store keeps each routed issue's hashed
words with its routing record (migration 0013), so recorded Haiku outcomes teach the text model and an issue no rule
matches gets the kind its words predict. Hashes, never text, are kept."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import create_engine, text

from bot.config.source import FixedConfig
from bot.context import Context
from bot.issues.service import route_issue
from bot.models import IssueInput
from bot.routing.kinds import MAX_FEATURES, MIN_TRAINED, features, pack, unpack
from bot.store import outcomes
from bot.store.issues import IssueStore
from bot.store.memory import MemoryIssueStore

REPO = "octo/words"
HARD = ["Intermittent {} sync failures under load", "{} totals drift after a retry"]
EASY = ["{} shows the wrong date after saving", "Wrong owner in the {} export"]
THINGS = ["gadget", "report", "user", "job", "team", "upload"]


def teach(ctx: Context, gh, n: int, rng: random.Random) -> None:
    """n routed issues, each with one recorded Haiku run: the hard-worded ones failed, the easy-worded ones merged."""
    for number in range(1, n + 1):
        hard = number % 2 == 0
        gh.add_issue(REPO, number, rng.choice(HARD if hard else EASY).format(rng.choice(THINGS)), "")
        d = route_issue(ctx, number).decision
        row, _ = ctx.store.claim_dispatch(key=f"{REPO}#{number}:haiku", repo=REPO, number=number, tier="haiku",
                                          model="m", complexity=d.complexity.value, estimated_cost_usd=0.01)
        ctx.store.record_outcome(row.dispatch_id, run_id=number, success=not hard, actual_cost_usd=0.01)


@pytest.mark.parametrize("kind", ["sql", "memory"])
def test_recorded_haiku_outcomes_teach_the_words_to_an_unmatched_issue(memory_github, tmp_path, kind) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 's.db'}")
    store = IssueStore(engine) if kind == "sql" else MemoryIssueStore()
    memory_github.add_repo(REPO)
    ctx = Context(gh=memory_github, repo=REPO, store=store, configs=FixedConfig())
    teach(ctx, memory_github, 4 * MIN_TRAINED, random.Random(7))
    outcomes.forget(engine)
    assert store.knowledge().text.telling()
    memory_github.add_issue(REPO, 500, "Intermittent widget sync failures under load", "")
    d = route_issue(ctx, 500).decision
    assert d.kind.startswith("~hard") and "the issue's words put it with `~hard` work" in d.rationale
    memory_github.add_issue(REPO, 501, "Upload shows the wrong date after saving", "")
    d = route_issue(ctx, 501).decision
    assert d.kind.startswith("~easy"), d.notes
    outcomes.forget(engine)


def test_the_sql_store_keeps_hashes_not_text(memory_github, tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 's.db'}")
    memory_github.add_repo(REPO)
    memory_github.add_issue(REPO, 1, "Intermittent widget sync failures under load", "seen on the nightly job")
    route_issue(Context(gh=memory_github, repo=REPO, store=IssueStore(engine), configs=FixedConfig()), 1)
    with engine.connect() as c:
        stored = c.execute(text("SELECT features FROM routing_records")).scalar()
        everything = " ".join(str(v) for v in c.execute(text("SELECT * FROM routing_records")).one())
    assert unpack(stored) == features(IssueInput(title="Intermittent widget sync failures under load",
                                                 body="seen on the nightly job"))
    assert "nightly" not in everything and "widget" not in everything  # the words are not kept, only their hashes


def test_packing_round_trips_and_refuses_what_it_did_not_write() -> None:
    body = " ".join(f"word{i} w{i % 37}" for i in range(600))  # an issue of ~1,200 words, cut at MAX_CHARS
    feats = features(IssueInput(title="Crash when the list is empty", body=body, labels=["bug"]))
    assert 1000 < len(feats) < MAX_FEATURES and unpack(pack(feats)) == feats and len(pack(feats)) < 6 * len(feats)
    assert pack(()) is None and unpack("") is None and unpack("not base64!") is None and unpack(None) is None
    assert unpack("AQID") is None  # three bytes: not a whole feature
    assert unpack(pack((1 << 20,))) is None  # out of the hashed range
    assert unpack(pack((0, (1 << 20) - 1))) == (0, (1 << 20) - 1)


@pytest.mark.postgres
def test_the_words_teach_on_postgres(memory_github, pg_engine) -> None:
    memory_github.add_repo(REPO)
    ctx = Context(gh=memory_github, repo=REPO, store=IssueStore(pg_engine), configs=FixedConfig())
    teach(ctx, memory_github, 4 * MIN_TRAINED, random.Random(7))
    outcomes.forget(pg_engine)
    memory_github.add_issue(REPO, 500, "Intermittent widget sync failures under load", "")
    assert route_issue(ctx, 500).decision.kind.startswith("~hard")
    outcomes.forget(pg_engine)
