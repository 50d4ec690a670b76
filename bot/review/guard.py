"""Before a review spends money: was this commit reviewed already, is one running, does it fit the limits?

Every push, redelivery, replayed body or expired lease can ask for the same review again; each would
pay for up to `review.max_chunks` Opus calls and post another review. So a commit is reviewed once
(the store's record, else the bot's own review and status on GitHub), one claim per commit lets only
one worker call the model, and reviews count against `budgets.monthly_usd` and a per-author daily
limit (stricter for pull requests from forks). Refusals fail closed: the gate does not pass.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.catalog import price_for
from bot.review import gate
from bot.review.diff import DiffPlan
from bot.review.publish import MARKER
from bot.store.records import month_start

if TYPE_CHECKING:
    from bot.context import Context
    from bot.github.port import PullInfo

AUTOMATIC = ("opened", "reopened", "synchronize", "labeled", "event")  # `/review` is a person asking again
# A new base: the same head commit, another diff, so an earlier review of the commit does not stand for it;
# it still counts against the author's daily limit (re-targeting must not be a way around it).
RETARGETED = "retargeted"


def previous(ctx: "Context", number: int, sha: str) -> gate.GateStatus | None:
    """The result of an earlier complete review of exactly this commit, or None."""
    done = ctx.store.review_of(ctx.repo, number, sha)
    if done is not None:
        counts = gate.counts_text(done.get("counts") or {})
        return gate.GateStatus(done["state"], f"Opus review of {sha[:7]} done before: {done['verdict']}, {counts}",
                               summary=f"Commit `{sha}` was reviewed before ({done['verdict']}); "
                                       "it is not reviewed twice. A writer's `/review` runs it again.")
    # No record (the Action keeps no store between jobs): the bot's own posted review and final status.
    me = ctx.gh.bot_login().lower()
    ours = next((st for st in ctx.gh.commit_statuses(ctx.repo, sha)
                 if st.context == gate.CONTEXT and st.creator.lower() == me), None)
    if ours is None or ours.state not in ("success", "failure") or not posted(ctx, number, sha):
        return None
    return gate.GateStatus(ours.state, ours.description or f"Opus review of {sha[:7]} done before")


def posted(ctx: "Context", number: int, sha: str) -> bool:
    """The bot already posted its review of this commit (posting is idempotent per SHA)."""
    me, marker = ctx.gh.bot_login().lower(), MARKER.format(sha=sha)
    return any(r.user_login.lower() == me and marker in r.body for r in ctx.gh.list_reviews(ctx.repo, number))


def claim(ctx: "Context", number: int, sha: str, trigger: str, ttl: float) -> bool:
    """Take the one claim to review this commit now; False when another worker holds it or just finished."""
    if not ctx.store.claim_review(ctx.repo, number, sha, ttl_seconds=ttl):
        return False
    if trigger in AUTOMATIC and ctx.store.review_of(ctx.repo, number, sha):  # finished while we prepared
        ctx.store.release_review(ctx.repo, number, sha)
        return False
    return True


def claim_ttl(max_chunks: int, timeout: float) -> float:
    """The longest one review can take (every chunk at its timeout), plus a margin."""
    return max_chunks * timeout + 120.0


def estimate(plan: DiffPlan, model: str, ctx: "Context", max_tokens: int) -> float:
    """A generous price for the review's calls: ~3 characters a token in, up to 2,000 tokens out per chunk."""
    price = price_for(model, ctx.config)
    return sum(price.cost(len(c.text) // 3 + 1_500, min(max_tokens, 2_000)) for c in plan.chunks)


def refusal(ctx: "Context", pull: "PullInfo", plan: DiffPlan, model: str, max_tokens: int, trigger: str) -> str:
    """Why this review must not run now ("" when it may): the monthly budget, or the author's daily limit."""
    now = ctx.store.clock()
    reviews, cost = ctx.store.review_spend(ctx.repo, month_start(now)), estimate(plan, model, ctx, max_tokens)
    limit = ctx.config.budgets.monthly_usd
    if limit is not None and (spent := ctx.store.month_spend(ctx.repo) + reviews) + cost > limit:
        return (f"the review (about ${cost:.2f}) would take this month's spend of ${spent:.2f} past "
                f"`budgets.monthly_usd` (${limit:.2f})")
    if trigger not in (*AUTOMATIC, RETARGETED):
        return ""
    rev = ctx.config.review
    if rev.monthly_usd is not None and reviews + cost > rev.monthly_usd:
        return (f"`review.monthly_usd` (${rev.monthly_usd:.2f}) reached: ${reviews:.2f} spent, this one about "
                f"${cost:.2f}; a writer's `/review` still runs")
    if not pull.user_login:
        return ""
    fork = bool(pull.head_repo) and pull.head_repo.lower() != ctx.repo.lower()
    per_day = rev.max_reviews_per_fork_author_per_day if fork else rev.max_reviews_per_author_per_day
    done = ctx.store.reviews_by_author(ctx.repo, pull.user_login, now - timedelta(days=1))
    if done >= per_day:
        key = "max_reviews_per_fork_author_per_day" if fork else "max_reviews_per_author_per_day"
        return f"@{pull.user_login} had {done} reviews in the last 24 hours (`review.{key}`: {per_day})"
    return ""
