"""The issues service on the in-memory GitHub port (unit), and the same routing on the HTTP fake (contract parity)."""

from __future__ import annotations

from sqlalchemy import create_engine

from bot.config.source import FixedConfig
from bot.context import Context
from bot.issues.service import refresh_comment, route_issue
from bot.issues.state import MARKER, decode
from bot.store.issues import IssueStore

REPO = "octo/service"
TITLE, BODY = "Fix typo in the README", "teh → the"


def context(gh, tmp_path) -> Context:
    return Context(gh=gh, repo=REPO, store=IssueStore(create_engine(f"sqlite:///{tmp_path / 's.db'}")), configs=FixedConfig())


def test_routing_labels_the_issue_and_posts_one_sticky_comment(memory_github, tmp_path):
    memory_github.add_repo(REPO)
    memory_github.add_issue(REPO, 1, TITLE, BODY)
    ctx = context(memory_github, tmp_path)
    res = route_issue(ctx, 1)
    assert res.action == "routed"
    assert sorted(memory_github.issue_labels(REPO, 1)) == ["complexity:trivial", "model:haiku"]
    [comment] = memory_github.comments(REPO, 1)
    assert comment.body.startswith(MARKER) and decode(comment.body).tier == "haiku"
    route_issue(ctx, 1)  # routing again edits nothing: same labels, same comment
    assert len(memory_github.comments(REPO, 1)) == 1
    assert [w for w, _ in memory_github.writes].count("edit_comment") == 0


def test_refresh_without_a_record_writes_nothing(memory_github, tmp_path):
    memory_github.add_repo(REPO)
    memory_github.add_issue(REPO, 2, TITLE, BODY)
    assert refresh_comment(context(memory_github, tmp_path), 2) is None and memory_github.writes == []


def test_both_fakes_end_in_the_same_state(memory_github, fake_github, gh, tmp_path):
    """The in-memory port is only useful while it behaves like GitHub: same labels, same comment."""
    memory_github.add_repo(REPO)
    memory_github.add_issue(REPO, 3, TITLE, BODY)
    fake_github.add_repo(REPO)
    fake_github.add_issue(REPO, 3, TITLE, BODY)
    seen = []
    for port, db in ((memory_github, "m"), (gh, "h")):
        (tmp_path / db).mkdir()
        route_issue(context(port, tmp_path / db), 3)
        seen.append((sorted(port.issue_labels(REPO, 3)), [c.body for c in port.list_comments(REPO, 3)]))
    assert seen[0] == seen[1] and seen[0][0] == ["complexity:trivial", "model:haiku"]


def test_a_decision_stored_with_an_unbounded_kind_still_re_renders(memory_github, tmp_path):
    """A decision recorded before kinds were bounded (bot.models.MAX_KIND) holds a longer kind: the sticky
    comment re-renders from the store with it clipped, and its state line is believed when read back."""
    from bot.models import MAX_KIND

    memory_github.add_repo(REPO)
    memory_github.add_issue(REPO, 4, TITLE, BODY)
    ctx = context(memory_github, tmp_path)
    route_issue(ctx, 4)
    old = ctx.store.decision(REPO, 4).model_copy(update={"kind": "typo|" + "x" * 300})
    ctx.store.record_decision(REPO, 4, old)
    assert refresh_comment(ctx, 4) is not None
    [comment] = memory_github.comments(REPO, 4)
    assert decode(comment.body).decision.kind == ("typo|" + "x" * 300)[:MAX_KIND]
