"""RestGitHub's sub-issue and issue-dependency calls (PyGithub has neither); GitHub takes issue ids here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from github import GithubException
from github.Issue import Issue as GhIssue
from github.PaginatedList import PaginatedList

from bot.github.port import IssueInfo
from bot.github.rest_pulls import listed
from bot.github.retry import translated


class IssueTreeMixin:
    """Mixed into RestGitHub, whose `_repo`, `_request`, `_write`, `_gh` and `_to_issue` it uses."""

    _gh: Any

    def _issue_list(self, url: str) -> list[IssueInfo]:
        return [self._to_issue(listed(x)) for x in PaginatedList(GhIssue, self._gh.requester, url, None)]

    def _add_once(self, url: str, body: dict, listing: Callable[[], list[IssueInfo]], issue_id: int) -> None:
        """POST a relation; a 422 because it already exists (a retried job) is success."""
        self._write()
        with translated():
            try:
                self._request("POST", url, body)
            except GithubException as e:
                if e.status == 422 and any(i.id == issue_id for i in listing()):
                    return
                raise

    def issues_created_by(self, repo: str, creator: str, since: str) -> list[IssueInfo]:
        params = {"state": "all", "creator": creator, "since": since}
        with translated():
            url = f"{self._repo(repo).url}/issues"
            return [self._to_issue(listed(x)) for x in PaginatedList(GhIssue, self._gh.requester, url, params)]

    def recent_issues(self, repo: str, label: str, limit: int) -> list[IssueInfo]:
        params = {"state": "all", "labels": label, "sort": "updated", "direction": "desc", "per_page": 100}
        found: list[IssueInfo] = []
        with translated():
            pages = PaginatedList(GhIssue, self._gh.requester, f"{self._repo(repo).url}/issues", params)
            for d in map(listed, pages) if limit > 0 else ():  # a page at a time: none past the limit's
                if "pull_request" not in d:  # PRs are issues too
                    found.append(self._to_issue(d))
                if len(found) >= limit:
                    break
        return found

    def add_sub_issue(self, repo: str, parent: int, sub_issue_id: int) -> None:
        url = f"{self._repo(repo).url}/issues/{parent}/sub_issues"
        self._add_once(url, {"sub_issue_id": sub_issue_id}, lambda: self.list_sub_issues(repo, parent), sub_issue_id)

    def list_sub_issues(self, repo: str, parent: int) -> list[IssueInfo]:
        with translated():
            return self._issue_list(f"{self._repo(repo).url}/issues/{parent}/sub_issues")

    def add_blocked_by(self, repo: str, number: int, blocker_id: int) -> None:
        url = f"{self._repo(repo).url}/issues/{number}/dependencies/blocked_by"
        self._add_once(url, {"issue_id": blocker_id}, lambda: self.list_blocked_by(repo, number), blocker_id)

    def list_blocked_by(self, repo: str, number: int) -> list[IssueInfo]:
        with translated():
            return self._issue_list(f"{self._repo(repo).url}/issues/{number}/dependencies/blocked_by")

