"""The Opus review gate on a pull request: always report `model-router/opus-review` on the head SHA."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.github.port import GitHubError, PullInfo
from bot.context import Context, Result
from bot.catalog import model_for, price_for, tier_of
from bot.models import Tier
from bot.permissions import WRITE_LEVELS, permission
from bot.review import ReviewInvalid, ReviewUnavailable, bot_prs, diff, gate, guard, incremental, publish, reviewer

log = logging.getLogger(__name__)
RETARGETED = guard.RETARGETED  # the trigger of a pull request whose base changed: a new diff at the same head

@dataclass(frozen=True)
class GateSettings:
    """What the gate reads from the repository config."""

    enabled: bool
    labels: tuple[str, ...]
    paths: tuple[str, ...]
    max_chars: int
    max_chunks: int
    max_tokens: int
    timeout: float

    @property
    def label(self) -> str:
        return self.labels[0] if self.labels else "security"


def settings(ctx: Context) -> GateSettings:
    sec, rev = ctx.config.security, ctx.config.review
    return GateSettings(
        enabled=rev.enabled, labels=tuple(sec.labels), paths=tuple(ctx.config.security_paths()),
        max_chars=rev.max_diff_chars_per_chunk, max_chunks=rev.max_chunks,
        max_tokens=rev.max_tokens, timeout=rev.timeout_seconds,
    )


def label_changed(ctx: Context, number: int, name: str, *, added: bool, sender: str) -> Result:
    """A label was added or removed: only security labels concern the gate."""
    if not gate.is_security_label(name, settings(ctx).labels):
        return Result(action="ignored", messages=[f"label {name!r} does not concern the review gate"])
    if not added:
        return security_label_removed(ctx, number, name, sender)
    return run_gate(ctx, number, trigger="labeled")


def _writer(ctx: Context, login: str) -> tuple[bool, str]:
    level = permission(ctx, login)
    return level in WRITE_LEVELS, level


def security_label_removed(ctx: Context, number: int, name: str, sender: str) -> Result:
    """Removing the label never clears the gate while paths match; non-writers cannot remove it at all."""
    allowed, level = _writer(ctx, sender)
    if not allowed:
        ctx.gh.add_labels(ctx.repo, number, [name])
        ctx.gh.create_comment(
            ctx.repo, number,
            f"Restored the `{name}` label: removing it needs write permission (@{sender} has `{level}`).",
        )
        return Result(action="label_restored", messages=[f"{sender} ({level}) may not remove {name!r}; restored"])
    pull = ctx.gh.get_pull(ctx.repo, number)
    files = ctx.gh.list_pull_files(ctx.repo, number)
    req = _requirement(ctx, pull, files)
    if req.paths or req.truncated:
        ctx.gh.add_labels(ctx.repo, number, [name])
        ctx.gh.create_comment(
            ctx.repo, number,
            f"Restored the `{name}` label: this pull request {req.reason()}. The Opus review gate stays in force.",
        )
        return Result(action="label_restored", messages=["security paths still match: " + req.reason()])
    if req.required:  # another security label is still present: the gate's state stands
        return Result(action="unchanged", messages=[req.reason()])
    held = _held(ctx, number, pull.head_sha)
    if held:
        return Result(action="unchanged", messages=[held[1]], outputs={"review_state": held[0]})
    publish.report(ctx, pull.head_sha, gate.not_required())
    return Result(action="not_required", messages=[f"{sender} removed {name!r}; no security path matches"],
                         outputs={"review_state": "success"})


def _requirement(ctx: Context, pull: PullInfo, files) -> gate.Requirement:
    s = settings(ctx)
    paths = [f.filename for f in files] + [f.previous_filename for f in files if f.previous_filename]
    truncated = gate.listing_truncated(len(files), pull.changed_files)
    return gate.requirement(pull.labels, paths, s.labels, s.paths, truncated=truncated)


def _held(ctx: Context, number: int, sha: str) -> tuple[str, str] | None:
    """(state, why) when "not required" must not be reported on `sha`, else None.

    A commit status belongs to the commit, not the pull request: the strictest open PR at this head
    decides, and the bot's own pending or failure there is cleared only by a review or an override."""
    mine = ctx.gh.bot_login().lower()
    ours = next((st for st in ctx.gh.commit_statuses(ctx.repo, sha)
                 if st.context == gate.CONTEXT and st.creator.lower() == mine), None)  # newest first
    if ours is not None and ours.state != "success":
        return ours.state, (f"the gate already reported {ours.state} on {sha[:12]}: only a review or an admin's "
                            "/override-review clears it")
    for other in ctx.gh.pulls_for_commit(ctx.repo, sha):
        if other.number == number or other.state != "open" or other.head_sha != sha:
            continue
        if _requirement(ctx, other, ctx.gh.list_pull_files(ctx.repo, other.number)).required:
            return "pending", f"pull request #{other.number} has the same head {sha[:12]} and needs the Opus review"
    return None


def run_gate(ctx: Context, number: int, *, trigger: str) -> Result:
    """Report on the PR's current head: not required, or pending then the review's result.

    Raises ReviewUnavailable (transient) after reporting `pending` when the review API is down,
    so the job queue retries; nothing here ever reports success without a parsed pass.
    """
    s = settings(ctx)
    pull = ctx.gh.get_pull(ctx.repo, number)
    sha = pull.head_sha
    files = ctx.gh.list_pull_files(ctx.repo, number)
    req = _requirement(ctx, pull, files)
    res = Result(action="not_required", outputs={"review_sha": sha})
    if not s.enabled:  # the default branch's config turned the gate off: report, never block
        publish.report(ctx, sha, gate.disabled())
        res.outputs["review_state"] = "success"
        res.messages.append("review gate disabled by the repository config")
        return res
    if not req.required:
        return _not_required(ctx, number, sha, res)
    if (req.paths or req.truncated) and not req.labels:
        _label(ctx, number, req, s.label, res)
    done = guard.previous(ctx, number, sha) if trigger in guard.AUTOMATIC and not ctx.dry_run else None
    if done is not None:  # never review a reviewed commit twice (a redelivery, a second push of the same head)
        publish.report(ctx, sha, done)
        res.action, res.outputs["review_state"] = "already_reviewed", done.state
        res.messages.append(done.description)
        return res
    publish.report(ctx, sha, gate.pending_required(req))
    res.action, res.outputs["review_state"] = "pending", "pending"
    if ctx.llm is None:
        status = bot_prs.unreviewable(pull.user_login, files, sha) or gate.not_configured()
        publish.report(ctx, sha, status)
        return _answer(res, status, res.action)
    if ctx.dry_run:
        res.messages.append("dry run: review skipped")
        return res
    return _review(ctx, pull, files, req, s, res, trigger)


def _not_required(ctx: Context, number: int, sha: str, res: Result) -> Result:
    held = _held(ctx, number, sha)
    if held:  # the status is per commit: never let this PR clear what another PR (or a review) holds
        res.action, res.outputs["review_state"] = "unchanged", held[0]
        res.messages.append(held[1])
        return res
    publish.report(ctx, sha, gate.not_required())
    res.outputs["review_state"] = "success"
    res.messages.append("Opus review not required")
    return res


def _label(ctx: Context, number: int, req: gate.Requirement, label: str, res: Result) -> None:
    """The PR touches security paths (or too many files to tell): label it and say why, once."""
    ctx.gh.add_labels(ctx.repo, number, [label])
    ctx.gh.create_comment(
        ctx.repo, number,
        f"Added the `{label}` label: this pull request {req.reason()}. "
        f"An Opus-tier review must pass before it merges (status `{gate.CONTEXT}`).",
    )
    res.messages.append(f"labelled {label}: {req.reason()}")


def _answer(res: Result, status: gate.GateStatus, action: str, state: str | None = None) -> Result:
    """The job's result after reporting `status`: its action, the review state (the status's) and why."""
    res.action, res.outputs["review_state"] = action, state or status.state
    res.messages.append(status.description)
    return res


def _review(ctx: Context, pull: PullInfo, files, req: gate.Requirement, s: GateSettings,
            res: Result, trigger: str) -> Result:
    sha = pull.head_sha
    scope = incremental.choose(ctx, pull.number, sha, files, trigger)
    plan = diff.plan(scope.files, max_chars=s.max_chars, max_chunks=s.max_chunks, first=[m.path for m in req.paths],
                     truncated=req.truncated)
    if scope.incremental:
        plan = incremental.restrict(plan, files)
    model = review_model(ctx)
    record = _Recorder(ctx, pull.number, sha, model, trigger, scope, files, pull.user_login)
    if not plan.chunks:
        status = _nothing_to_review(plan)
        publish.report(ctx, sha, status)
        record(status, "pass" if status.state == "success" else "unreviewable", plan)
        return _answer(res, status, status.state)
    refused = guard.refusal(ctx, pull, plan, model, s.max_tokens, trigger)
    if refused:  # fail closed: no review, no pass
        status = gate.GateStatus("failure", f"Opus review not run: {refused}; an admin may /override-review",
                                 summary=f"The review was not run: {refused}.")
        publish.report(ctx, sha, status)
        return _answer(res, status, "refused", "failure")
    if not guard.claim(ctx, pull.number, sha, trigger, guard.claim_ttl(s.max_chunks, s.timeout)):
        if trigger == RETARGETED:  # the running review is of the old base and will be dropped: come back for ours
            raise ReviewUnavailable("a review of this commit against the old base is still running")
        res.action = "in_progress"  # another worker reviews (or just reviewed) this commit; it reports the result
        res.messages.append(f"a review of {sha[:12]} is already running")
        return res
    try:
        result = reviewer.review(ctx.llm, model=model, title=pull.title, body=pull.body, plan=plan,
                                 max_tokens=s.max_tokens, timeout=s.timeout)
    except ReviewUnavailable as exc:
        ctx.store.release_review(ctx.repo, pull.number, sha)  # the retried job claims it again
        publish.report(ctx, sha, gate.unavailable(exc.reason))
        raise
    except ReviewInvalid as exc:
        ctx.store.release_review(ctx.repo, pull.number, sha)
        status = gate.review_error(str(exc))
        publish.report(ctx, sha, status)
        record(status, "error", plan)
        return _answer(res, status, "review_error", "failure")
    now = ctx.gh.get_pull(ctx.repo, pull.number)
    if now.head_sha != sha or now.base_ref != pull.base_ref:  # a push or a new base has its own job
        ctx.store.release_review(ctx.repo, pull.number, sha)
        res.action = "superseded"
        res.messages.append(f"the pull request moved from {pull.base_ref}...{sha[:12]} to {now.base_ref}..."
                            f"{now.head_sha[:12]}; the result for the old diff is dropped")
        return res
    return _verdict(ctx, pull, files, plan, model, scope, result, record, res, trigger)


def _verdict(ctx: Context, pull: PullInfo, files, plan: diff.DiffPlan, model: str, scope, result, record: "_Recorder",
             res: Result, trigger: str) -> Result:
    """A parsed review of the head: post it, report the gate's status and record it."""
    sha = pull.head_sha
    out = result.output
    review = _post_review(ctx, pull.number, sha, out, plan, model, scope.describe(pull.base_ref))
    status = gate.result(gate.Verdict(out.verdict, tuple(f.severity for f in out.findings),
                                      partial=plan.unreviewed, details=review.body, since=scope.base_sha or "",
                                      injection=any(gate.is_injection(f.title, f.explanation) for f in out.findings),
                                      unreviewed=plan.skipped_text()))
    publish.report(ctx, sha, status, publish.annotations(out, set(plan.commentable) & {f.filename for f in files}))
    record(status, out.verdict, plan, counts=gate.severity_counts(f.severity for f in out.findings), chunks=result.chunks,
           cost_usd=review_cost(ctx, result))
    ctx.store.release_review(ctx.repo, pull.number, sha)  # recorded: automatic triggers now find the record
    if scope.incremental:
        res.outputs["review_base_sha"] = scope.base_sha or ""
    res.action, res.outputs["review_state"] = out.verdict, status.state
    res.outputs["review_verdict"] = out.verdict
    res.messages.append(f"{trigger}: {status.description}")
    return res


def _post_review(ctx: Context, number: int, sha: str, out, plan: diff.DiffPlan, model: str, scope: str):
    """The pull request review, inline comments included; if GitHub refuses a position, all in the body."""
    review = publish.build_review(out, plan, sha=sha, model=model, scope=scope)
    if guard.posted(ctx, number, sha):  # idempotent per commit: one review, however many runs
        return review
    try:
        ctx.gh.create_review(ctx.repo, number, sha, review.body, review.event, review.comments)
    except GitHubError as exc:
        if exc.status != 422 or not review.comments:
            raise
        # GitHub refused an inline position: post everything in the body instead.
        log.warning("inline review comments refused (%s); posting them in the body", exc.message)
        flat = publish.build_review(out, diff.DiffPlan(plan.chunks, plan.skipped, {}), sha=sha, model=model, scope=scope)
        ctx.gh.create_review(ctx.repo, number, sha, flat.body, flat.event, [])
    return review


TRIGGERS = {"synchronize": "push", "labeled": "label", "unlabeled": "label"}


@dataclass
class _Recorder:
    """Writes the review record (the audit trail, and the next push's incremental starting point)."""

    ctx: Context
    number: int
    sha: str
    model: str
    trigger: str
    scope: incremental.Scope
    files: list
    author: str = ""

    def __call__(self, status: gate.GateStatus, verdict: str, plan: diff.DiffPlan, *,
                 counts: dict | None = None, chunks: int = 0, cost_usd: float | None = None) -> None:
        skipped = [{"file": sk.path, "reason": sk.reason} for sk in plan.skipped]
        if plan.truncated_listing:
            skipped.append({"file": "*", "reason": "beyond the files API's listing limit"})
        try:
            self.ctx.store.record_review(
                self.ctx.repo, self.number, head_sha=self.sha, base_sha=self.scope.base_sha, model=self.model,
                verdict=verdict, state=status.state, trigger=TRIGGERS.get(self.trigger, self.trigger),
                counts=counts or {}, chunks=chunks, skipped=skipped, files=sorted(incremental.paths(self.files)),
                cost_usd=cost_usd, author=self.author or None,
            )
        except Exception:  # the status is already reported; a lost record only costs a full review next time
            log.exception("could not record the review of %s#%s at %s", self.ctx.repo, self.number, self.sha[:12])


def review_cost(ctx: Context, result: reviewer.ReviewResult) -> float | None:
    """What the review's calls cost at the catalog's price; None when the API reported no usage."""
    if not result.usage:
        return None
    return sum(price_for(u.model, ctx.config).cost(u.input_tokens, u.output_tokens) for u in result.usage)


def review_model(ctx: Context) -> str:
    """The opus-tier id from the catalog; a repo override that is not opus-tier is ignored."""
    model = model_for(Tier.opus, ctx.config)
    if tier_of(model) != Tier.opus:
        log.warning("models.opus override %r is not an opus-tier model; using the catalog's", model)
        model = model_for(Tier.opus)
    return model


def _nothing_to_review(plan: diff.DiffPlan) -> gate.GateStatus:
    """Only renames: nothing changed. Binary or oversized files: unreviewable, so never a pass."""
    if plan.complete:
        return gate.result(gate.Verdict("pass", details="Only renames without content changes."))
    return gate.GateStatus(
        "failure", f"no reviewable diff: {plan.unreviewed} files binary, too large or unlisted; an admin may /override-review",
        summary="Not reviewed:\n" + plan.skipped_text(),
    )
