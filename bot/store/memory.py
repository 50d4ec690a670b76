"""MemoryIssueStore: IssueStore's contract in plain dicts, for one Action job (no SQLAlchemy on the Action's path).

An Action job keeps nothing between runs (what later jobs need travels in the sticky comments, and its
`history` loader reads recent ones back for learning), so its store lives and dies with the process. Same
method names, arguments and row dicts as `IssueStore`; tests/test_experiments_store.py runs one suite against both.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta, timezone
from typing import Callable

from bot.measures.breakdown import Group, group_records
from bot.measures.definitions import DISPATCH_ERROR, settled
from bot.models import RoutingDecision
from bot.routing.kinds import pack
from bot.routing.learning import Knowledge
from bot.store.records import REVIEWED as FINAL, Busy, ConvoyDoc, DispatchRecord, RunState, dispatch_record, month_start
from bot.store.records import routing_record, truth_fields
from bot.store.records import ACTIVE, ENDED, FINISHED, STALE_RUN_AFTER, outcome_status, utcnow
from bot.store.observations import observation, with_ladder_places

# executor_dispatches' columns and their defaults, as the record the store hands out declares them
_DISPATCH = {name: field.get_default() for name, field in DispatchRecord.model_fields.items() if not field.is_required()}


class MemoryIssueStore:
    def __init__(self, *, clock: Callable[[], datetime] = utcnow):
        self.clock = clock
        self._ids = itertools.count(1)
        self._records: dict[tuple[str, int], dict] = {}
        self._overrides: list[dict] = []
        self._dispatches: list[dict] = []
        self._replies: dict[tuple[str, int], int] = {}
        self._reviews: list[dict] = []
        self._review_overrides: list[dict] = []
        self._claims: dict[tuple, object] = {}  # (repo, number, head sha) -> when claimed
        # the Action's: fills this store with the repository's recent history on first use, returns a note
        self.history: Callable[[], str | None] | None = None
        self.note = "the Action keeps no outcome history between jobs"  # why nothing was learned, when nothing was

    def close(self) -> None:
        """Nothing to release (IssueStore disposes its engine)."""

    def knowledge(self, *, low_score_is_failure: bool = False) -> Knowledge:
        """What the runs this store holds teach, as `IssueStore.knowledge` reads its table: finished execute runs
        whose pull request is not still open. The Action's store first runs its `history` loader, once (the
        repository's recently routed issues, bot.action.learned), and says why when nothing was learned."""
        self.load_history()
        rows = [(observation(d["repo"], d["tier"], d["complexity"], d["status"], d["actual_cost_usd"],
                             (rec.get("decision") or {}).get("kind"), d["score"], rec.get("features"),
                             low_score_is_failure=low_score_is_failure), d["number"])
                for d in self._dispatches if d["mode"] == "execute" and settled(d)
                and (rec := self._records.get((d["repo"], d["number"]))) is not None]
        found = with_ladder_places(rows)
        return Knowledge(found, note=self.note)

    def load_history(self) -> None:
        """Run the `history` loader now, once (learning calls it on first use; the outcome path before it looks a
        run up by its branch or pull request)."""
        if self.history is not None:
            load, self.history = self.history, None
            self.note = load() or self.note

    def rollup(self, repo: str | None = None) -> list[Group]:
        return group_records(self.records(repo))

    def convoys(self) -> "MemoryConvoyStore":
        if not hasattr(self, "_convoys"):
            self._convoys = MemoryConvoyStore(clock=self.clock)
        return self._convoys

    # --- routing records -------------------------------------------------------------------

    def record_decision(self, repo: str, number: int, decision: RoutingDecision, *, source: str = "auto",
                        features: tuple[int, ...] | None = None) -> str:
        now = self.clock()
        values = dict(
            tier=decision.tier.value, model=decision.model, complexity=decision.complexity.value,
            strategy=decision.strategy.value, confidence=float(decision.confidence),
            estimated_cost_usd=float(decision.estimated_cost_usd), baseline_cost_usd=float(decision.baseline_cost_usd),
            source=source, decision=decision.model_dump(mode="json"), updated_at=now,
        )
        if source == "auto" and decision.strategy.value != "override":
            values["auto_tier"] = decision.tier.value
        if features is not None:
            values["features"] = pack(features)
        rec = self._records.get((repo, number))
        if rec is None:
            rec = self._records[(repo, number)] = dict(
                id=next(self._ids), routing_id=uuid.uuid4().hex[:12], repo=repo, number=number, auto_tier=None,
                created_at=now, classifier_usd=0.0, features=None,
            )
        rec.update(values)
        rec["classifier_usd"] += float(decision.classifier_cost_usd)
        return rec["routing_id"]

    def record_override(self, repo: str, number: int, *, field: str, old: str | None, new: str, by: str) -> None:
        if old != new:
            self._overrides.append(dict(id=next(self._ids), repo=repo, number=number, field=field, old=old, new=new,
                                        by=by, created_at=self.clock()))

    def current(self, repo: str, number: int) -> dict | None:
        rec = self._records.get((repo, number))
        if rec is None:
            return None
        return routing_record(dict(rec, overrides=self.overrides(repo, number), dispatches=self._rows(repo, number)))

    def decision(self, repo: str, number: int) -> RoutingDecision | None:
        rec = self._records.get((repo, number))
        return RoutingDecision.model_validate(routing_record(rec)["decision"]) if rec else None

    def overrides(self, repo: str, number: int) -> list[dict]:
        return [dict(o) for o in self._overrides if (o["repo"], o["number"]) == (repo, number)]

    # --- dispatches and runs ---------------------------------------------------------------

    def _dispatch_by(self, key: str, value) -> dict | None:
        return next((d for d in self._dispatches if d[key] == value), None)

    def find_dispatch(self, key: str) -> DispatchRecord | None:
        d = self._dispatch_by("key", key)
        return dispatch_record(d) if d else None

    def get_dispatch(self, dispatch_id: str) -> DispatchRecord | None:
        d = self._dispatch_by("dispatch_id", dispatch_id)
        return dispatch_record(d) if d else None

    def claim_dispatch(self, *, key: str, repo: str, number: int, **fields) -> tuple[DispatchRecord | None, bool]:
        now = self.clock()
        d = self._dispatch_by("key", key)
        if d is not None:
            if d["status"] != DISPATCH_ERROR:
                return dispatch_record(d), False
            d.update(fields, status="pending", error=None, created_at=now)
            return dispatch_record(d), True
        rec = self._records.get((repo, number))
        rid = rec["routing_id"] if rec else None
        n = sum(1 for x in self._dispatches if (x["repo"], x["number"]) == (repo, number))
        d = dict(_DISPATCH, id=next(self._ids), key=key, repo=repo, number=number, routing_id=rid, created_at=now,
                 dispatch_id=f"{rid or 'n' + str(number)}.{n + 1}.{uuid.uuid4().hex[:4]}")
        d.update(fields, status="pending")
        self._dispatches.append(d)
        return dispatch_record(d), True

    def restore_run(self, repo: str, number: int, run: RunState, *, by: str) -> bool:
        own = f"{repo}#{number}:"
        row = run.model_dump()
        row["key"] = run.key if run.key and run.key.startswith(own) else f"{own}state:{run.dispatch_id}"
        for when in ("created_at", "completed_at", "unconfirmed_at"):
            if row[when] is not None and row[when].tzinfo is not None:
                row[when] = row[when].astimezone(timezone.utc).replace(tzinfo=None)
        row["created_at"] = row["created_at"] or self.clock()
        if self._dispatch_by("key", row["key"]) or self._dispatch_by("dispatch_id", row["dispatch_id"]):
            return False
        self._dispatches.append(dict(_DISPATCH, id=next(self._ids), repo=repo, number=number, **{**row, "by": by}))
        return True

    def update_dispatch(self, dispatch_id: str, **fields) -> DispatchRecord:
        d = self._dispatch_by("dispatch_id", dispatch_id)
        if d is None:
            raise KeyError(dispatch_id)
        d.update(fields)
        return dispatch_record(d)

    def record_outcome(self, dispatch_id: str, *, run_id: int | None, success: bool | None, conclusion: str | None = None,
                       run_url: str | None = None, duration_s: float | None = None,
                       actual_cost_usd: float | None = None, num_turns: int | None = None,
                       duration_ms: int | None = None) -> tuple[DispatchRecord, bool]:
        d = self._dispatch_by("dispatch_id", dispatch_id)
        if d is None:
            raise KeyError(dispatch_id)
        if d["status"] in ENDED:
            return dispatch_record(d), False
        d.update(run_id=run_id, run_url=run_url, conclusion=conclusion, status=outcome_status(success),
                 duration_s=duration_s, actual_cost_usd=actual_cost_usd, num_turns=num_turns, duration_ms=duration_ms,
                 completed_at=self.clock())
        return dispatch_record(d), True

    def record_score(self, dispatch_id: str, *, score: int, by: str, note: str) -> tuple[DispatchRecord, int | None]:
        d = self._dispatch_by("dispatch_id", dispatch_id)
        if d is None:
            raise KeyError(dispatch_id)
        earlier = d["score"]
        d.update(score=score, score_by=by, score_note=note, scored_at=self.clock())
        return dispatch_record(d), earlier

    def dispatch_for_branch(self, repo: str, branch: str) -> DispatchRecord | None:
        d = next((d for d in reversed(self._dispatches) if (d["repo"], d["branch"]) == (repo, branch)), None)
        return dispatch_record(d) if d else None

    def dispatch_for_pull(self, repo: str, number: int) -> DispatchRecord | None:
        d = next((d for d in reversed(self._dispatches) if (d["repo"], d["pr_number"]) == (repo, number)), None)
        return dispatch_record(d) if d else None

    def record_truth(self, dispatch_id: str, *, truth: str, pr_number: int | None, success: bool | None,
                     time_to_merge_s: float | None) -> tuple[DispatchRecord, bool]:
        d = self._dispatch_by("dispatch_id", dispatch_id)
        if d is None:
            raise KeyError(dispatch_id)
        new = truth_fields(d["truth"], d["status"], truth=truth, pr_number=pr_number, success=success,
                           time_to_merge_s=time_to_merge_s)
        if new is None:
            return dispatch_record(d), False
        changed = any(d[k] != v for k, v in new.items())
        d.update(new)
        return dispatch_record(d), changed

    def dispatches(self, repo: str, number: int) -> list[DispatchRecord]:
        return [dispatch_record(d) for d in self._rows(repo, number)]

    def _rows(self, repo: str, number: int) -> list[dict]:
        """The issue's dispatches as the report's plain rows (current, records)."""
        return [dict(d) for d in self._dispatches if (d["repo"], d["number"]) == (repo, number)]

    def active_runs(self, repo: str) -> int:
        self.load_history()  # the budgets count the history's runs too (an outcome job may not have read it yet)
        since = self.clock() - STALE_RUN_AFTER
        return sum(1 for d in self._dispatches if d["repo"] == repo and d["status"] in ACTIVE and d["created_at"] >= since)

    def month_spend(self, repo: str, now: datetime | None = None) -> float:
        self.load_history()
        now = now or self.clock()
        start = month_start(now)
        return float(sum(
            d["actual_cost_usd"] if d["actual_cost_usd"] is not None else (d["estimated_cost_usd"] or 0.0)
            for d in self._dispatches
            if d["repo"] == repo and d["created_at"] >= start and d["status"] in ACTIVE + FINISHED
        ))

    # --- command replies -------------------------------------------------------------------

    def reply_for(self, repo: str, comment_id: int) -> int | None:
        return self._replies.get((repo, comment_id))

    def set_reply(self, repo: str, comment_id: int, reply_id: int) -> None:
        self._replies.setdefault((repo, comment_id), reply_id)

    # --- report ----------------------------------------------------------------------------

    def records(self, repo: str | None = None) -> list[dict]:
        recs = sorted((r for r in self._records.values() if not repo or r["repo"] == repo), key=lambda r: r["id"])
        return [routing_record(dict(r, overrides=self.overrides(r["repo"], r["number"]),
                                    dispatches=self._rows(r["repo"], r["number"]))) for r in recs]

    # --- review gate -----------------------------------------------------------------------

    def record_review(self, repo: str, number: int, *, head_sha: str, model: str, verdict: str, state: str,
                      trigger: str, base_sha: str | None = None, counts: dict | None = None, chunks: int = 0,
                      skipped: list | None = None, files: list | None = None, cost_usd: float | None = None,
                      author: str | None = None) -> dict:
        r = dict(id=next(self._ids), repo=repo, number=number, head_sha=head_sha, base_sha=base_sha, model=model,
                 verdict=verdict, state=state, counts=counts or {}, chunks=chunks, skipped=skipped or [],
                 files=files or [], cost_usd=cost_usd, trigger=trigger, author=author, created_at=self.clock())
        self._reviews.append(r)
        return dict(r)

    def last_review(self, repo: str, number: int) -> dict | None:
        found = self.reviews(repo, number)
        return found[-1] if found else None

    def reviews(self, repo: str | None = None, number: int | None = None) -> list[dict]:
        return [dict(r) for r in self._reviews if (not repo or r["repo"] == repo) and (number is None or r["number"] == number)]

    def record_review_override(self, repo: str, number: int, *, head_sha: str, by: str, reason: str) -> dict:
        o = dict(id=next(self._ids), repo=repo, number=number, head_sha=head_sha, by=by, reason=reason,
                 created_at=self.clock())
        self._review_overrides.append(o)
        return dict(o)

    def review_overrides(self, repo: str | None = None, number: int | None = None) -> list[dict]:
        return [dict(o) for o in self._review_overrides
                if (not repo or o["repo"] == repo) and (number is None or o["number"] == number)]

    # --- one review per commit (bot.store.review_claims.ReviewGuard's contract) ---------------------

    def review_of(self, repo: str, number: int, head_sha: str) -> dict | None:
        found = [r for r in self._reviews if (r["repo"], r["number"], r["head_sha"]) == (repo, number, head_sha)
                 and r["verdict"] in FINAL]
        return dict(found[-1]) if found else None

    def claim_review(self, repo: str, number: int, head_sha: str, *, ttl_seconds: float) -> bool:
        now, key = self.clock(), (repo, number, head_sha)
        held = self._claims.get(key)
        if held is not None and held >= now - timedelta(seconds=ttl_seconds):
            return False
        self._claims[key] = now
        return True

    def release_review(self, repo: str, number: int, head_sha: str) -> None:
        self._claims.pop((repo, number, head_sha), None)

    def reviews_by_author(self, repo: str, author: str, since) -> int:
        return sum(1 for r in self._reviews if r["repo"] == repo and (r.get("author") or "").lower() == author.lower()
                   and r["created_at"] >= since)

    def review_spend(self, repo: str, since) -> float:
        return float(sum(r["cost_usd"] or 0.0 for r in self._reviews if r["repo"] == repo and r["created_at"] >= since))


class MemoryConvoyStore:
    """ConvoyStore's contract in memory (one job, one process: the lease only has to be honest, not shared)."""

    def __init__(self, *, clock: Callable[[], datetime] = utcnow):
        self.clock = clock
        self._convoys: dict[tuple[str, int], dict] = {}  # (repo, parent) -> {"state", "owner"}
        self._parents: dict[tuple[str, int], int] = {}

    def create(self, convoy: ConvoyDoc) -> bool:
        key = (convoy.repo, convoy.parent)
        if key in self._convoys:
            return False
        self._convoys[key] = {"state": convoy.model_dump(mode="json"), "owner": None}
        return True

    def load(self, repo: str, parent: int) -> dict | None:
        row = self._convoys.get((repo, parent))
        return dict(row["state"]) if row else None

    def replace(self, convoy: ConvoyDoc) -> None:
        if not self.create(convoy):
            self._convoys[(convoy.repo, convoy.parent)]["state"] = convoy.model_dump(mode="json")

    def save(self, convoy: ConvoyDoc, owner: str) -> None:
        row = self._convoys.get((convoy.repo, convoy.parent))
        if row is None or row["owner"] != owner:
            raise Busy(f"lost the lease on {convoy.repo}#{convoy.parent}")
        row["state"] = convoy.model_dump(mode="json")
        for t in convoy.tasks:
            if t.issue is not None:
                self._parents.setdefault((convoy.repo, t.issue), convoy.parent)

    def parent_of(self, repo: str, number: int) -> int | None:
        return self._parents.get((repo, number))

    def acquire(self, repo: str, parent: int) -> str | None:
        row = self._convoys.get((repo, parent))
        if row is None or row["owner"] is not None:
            return None
        row["owner"] = uuid.uuid4().hex
        return row["owner"]

    def release(self, repo: str, parent: int, owner: str) -> None:
        row = self._convoys.get((repo, parent))
        if row is not None and row["owner"] == owner:
            row["owner"] = None
