"""GitHub counts a comment's length in characters: fit() keeps to that rule exactly at the boundary."""

from __future__ import annotations

from bot.github.limits import COMMENT_MAX_CHARS, fit

REPO = "octo/limits"
WIDE = "😀"  # one character, two UTF-16 units, four UTF-8 bytes


def test_a_body_of_exactly_the_limit_is_left_alone():
    body = WIDE * COMMENT_MAX_CHARS
    assert fit(body) is body


def test_one_character_more_is_cut_to_the_limit():
    lines = ("x" * 99 + "\n") * (COMMENT_MAX_CHARS // 100)
    body = lines + "y" * (COMMENT_MAX_CHARS + 1 - len(lines))
    assert len(body) == COMMENT_MAX_CHARS + 1
    out = fit(body)
    assert len(out) <= COMMENT_MAX_CHARS and out.endswith("comment._\n") and "y" not in out


def test_github_takes_the_longest_body_and_refuses_one_more(fake_github, gh):
    fake_github.add_repo(REPO)
    fake_github.add_issue(REPO, 1, "t", "b")
    posted = gh.create_comment(REPO, 1, fit(WIDE * COMMENT_MAX_CHARS))
    assert len(fake_github.comments(REPO, 1)[0]["body"]) == COMMENT_MAX_CHARS and posted.id
    gh.create_comment(REPO, 1, fit(WIDE * (COMMENT_MAX_CHARS + 1)))
    assert len(fake_github.comments(REPO, 1)[1]["body"]) <= COMMENT_MAX_CHARS
