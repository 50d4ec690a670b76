"""Issue creation, sub-issues and dependencies through RestGitHub and the validating FakeGitHub."""

import pytest

from bot.github.port import GitHubError

REPO = "octo/repo"


@pytest.fixture
def repo(fake_github):
    fake_github.add_repo(REPO)
    fake_github.add_issue(REPO, 1, title="Parent", body="big work")
    return fake_github


def test_create_issue_attach_and_depend(gh, repo):
    a = gh.create_issue(REPO, "Task a", "do a", ["model:haiku"])
    b = gh.create_issue(REPO, "Task b", "do b")
    assert a.number == 2 and a.id and a.labels == ["model:haiku"]
    gh.add_sub_issue(REPO, 1, a.id)
    gh.add_sub_issue(REPO, 1, b.id)
    gh.add_sub_issue(REPO, 1, a.id)  # a retried job: already there is fine
    assert [i.number for i in gh.list_sub_issues(REPO, 1)] == [2, 3]
    gh.add_blocked_by(REPO, b.number, a.id)
    gh.add_blocked_by(REPO, b.number, a.id)
    assert [i.number for i in gh.list_blocked_by(REPO, b.number)] == [2]
    ops = [r.operation_id for r in repo.requests]
    assert {"issues/create", "issues/add-sub-issue", "issues/list-sub-issues", "issues/add-blocked-by-dependency",
            "issues/list-dependencies-blocked-by"} <= set(ops)


def test_a_sub_issue_of_another_parent_is_refused(gh, repo):
    repo.add_issue(REPO, 5, title="Other parent")
    a = gh.create_issue(REPO, "Task a", "do a")
    gh.add_sub_issue(REPO, 5, a.id)
    with pytest.raises(GitHubError) as exc:
        gh.add_sub_issue(REPO, 1, a.id)
    assert exc.value.status == 422


def test_unknown_issue_id_is_404(gh, repo):
    with pytest.raises(GitHubError) as exc:
        gh.add_blocked_by(REPO, 1, 999_999)
    assert exc.value.status == 404


def test_issues_created_by_a_login_since_a_time(gh, repo):
    mine = gh.create_issue(REPO, "Task a", "do a")
    repo.add_issue(REPO, title="someone else's", user="alice")
    found = gh.issues_created_by(REPO, gh.bot_login(), "2000-01-01T00:00:00Z")
    assert [i.number for i in found] == [mine.number] and found[0].user_login == gh.bot_login()
    assert gh.issues_created_by(REPO, gh.bot_login(), "2999-01-01T00:00:00Z") == []
