"""What learning kinds from the text costs (#22 item 3) — numbers for docs, never tests.

    .venv/bin/python benchmarks/bench_text_kinds.py [--rows 20000] [--routes 2000] [--json]

1. The App's store: fills a SQLite store with ROWS finished Haiku runs on routed issues (half with words Haiku
   fails, half with words it resolves; bodies of ~60 words), then times `read_knowledge` (the query and Knowledge
   learning from every row, text model included) against the same rows without stored words, and reports the
   packed words' size per record.
2. Routing: times `route()` of unmatched issues with that Knowledge (the text model speaking) against a Knowledge
   of the same rows without words (the rules' kind: one bucket).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from bot.config import RepoConfig  # noqa: E402
from bot.models import IssueInput  # noqa: E402
from bot.routing import route  # noqa: E402
from bot.routing.kinds import features, pack  # noqa: E402
from bot.store import outcomes  # noqa: E402
from bot.store.issues import IssueStore  # noqa: E402

HARD = ["Intermittent {} sync failures under load", "{} totals drift after a retry"]
EASY = ["{} shows the wrong date after saving", "Wrong owner in the {} export"]
THINGS = ["gadget", "report", "user", "job", "team", "upload", "widget", "folder"]
FILLER = ("The current behaviour is surprising for users who rely on the old output. Steps to reproduce are in "
          "the linked discussion; logs attached below. It started after the last deploy and happens on {} pages. ")


def issue(rng: random.Random, hard: bool) -> IssueInput:
    return IssueInput(title=rng.choice(HARD if hard else EASY).format(rng.choice(THINGS)),
                      body=FILLER.format(rng.choice(THINGS)) * rng.randint(1, 3))


def fill(store: IssueStore, rows: int, rng: random.Random, words: bool) -> None:
    """ROWS routed issues with one finished Haiku run each (bulk SQL: the store's own writes are not measured)."""
    d = route(IssueInput(title="x"), RepoConfig()).model_dump(mode="json")
    d["kind"] = ""
    recs, runs = [], []
    for n in range(1, rows + 1):
        hard = n % 2 == 0
        feats = pack(features(issue(rng, hard))) if words else None
        recs.append(dict(routing_id=f"r{n}", repo="o/r", number=n, tier="haiku", model="m", complexity="standard",
                         strategy="default", confidence=0.5, estimated_cost_usd=0.1, baseline_cost_usd=0.2,
                         source="auto", decision=json.dumps(d), created_at="2026-11-29 12:00:00",
                         updated_at="2026-11-29 12:00:00", classifier_usd=0, features=feats))
        runs.append(dict(dispatch_id=f"d{n}", key=f"k{n}", repo="o/r", number=n, mode="execute", tier="haiku",
                         model="m", complexity="standard", attempt=1, estimated_cost_usd=0.1,
                         status="failure" if hard else "success", by="", actual_cost_usd=0.05,
                         created_at="2026-11-29 12:00:00", followed_up=False))
    with store.engine.begin() as c:
        c.execute(text("INSERT INTO routing_records (routing_id, repo, number, tier, model, complexity, strategy, "
                       "confidence, estimated_cost_usd, baseline_cost_usd, source, decision, created_at, updated_at, "
                       "classifier_usd, features) VALUES (:routing_id, :repo, :number, :tier, :model, :complexity, "
                       ":strategy, :confidence, :estimated_cost_usd, :baseline_cost_usd, :source, :decision, "
                       ":created_at, :updated_at, :classifier_usd, :features)"), recs)
        c.execute(text("INSERT INTO executor_dispatches (dispatch_id, key, repo, number, mode, tier, model, complexity, "
                       "attempt, estimated_cost_usd, status, \"by\", actual_cost_usd, created_at, followed_up) VALUES "
                       "(:dispatch_id, :key, :repo, :number, :mode, :tier, :model, :complexity, :attempt, "
                       ":estimated_cost_usd, :status, :by, :actual_cost_usd, :created_at, :followed_up)"), runs)


def load(store: IssueStore, times: int = 3):
    best, k = float("inf"), None
    for _ in range(times):
        outcomes.forget(store.engine)
        t = time.perf_counter()
        k = store.knowledge()
        best = min(best, time.perf_counter() - t)
    return best, k


def routing_us(k, issues: list[IssueInput], cfg: RepoConfig) -> float:
    t = time.perf_counter()
    for i in issues:
        route(i, cfg, knowledge=k, repo="o/r")
    return (time.perf_counter() - t) / len(issues) * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--routes", type=int, default=2_000)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    out: dict = {"rows": a.rows}
    with tempfile.TemporaryDirectory() as tmp:
        stores = {}
        for words in (False, True):
            store = IssueStore(create_engine(f"sqlite:///{Path(tmp) / f'{words}.db'}"))
            fill(store, a.rows, random.Random(1), words)
            stores[words] = store
        for words, store in stores.items():
            s, k = load(store)
            out[f"load_s_{'words' if words else 'no_words'}"] = round(s, 3)
            out[f"knowledge_{'words' if words else 'no_words'}"] = k
        with stores[True].engine.connect() as c:
            sizes = [len(v) for (v,) in c.execute(text("SELECT features FROM routing_records"))]
        out["packed_bytes_per_record_mean"] = round(statistics.mean(sizes), 1)
        out["packed_bytes_per_record_max"] = max(sizes)
        rng, cfg = random.Random(2), RepoConfig()
        issues = [issue(rng, i % 2 == 0) for i in range(a.routes)]
        kw, kn = out.pop("knowledge_words"), out.pop("knowledge_no_words")
        out["text_model_telling"] = kw.text.telling()
        out["text_model_weights"] = len(kw.text.weights)
        kinds = {route(i, cfg, knowledge=kw, repo="o/r").kind for i in issues[:50]}
        out["kinds_seen"] = sorted(kinds)
        for name, k in (("no_words", kn), ("words", kw)):
            routing_us(k, issues[:100], cfg)  # warm-up
            out[f"route_us_{name}"] = round(min(routing_us(k, issues, cfg) for _ in range(3)), 1)
        for s in stores.values():
            outcomes.forget(s.engine)
            s.close()
    print(json.dumps(out) if a.json else "\n".join(f"{k}: {v}" for k, v in out.items()))


if __name__ == "__main__":
    main()
