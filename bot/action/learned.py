"""What the Action learns from: the last N routed issues' signed state lines, read back into the job's scratch store
the first time routing asks (so learned routing sees the outcomes the App would), and cached between jobs.

Cold start: one listing per `model:` label (issues, most recently updated first, one page each) and each of
the N issues' comments, a few at a time, for its sticky comment. Warm start (a cache file from an earlier job,
bot.action.history_cache): one listing of the repository's comments updated since the newest one cached,
however many issues there are. Only the bot's own sticky comments count, and with a `state-key` only state
lines signed for their issue; runs whose pull request is still open are pending, not learned from
(bot.store.observations). Measured cost: docs/action.md.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from bot.action import history_cache as cache
from bot.action.history import recover_issue, restore, sticky_or_none, trusted, trusted_text
from bot.context import Context
from bot.github.port import Comment, GitHubError, IssueInfo
from bot.issues.service import as_routed
from bot.issues.state import state_text
from bot.measures.definitions import settled
from bot.models import IssueInput, Tier
from bot.routing.kinds import features, pack, unpack
from bot.runs.reverts import reverts_pull

ISSUE_BRANCH = re.compile(r"(?:^|/)issue-([0-9]{1,9})-")  # claude-code-action's branches: <prefix>issue-<N>-<when>
READERS = 8  # sticky comments read at once on a cold start (GitHub's secondary limit is 100 concurrent requests)
WARM_MAX = 1_000  # comments updated since the cache was written; past this many a warm start reads cold instead


class History:
    """The scratch store's history loader: called once, on first use; returns the note for "nothing learned"."""

    def __init__(self, ctx: Context, limit: int, path: Path | None):
        self.ctx, self.limit, self.path = ctx, limit, path
        self.changed = False  # the cache file was (re)written with something new: worth saving for later jobs

    def __call__(self) -> str | None:
        ctx, started = self.ctx, time.monotonic()
        try:
            me = ctx.gh.bot_login()
            owner = cache.Owner(ctx.repo, me, cache.fingerprint(ctx.state_key, ctx.repo), self.limit)
            kept = self._cached(owner)
            entries, how = (self._warm(kept, me) if kept is not None else None), "warm start"
            if entries is None:
                entries, how = self._cold(me), "cold start"
            entries = sorted(entries, key=lambda e: (e.updated_at, e.number))[-self.limit:]
        except GitHubError as exc:
            ctx.notes.append(f"The routing history could not be read (GitHub {exc.status}); routed without it.")
            return f"the routing history could not be read (GitHub {exc.status})"
        issues, runs = self._restore(entries, me)
        self._save(owner, kept, entries)
        ctx.notes.append(f"Learned from {issues} recently routed issues ({runs} runs with an outcome; {how}, "
                         f"{time.monotonic() - started:.1f} s).")
        if not issues:
            return "no issue was routed before this one"
        return f"no finished executor run in the {issues} most recently routed issues"

    def _cached(self, owner: cache.Owner) -> list[cache.Entry] | None:
        if self.path is None:
            return None
        kept, why = cache.read(self.path, owner)
        if kept is None and why != "no cache yet":  # fail closed: start cold, and say why
            self.ctx.notes.append(f"The history cache {self.path} was ignored ({why}); reading the history cold.")
        return kept

    def _warm(self, kept: list[cache.Entry], me: str) -> list[cache.Entry] | None:
        """The cached entries updated by the comments changed since; None when too much changed (read cold)."""
        since = cache.newest(kept)
        if since is None:
            return None
        by_number = {e.number: e for e in kept}
        new: list[int] = []  # issues the cache has no words for: read once each
        for seen, comment in enumerate(self.ctx.gh.list_repo_comments(self.ctx.repo, since=_parse(since)), 1):
            if seen > WARM_MAX:
                return None
            entry = self._entry(comment.issue_number, comment, me)
            if entry is not None:
                words = by_number[entry.number].words if entry.number in by_number else ""
                if not words and entry.number not in new:
                    new.append(entry.number)
                by_number[entry.number] = replace(entry, words=words)
        with ThreadPoolExecutor(max_workers=READERS) as pool:
            for n, words in zip(new, pool.map(self._read_words, new)):
                by_number[n] = replace(by_number[n], words=words)
        return list(by_number.values())

    def _read_words(self, number: int) -> str:
        """An issue's hashed words, read once (""  when it is gone or unreadable: its runs teach the counts only)."""
        try:
            return hashed_words(self.ctx, self.ctx.gh.get_issue(self.ctx.repo, number))
        except GitHubError:
            return ""

    def _cold(self, me: str) -> list[cache.Entry]:
        ctx = self.ctx
        labels = [ctx.config.labels.model_label(tier) for tier in Tier]
        found: dict[int, str] = {}
        words: dict[int, str] = {}  # the issue as listed: its hashed words, for the text model
        with ThreadPoolExecutor(max_workers=READERS) as pool:
            for listed in pool.map(lambda label: ctx.gh.recent_issues(ctx.repo, label, self.limit), labels):
                for issue in listed:
                    when = issue.updated_at.isoformat() if issue.updated_at else ""
                    found[issue.number] = max(found.get(issue.number, ""), when)
                    words[issue.number] = hashed_words(ctx, issue)
            numbers = sorted(found, key=lambda n: (found[n], n))[-self.limit:]
            comments = list(pool.map(lambda n: sticky_or_none(ctx, n), numbers))
        return [replace(e, words=words[n]) for n, c in zip(numbers, comments)
                if c is not None and (e := self._entry(n, c, me)) is not None]

    def _entry(self, number: int | None, comment: Comment, me: str) -> cache.Entry | None:
        """A cache entry for the bot's trusted sticky comment; None for anything else."""
        if number is None or trusted(self.ctx, number, comment, me) is None:
            return None
        text = state_text(comment.body)
        when = comment.updated_at.isoformat() if comment.updated_at else ""
        return cache.Entry(number, when, text, comment.user_login) if text and when else None

    def _restore(self, entries: list[cache.Entry], me: str) -> tuple[int, int]:
        """Each issue the store does not know yet (this job's own issue it already does), oldest first."""
        ctx, issues, runs = self.ctx, 0, 0
        for e in entries:
            state = trusted_text(ctx, e.number, e.text, e.author, me)  # the file is data: the fresh read's rule again
            if state is None or ctx.store.current(ctx.repo, e.number) is not None:
                continue
            restore(ctx, e.number, state, _parse(e.updated_at), unpack(e.words))
            issues += 1
            runs += sum(1 for r in state.runs if r.mode == "execute" and settled(r.model_dump()))
        return issues, runs

    def _save(self, owner: cache.Owner, kept: list[cache.Entry] | None, entries: list[cache.Entry]) -> None:
        if self.path is None or kept == entries:
            return
        try:
            cache.write(self.path, owner, entries)
            self.changed = True
        except OSError as exc:
            self.ctx.notes.append(f"The history cache {self.path} could not be written ({type(exc).__name__}).")


def hashed_words(ctx: Context, issue: IssueInfo) -> str:
    """The issue's words as the router hashed them (its own labels stripped), packed; "" when there are none."""
    routed = as_routed(IssueInput(title=issue.title, body=issue.body, labels=issue.labels), ctx.config)
    return pack(features(routed)) or ""


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def learn(ctx: Context, limit: int, path: Path | None) -> History | None:
    """Give the job's scratch store its history loader (None when `history-issues` is 0: learn nothing)."""
    if limit <= 0 or not hasattr(ctx.store, "history"):
        return None
    ctx.store.history = History(ctx, limit, path)
    return ctx.store.history


def before_outcome(ctx: Context, history: History | None, payload: dict) -> None:
    """A pull request closed or was reviewed: the outcome path finds the run by the branch a trusted state line
    records (or, for a revert, by its pull request). The issue a claude-code-action branch names is read first (a
    hint only: just a trusted state line recording the branch ties the PR to a run), one issue's comments; the last
    `history-issues` routed issues only when that finds no run on the branch, or the PR says it reverts one."""
    pull = payload.get("pull_request") or {}
    branch = str((pull.get("head") or {}).get("ref") or "")
    if hint := ISSUE_BRANCH.search(branch):
        recover_issue(ctx, int(hint.group(1)))
    found = ctx.store.dispatch_for_branch(ctx.repo, branch) is not None
    if history is not None and (not found or reverts_pull(str(pull.get("body") or ""), ctx.repo) is not None):
        ctx.store.load_history()
