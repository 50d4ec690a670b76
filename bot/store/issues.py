"""Routing experiments: one record per routed issue, with overrides, dispatches, run outcomes and costs.

The method names are the contract handlers call through `ctx.store`; works on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
import weakref
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.models import RoutingDecision
from bot.measures.breakdown import Group
from bot.routing.kinds import pack
from bot.routing.learning import Knowledge
from bot.store.convoys import ConvoyStore, for_engine
from bot.store.db import Base, row_dict as _row, session_factory
from bot.store.records import DISPATCH_ERROR, DispatchRecord, RunState, dispatch_record, month_start, outcome_status
from bot.store.records import routing_record
from bot.store import outcomes as _outcomes
from bot.store.issue_rows import ACTIVE, ENDED, FINISHED, STALE_RUN_AFTER, CommandReplyRow, Dispatch, Override, RoutingRecord, utcnow
from bot.store.review_claims import ReviewClaim, ReviewGuard
from bot.store.rollup import rollup
from bot.store.reviews import ReviewLog, ReviewOverride, ReviewRecord
from bot.store.run_truth import RunTruth

_initialised: "weakref.WeakSet[Engine]" = weakref.WeakSet()  # engines whose tables exist already


class IssueStore(ReviewLog, ReviewGuard, RunTruth):
    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utcnow, create: bool = True):
        self.engine = engine
        self.clock = clock
        self._session = session_factory(engine)
        if create and engine not in _initialised:  # a store is built per job: create tables once per engine
            Base.metadata.create_all(engine, tables=[t.__table__ for t in (RoutingRecord, Override, Dispatch, CommandReplyRow,
                                                                     ReviewRecord, ReviewOverride, ReviewClaim)])
            _initialised.add(engine)

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    def rollup(self, repo: str | None = None) -> list[Group]:
        """The five measures' additive counts per day, repository, tier and complexity (one SQL statement)."""
        return rollup(self.engine, repo=repo)

    def convoys(self) -> ConvoyStore:
        """The convoy store on the same database (one per engine)."""
        return for_engine(self.engine, self.clock)

    # --- routing records -------------------------------------------------------------------

    def record_decision(self, repo: str, number: int, decision: RoutingDecision, *, source: str = "auto",
                        features: tuple[int, ...] | None = None) -> str:
        """Store (or update) the routing record of an issue, with its hashed words when given; its routing id."""
        now = self.clock()
        values = dict(
            tier=decision.tier.value,
            model=decision.model,
            complexity=decision.complexity.value,
            strategy=decision.strategy.value,
            confidence=float(decision.confidence),
            estimated_cost_usd=float(decision.estimated_cost_usd),
            baseline_cost_usd=float(decision.baseline_cost_usd),
            source=source,
            decision=decision.model_dump(mode="json"),
            updated_at=now,
        )
        if source == "auto" and decision.strategy.value != "override":
            values["auto_tier"] = decision.tier.value
        if features is not None:
            values["features"] = pack(features)
        asked = float(decision.classifier_cost_usd)
        for _ in range(2):  # a concurrent first insert of the same issue loses the race once, then updates
            with self._session.begin() as s:
                rec = s.scalar(select(RoutingRecord).where(RoutingRecord.repo == repo, RoutingRecord.number == number))
                if rec is not None:
                    for k, v in values.items():
                        setattr(rec, k, v)
                    if asked:
                        rec.classifier_usd = RoutingRecord.classifier_usd + asked  # added in SQL: no lost update
                    return rec.routing_id
            try:
                with self._session.begin() as s:
                    rid = uuid.uuid4().hex[:12]
                    s.add(RoutingRecord(routing_id=rid, repo=repo, number=number, created_at=now,
                                        classifier_usd=asked, **values))
                return rid
            except IntegrityError:
                continue
        raise RuntimeError(f"could not record routing of {repo}#{number}")

    def record_override(self, repo: str, number: int, *, field: str, old: str | None, new: str, by: str) -> None:
        """A human changed tier or complexity (label or slash-command): counts against accuracy."""
        if old == new:
            return
        with self._session.begin() as s:
            s.add(Override(repo=repo, number=number, field=field, old=old, new=new, by=by, created_at=self.clock()))

    def current(self, repo: str, number: int) -> dict | None:
        """The latest record of an issue (tier, model, complexity, decision JSON, overrides, dispatches)."""
        with self._session() as s:
            rec = s.scalar(select(RoutingRecord).where(RoutingRecord.repo == repo, RoutingRecord.number == number))
            if rec is None:
                return None
            out = routing_record(_row(rec))
            out["overrides"] = [_row(o) for o in s.scalars(self._issue_q(Override, repo, number).order_by(Override.id))]
            out["dispatches"] = [_row(d) for d in s.scalars(self._issue_q(Dispatch, repo, number).order_by(Dispatch.id))]
            return out

    def decision(self, repo: str, number: int) -> RoutingDecision | None:
        rec = self.current(repo, number)
        return RoutingDecision.model_validate(rec["decision"]) if rec else None

    def overrides(self, repo: str, number: int) -> list[dict]:
        with self._session() as s:
            return [_row(o) for o in s.scalars(self._issue_q(Override, repo, number).order_by(Override.id))]

    @staticmethod
    def _issue_q(model, repo: str, number: int):
        return select(model).where(model.repo == repo, model.number == number)

    # --- dispatches and runs ---------------------------------------------------------------

    def find_dispatch(self, key: str) -> DispatchRecord | None:
        with self._session() as s:
            d = s.scalar(select(Dispatch).where(Dispatch.key == key))
            return dispatch_record(_row(d)) if d else None

    def get_dispatch(self, dispatch_id: str) -> DispatchRecord | None:
        with self._session() as s:
            d = s.scalar(select(Dispatch).where(Dispatch.dispatch_id == dispatch_id))
            return dispatch_record(_row(d)) if d else None

    def claim_dispatch(self, *, key: str, repo: str, number: int, **fields) -> tuple[DispatchRecord | None, bool]:
        """Insert the dispatch row keyed by its cause (unique); (row, True) only for the first claimant.

        A row left in `error` (the GitHub call failed) is claimed again, by one claimant only, so a retried job can
        dispatch (once, however many retry at the same time).
        """
        now = self.clock()
        try:
            with self._session.begin() as s:
                n = s.scalar(select(func.count()).select_from(Dispatch).where(Dispatch.repo == repo, Dispatch.number == number))
                rec = s.scalar(select(RoutingRecord.routing_id).where(RoutingRecord.repo == repo, RoutingRecord.number == number))
                d = Dispatch(
                    key=key,
                    repo=repo,
                    number=number,
                    routing_id=rec,
                    dispatch_id=f"{rec or 'n' + str(number)}.{n + 1}.{uuid.uuid4().hex[:4]}",
                    status="pending",
                    created_at=now,
                    **fields,
                )
                s.add(d)
                s.flush()
                return dispatch_record(_row(d)), True
        except IntegrityError:
            pass
        with self._session.begin() as s:  # one conditional UPDATE: of racing retries, one moves it out of `error`
            again = update(Dispatch).where(Dispatch.key == key, Dispatch.status == DISPATCH_ERROR)
            won = s.execute(again.values(**fields, status="pending", error=None, created_at=now)).rowcount == 1
            d = s.scalar(select(Dispatch).where(Dispatch.key == key))
            return (dispatch_record(_row(d)) if d else None), won

    def restore_run(self, repo: str, number: int, run: RunState, *, by: str) -> bool:
        """Re-insert a run known from elsewhere (the Action's sticky-comment state) with its own id, costs and
        times (a claim would mint a new id, and a changing id would churn the comment).

        False when it is already known (same dispatch id or cause)."""
        own = f"{repo}#{number}:"
        row = run.model_dump()
        row["key"] = run.key if run.key and run.key.startswith(own) else f"{own}state:{run.dispatch_id}"
        for when in ("created_at", "completed_at", "unconfirmed_at"):  # the store keeps naive UTC
            if row[when] is not None and row[when].tzinfo is not None:
                row[when] = row[when].astimezone(timezone.utc).replace(tzinfo=None)
        row["created_at"] = row["created_at"] or self.clock()
        row["by"] = by
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(Dispatch).values(repo=repo, number=number, **row))
        except IntegrityError:
            return False
        return True

    def update_dispatch(self, dispatch_id: str, **fields) -> DispatchRecord:
        with self._session.begin() as s:
            d = s.scalar(select(Dispatch).where(Dispatch.dispatch_id == dispatch_id))
            if d is None:
                raise KeyError(dispatch_id)
            for k, v in fields.items():
                setattr(d, k, v)
            return dispatch_record(_row(d))

    def record_outcome(
        self,
        dispatch_id: str,
        *,
        run_id: int | None,
        success: bool | None,
        conclusion: str | None = None,
        run_url: str | None = None,
        duration_s: float | None = None,
        actual_cost_usd: float | None = None,
        num_turns: int | None = None,
        duration_ms: int | None = None,
    ) -> tuple[DispatchRecord, bool]:
        """Record a finished run once (`success` None: it ended before its agent ran, NO_AGENT); (row, False) when
        this run was already recorded (redelivery)."""
        with self._session.begin() as s:
            d = s.scalar(select(Dispatch).where(Dispatch.dispatch_id == dispatch_id).with_for_update())
            if d is None:
                raise KeyError(dispatch_id)
            if d.status in ENDED:
                return dispatch_record(_row(d)), False
            d.run_id, d.run_url, d.conclusion = run_id, run_url, conclusion
            d.status = outcome_status(success)
            d.duration_s, d.actual_cost_usd, d.num_turns, d.duration_ms = duration_s, actual_cost_usd, num_turns, duration_ms
            d.completed_at = self.clock()
            row = dispatch_record(_row(d))
        _outcomes.forget(self.engine)  # the next routing in this process learns from it
        return row, True

    def record_score(self, dispatch_id: str, *, score: int, by: str, note: str) -> tuple[DispatchRecord, int | None]:
        """A person's quality score of a run (1–5): one per run, a later one replaces it; returns the earlier."""
        with self._session.begin() as s:
            d = s.scalar(select(Dispatch).where(Dispatch.dispatch_id == dispatch_id).with_for_update())
            if d is None:
                raise KeyError(dispatch_id)
            earlier = d.score
            d.score, d.score_by, d.score_note, d.scored_at = score, by, note, self.clock()
            d.changed_at = d.scored_at
            row = dispatch_record(_row(d))
        _outcomes.forget(self.engine)  # learning may read a low score as a failure
        return row, earlier

    def knowledge(self, *, low_score_is_failure: bool = False) -> "Knowledge":
        """What routing learns from: every finished execute attempt (see bot.store.outcomes); with
        `low_score_is_failure`, a run people rated low (`/rate`) as a failure."""
        return _outcomes.read_knowledge(self.engine, self._session, low_score_is_failure=low_score_is_failure)

    def dispatches(self, repo: str, number: int) -> list[DispatchRecord]:
        with self._session() as s:
            return [dispatch_record(_row(d)) for d in s.scalars(self._issue_q(Dispatch, repo, number).order_by(Dispatch.id))]

    def active_runs(self, repo: str) -> int:
        """Runs dispatched and not yet finished (stale ones excepted): the concurrency cap counts these."""
        since = self.clock() - STALE_RUN_AFTER
        with self._session() as s:
            q = select(func.count()).select_from(Dispatch).where(
                Dispatch.repo == repo, Dispatch.status.in_(ACTIVE), Dispatch.created_at >= since
            )
            return int(s.scalar(q) or 0)

    def month_spend(self, repo: str, now: datetime | None = None) -> float:
        """This calendar month's (UTC) spend: actual cost where known, else the estimate of the run."""
        now = now or self.clock()
        start = month_start(now)
        with self._session() as s:
            q = select(Dispatch.actual_cost_usd, Dispatch.estimated_cost_usd).where(
                Dispatch.repo == repo, Dispatch.created_at >= start, Dispatch.status.in_(ACTIVE + FINISHED)
            )
            return float(sum(a if a is not None else (e or 0.0) for a, e in s.execute(q)))

    # --- command replies -------------------------------------------------------------------

    def reply_for(self, repo: str, comment_id: int) -> int | None:
        with self._session() as s:
            q = select(CommandReplyRow.reply_id).where(CommandReplyRow.repo == repo, CommandReplyRow.comment_id == comment_id)
            return s.scalar(q)

    def set_reply(self, repo: str, comment_id: int, reply_id: int) -> None:
        try:
            with self._session.begin() as s:
                s.add(CommandReplyRow(repo=repo, comment_id=comment_id, reply_id=reply_id, created_at=self.clock()))
        except IntegrityError:
            pass

    # --- report ----------------------------------------------------------------------------

    def records(self, repo: str | None = None) -> list[dict]:
        """Every routing record with its overrides and dispatches (for `model-router report`)."""
        with self._session() as s:
            recs = select(RoutingRecord).order_by(RoutingRecord.id)
            ovs = select(Override)
            dis = select(Dispatch).order_by(Dispatch.id)
            if repo:
                recs, ovs, dis = (q.where(m.repo == repo) for q, m in ((recs, RoutingRecord), (ovs, Override), (dis, Dispatch)))
            out = {(r.repo, r.number): routing_record(_row(r)) | {"overrides": [], "dispatches": []}
                   for r in s.scalars(recs)}
            for o in s.scalars(ovs):
                if (o.repo, o.number) in out:
                    out[(o.repo, o.number)]["overrides"].append(_row(o))
            for d in s.scalars(dis):
                if (d.repo, d.number) in out:
                    out[(d.repo, d.number)]["dispatches"].append(_row(d))
            return list(out.values())
