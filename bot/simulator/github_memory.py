"""MemoryGitHub: the GitHubPort in memory, for fast unit tests (no sockets). FakeGitHub stays the contract fake.

It keeps what the router reads and writes (files, labels, issues, comments, permissions, pull requests,
statuses, dispatches and the runs they start) and records every write in `writes`; failures GitHub would answer (404, 422 for
an over-long comment) are GitHubErrors as RestGitHub raises them.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timezone
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.github.limits import COMMENT_MAX_CHARS
from bot.simulator.github_runs import MemoryActions
from bot.simulator.github_shapes import ACTIONS_APP_ID
from bot.github.port import (
    Annotation, Artifact, CheckRunInfo, Comment, CommitStatus, Comparison, GitHubError, IssueInfo, Label, PostedReview, PullFile, PullInfo,
    RequiredCheck, ReviewComment, WorkflowRun,
)


@dataclass
class _Repo:
    default_branch: str = "main"
    files: dict[tuple[str, str | None], str] = field(default_factory=dict)  # (path, ref) → text
    labels: dict[str, Label] = field(default_factory=dict)  # lower-case name → label
    issues: dict[int, IssueInfo] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)  # id → comment
    comment_issue: dict[int, int] = field(default_factory=dict)  # comment id → issue number
    permissions: dict[str, str] = field(default_factory=dict)
    pulls: dict[int, tuple[PullInfo, list[PullFile]]] = field(default_factory=dict)
    artifacts: dict[int, list[tuple[Artifact, bytes]]] = field(default_factory=dict)  # run id → artifacts
    sub_issues: dict[int, list[int]] = field(default_factory=dict)  # parent → sub-issue numbers
    blocked_by: dict[int, list[int]] = field(default_factory=dict)  # issue → blocker numbers
    required: dict[str, list[RequiredCheck]] = field(default_factory=dict)  # branch → its rulesets' required checks
    classic: dict[str, list[RequiredCheck]] = field(default_factory=dict)  # branch → classic protection's


class MemoryGitHub(MemoryActions):
    """One credential's view of an in-memory GitHub; `writes` lists (method, args) of every write."""

    app_id = 1  # the App's: its check runs name it; a seeded check's dict may name another (`app_id`)

    def __init__(self, login: str = "model-router[bot]"):
        self.login = login
        self.repos: dict[str, _Repo] = {}
        self.writes: list[tuple[str, tuple[Any, ...]]] = []
        self.statuses: list[dict[str, Any]] = []  # a seeded status's dict may name its `creator` (else the App's)
        self.apps = {login.removesuffix("[bot]"): self.app_id, "github-actions": ACTIONS_APP_ID}  # "Get an app"'s, by slug
        self.checks: list[dict[str, Any]] = []
        self.dispatches: list[dict[str, Any]] = []
        self.reviews: list[dict[str, Any]] = []
        self._runs: dict[str, list[WorkflowRun]] = {}  # repo → the runs dispatches started (MemoryActions)
        self._dispatch_faults: list[tuple[int, bool]] = []  # (status, started) for the next dispatches
        self._ids = itertools.count(1)

    # --- seeding -------------------------------------------------------------------------------------
    def add_repo(self, repo: str, *, default_branch: str = "main") -> _Repo:
        return self.repos.setdefault(repo, _Repo(default_branch=default_branch))

    def add_issue(self, repo: str, number: int, title: str = "", body: str = "", labels: list[str] = ()) -> IssueInfo:
        issue = IssueInfo(number=number, title=title, body=body, labels=list(labels), user_login="octocat")
        self._repo(repo).issues[number] = issue
        return issue

    def set_file(self, repo: str, path: str, text: str, ref: str | None = None) -> None:
        self._repo(repo).files[(path, ref)] = text

    def set_permission(self, repo: str, user: str, level: str) -> None:
        self._repo(repo).permissions[user.lower()] = level

    def add_pull(self, repo: str, pull: PullInfo, files: list[PullFile] = ()) -> None:
        self._repo(repo).pulls[pull.number] = (pull, list(files))

    def comments(self, repo: str, number: int) -> list[Comment]:
        r = self._repo(repo)
        return [c for cid, c in sorted(r.comments.items()) if r.comment_issue[cid] == number]

    def _repo(self, repo: str) -> _Repo:
        if repo not in self.repos:
            raise GitHubError(404, "Not Found")
        return self.repos[repo]

    def _issue(self, repo: str, number: int) -> IssueInfo:
        issue = self._repo(repo).issues.get(number)
        if issue is None:
            raise GitHubError(404, "Not Found")
        return issue

    def _write(self, name: str, *args: Any) -> None:
        self.writes.append((name, args))

    # --- the port ------------------------------------------------------------------------------------
    def bot_login(self) -> str:
        return self.login

    def default_branch(self, repo: str) -> str:
        return self._repo(repo).default_branch

    def get_file(self, repo: str, path: str, ref: str | None = None) -> str | None:
        files = self._repo(repo).files
        return files.get((path, ref), files.get((path, None)) if ref in (None, self.default_branch(repo)) else None)

    def list_repo_labels(self, repo: str) -> list[Label]:
        return list(self._repo(repo).labels.values())

    def create_label(self, repo: str, label: Label) -> None:
        self._write("create_label", repo, label.name)
        self._repo(repo).labels.setdefault(label.name.lower(), label)

    def issue_labels(self, repo: str, number: int) -> list[str]:
        return list(self._issue(repo, number).labels)

    def add_labels(self, repo: str, number: int, names: list[str], *, rationale: str | None = None,
                   confidence: str | None = None) -> None:
        if not names:
            return
        self._write("add_labels", repo, number, tuple(names))
        issue = self._issue(repo, number)
        for name in names:  # GitHub creates a label it does not know yet
            self._repo(repo).labels.setdefault(name.lower(), Label(name=name))
            if name.lower() not in {n.lower() for n in issue.labels}:
                issue.labels.append(name)

    def remove_label(self, repo: str, number: int, name: str) -> None:
        self._write("remove_label", repo, number, name)
        issue = self._issue(repo, number)
        issue.labels = [n for n in issue.labels if n.lower() != name.lower()]

    def get_issue(self, repo: str, number: int) -> IssueInfo:
        return self._issue(repo, number).model_copy(deep=True)

    def list_comments(self, repo: str, number: int) -> Iterator[Comment]:
        self._issue(repo, number)
        return iter([c.model_copy() for c in self.comments(repo, number)])

    def list_repo_comments(self, repo: str, since: Any = None) -> list[Comment]:  # no clock here: `since` is ignored
        r = self._repo(repo)
        return [c.model_copy(update={"issue_number": r.comment_issue[i]}) for i, c in sorted(r.comments.items())]

    def create_comment(self, repo: str, number: int, body: str) -> Comment:
        self._write("create_comment", repo, number)
        self._issue(repo, number)
        if len(body) > COMMENT_MAX_CHARS:
            raise GitHubError(422, f"Body is too long (maximum is {COMMENT_MAX_CHARS} characters)")
        comment = Comment(id=next(self._ids), body=body, user_login=self.login, user_type="Bot")
        r = self._repo(repo)
        r.comments[comment.id], r.comment_issue[comment.id] = comment, number
        return comment.model_copy()

    def edit_comment(self, repo: str, comment_id: int, body: str) -> None:
        self._write("edit_comment", repo, comment_id)
        comment = self._repo(repo).comments.get(comment_id)
        if comment is None:
            raise GitHubError(404, "Not Found")
        if len(body) > COMMENT_MAX_CHARS:
            raise GitHubError(422, "Validation Failed")
        comment.body = body

    def add_reaction(self, repo: str, comment_id: int, content: str) -> None:
        self._write("add_reaction", repo, comment_id, content)

    def permission(self, repo: str, username: str) -> str:
        return self._repo(repo).permissions.get(username.lower(), "none")

    def list_run_artifacts(self, repo: str, run_id: int) -> list[Artifact]:
        return [a for a, _ in self._repo(repo).artifacts.get(run_id, [])]

    def download_artifact(self, repo: str, artifact_id: int) -> bytes:
        for run in self._repo(repo).artifacts.values():
            for a, blob in run:
                if a.id == artifact_id:
                    return blob
        raise GitHubError(404, "Not Found")

    def get_pull(self, repo: str, number: int) -> PullInfo:
        if number not in self._repo(repo).pulls:
            raise GitHubError(404, "Not Found")
        return self._repo(repo).pulls[number][0].model_copy(deep=True)

    def list_pull_files(self, repo: str, number: int) -> list[PullFile]:
        self.get_pull(repo, number)
        return list(self._repo(repo).pulls[number][1])

    def pulls_for_commit(self, repo: str, sha: str) -> list[PullInfo]:
        return [p.model_copy(deep=True) for p, _ in self._repo(repo).pulls.values() if p.head_sha == sha]

    def commit_statuses(self, repo: str, sha: str) -> list[CommitStatus]:
        return [CommitStatus(context=st["context"], state=st["state"], description=st["description"],
                             creator=st.get("creator", self.login))
                for st in reversed(self.statuses) if st["repo"] == repo and st["sha"] == sha]

    def check_runs(self, repo: str, sha: str) -> list[CheckRunInfo]:
        latest = {(r.get("app_id"), r["name"]): r for r in self.checks if r["repo"] == repo and r["sha"] == sha}
        return [CheckRunInfo(name=r["name"], status=r["status"], conclusion=r["conclusion"], app_id=r.get("app_id"))
                for r in latest.values()]

    def check_annotations(self, repo: str, check_run_id: int) -> list[Annotation]:
        return []

    def app_id_of(self, slug: str) -> int | None:
        if slug not in self.apps:
            raise GitHubError(404, "Not Found")
        return self.apps[slug]

    def required_checks(self, repo: str, branch: str) -> list[RequiredCheck]:
        return list(self._repo(repo).required.get(branch, []))

    def classic_required_checks(self, repo: str, branch: str) -> list[RequiredCheck]:
        return list(self._repo(repo).classic.get(branch, []))

    def create_pull(self, repo: str, *, head: str, base: str, title: str, body: str) -> PullInfo:
        self._write("create_pull", repo, head, base)
        r = self._repo(repo)
        number = max([*r.issues, *r.pulls, 0]) + 1
        pull = PullInfo(number=number, title=title, body=body, head_sha="0" * 40, base_ref=base, head_ref=head,
                        user_login=self.login, created_at=datetime.now(timezone.utc).isoformat())
        r.pulls[number] = (pull, [])
        return pull.model_copy(deep=True)

    def find_pull(self, repo: str, head_branch: str) -> PullInfo | None:
        pulls = [p for p, _ in self._repo(repo).pulls.values() if p.head_ref == head_branch and p.head_repo in (None, repo)]
        return max(pulls, key=lambda p: p.number).model_copy(deep=True) if pulls else None

    def list_reviews(self, repo: str, number: int) -> list[PostedReview]:
        return [PostedReview(id=r["id"], body=r["body"], user_login=self.login, commit_id=r["sha"],
                             state={"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED"}.get(r.get("event"), "COMMENTED"))
                for r in self.reviews if r["repo"] == repo and r["number"] == number]

    def compare(self, repo: str, base: str, head: str) -> Comparison:
        raise GitHubError(404, "No common ancestor between base and head")  # seed a pull's files instead

    def create_status(self, repo: str, sha: str, state: str, context: str, description: str,
                      target_url: str | None = None) -> None:
        self._write("create_status", repo, sha, state)
        self.statuses.append({"repo": repo, "sha": sha, "state": state, "context": context, "description": description})

    def create_check_run(self, repo: str, sha: str, name: str, conclusion: str | None, title: str, summary: str,
                         annotations: list[Annotation] | None = None) -> int:
        self._write("create_check_run", repo, sha, name, conclusion)
        self.checks.append({"repo": repo, "sha": sha, "name": name, "conclusion": conclusion,
                            "status": "completed" if conclusion else "queued", "app_id": self.app_id})
        return next(self._ids)

    def create_review(self, repo: str, number: int, sha: str, body: str, event: str, comments: list[ReviewComment]) -> int:
        self._write("create_review", repo, number, sha, event)
        review_id = next(self._ids)
        self.reviews.append({"id": review_id, "repo": repo, "number": number, "sha": sha, "body": body, "event": event})
        return review_id

    # --- issues, sub-issues and dependencies (convoys) -------------------------------------------------
    def create_issue(self, repo: str, title: str, body: str, labels: list[str] | None = None) -> IssueInfo:
        self._write("create_issue", repo, title)
        r = self._repo(repo)
        number = max([*r.issues, *r.pulls, 0]) + 1
        issue = IssueInfo(number=number, id=100_000 + next(self._ids), title=title, body=body,
                          labels=list(labels or []), user_login=self.login)
        r.issues[number] = issue
        return issue

    def issues_created_by(self, repo: str, creator: str, since: str) -> list[IssueInfo]:
        return [i for _, i in sorted(self._repo(repo).issues.items()) if i.user_login == creator]

    def recent_issues(self, repo: str, label: str, limit: int) -> list[IssueInfo]:
        """Newest number first (no clock here to order by update time)."""
        found = [i for _, i in sorted(self._repo(repo).issues.items(), reverse=True)
                 if label.lower() in (n.lower() for n in i.labels)]
        return [i.model_copy(deep=True) for i in found[:max(limit, 0)]]

    def _by_id(self, repo: str, issue_id: int) -> IssueInfo:
        found = next((i for i in self._repo(repo).issues.values() if i.id == issue_id), None)
        if found is None:
            raise GitHubError(404, "Not Found")
        return found

    def add_sub_issue(self, repo: str, parent: int, sub_issue_id: int) -> None:
        self._write("add_sub_issue", repo, parent, sub_issue_id)
        self._issue(repo, parent)
        subs = self._repo(repo).sub_issues.setdefault(parent, [])
        child = self._by_id(repo, sub_issue_id).number
        if any(child in v for p, v in self._repo(repo).sub_issues.items() if p != parent):
            raise GitHubError(422, "Sub issue may only have one parent")
        if child not in subs:
            subs.append(child)

    def list_sub_issues(self, repo: str, parent: int) -> list[IssueInfo]:
        return [self._issue(repo, n) for n in self._repo(repo).sub_issues.get(parent, [])]

    def add_blocked_by(self, repo: str, number: int, blocker_id: int) -> None:
        self._write("add_blocked_by", repo, number, blocker_id)
        blockers = self._repo(repo).blocked_by.setdefault(self._issue(repo, number).number, [])
        blocker = self._by_id(repo, blocker_id).number
        if blocker not in blockers:
            blockers.append(blocker)

    def list_blocked_by(self, repo: str, number: int) -> list[IssueInfo]:
        return [self._issue(repo, n) for n in self._repo(repo).blocked_by.get(number, [])]

    def list_pulls(self, repo: str, state: str = "all") -> list[PullInfo]:
        return [p for _, (p, _) in sorted(self._repo(repo).pulls.items(), reverse=True)]
