"""The GitHubPort protocol: every GitHub call the services, the config loader and the Action make, and nothing else,
in slices per kind of object (each service names the slices it calls).

Implemented by `RestGitHub` (bot/github/rest.py), the Action's dry run (bot/action/dryrun.py) and the simulator's
`MemoryGitHub`; the REST adapter is tested against `FakeGitHub`, which checks each request against GitHub's
OpenAPI description."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple, Protocol

from pydantic import BaseModel, Field

# `repo` is always "owner/name". One port instance speaks with one credential
# (an installation token, or GITHUB_TOKEN in Action mode).


class Label(BaseModel):
    name: str
    color: str = "ededed"
    description: str | None = None


class Comment(BaseModel):
    id: int
    body: str
    user_login: str
    user_type: str = "User"  # "Bot" for apps
    issue_number: int | None = None  # set by list_repo_comments (a repository-wide listing)
    created_at: datetime | None = None  # likewise
    updated_at: datetime | None = None  # when GitHub says so (the Action's history cache keys on it)


class IssueInfo(BaseModel):
    number: int
    id: int = 0  # GitHub's issue id: sub-issue and dependency calls take it, not the number
    title: str = ""
    body: str = ""
    labels: list[str] = Field(default_factory=list)
    state: str = "open"
    user_login: str = ""
    author_association: str | None = None
    updated_at: datetime | None = None  # set by listings (recent_issues)


class PullFile(BaseModel):
    filename: str
    status: str = "modified"
    additions: int = 0
    deletions: int = 0
    changes: int = 0
    patch: str | None = None  # None for binary or too-large files
    previous_filename: str | None = None


class PullInfo(BaseModel):
    number: int
    title: str = ""
    body: str = ""
    head_sha: str
    base_ref: str = "main"
    labels: list[str] = Field(default_factory=list)
    user_login: str = ""
    changed_files: int | None = None  # GitHub's own count; more than the files listing returns = truncated
    state: str = "open"
    head_repo: str | None = None  # "owner/name" of the head branch's repository (a fork's, for fork PRs)
    head_ref: str = ""  # the head branch's name
    merged: bool = False  # closed by a merge (`merged_at` is set), not just closed
    merged_at: str | None = None  # ISO 8601, when merged
    created_at: str | None = None  # ISO 8601, when opened (GitHub sets it: a run's PR cannot predate the run)


class CommitStatus(BaseModel):
    """One commit status as GitHub lists it (newest first); `creator` is who set it."""

    context: str
    state: str  # error | failure | pending | success
    description: str = ""
    creator: str = ""


class CheckRunInfo(BaseModel):
    """A check run on a commit, as its checks verdict reads it (bot.runs.truth.checks)."""

    name: str = ""
    status: str = "completed"  # queued | in_progress | completed | ...
    conclusion: str | None = None  # success | failure | neutral | skipped | timed_out | cancelled | ...
    id: int = 0
    app_id: int | None = None  # the app that reported it (`app.id`): a required check can be pinned to one app
    title: str = ""  # its output, as the checking app wrote it (untrusted: bot.runs.failure_context bounds it)
    summary: str = ""
    text: str = ""


class RequiredCheck(NamedTuple):
    """A check the base branch requires before a merge, and the app it must come from (None: any source, a commit
    status included; GitHub writes it null, -1 or leaves it out)."""

    context: str
    app_id: int | None = None


class PostedReview(BaseModel):
    """A pull request review as GitHub lists it."""

    id: int
    body: str = ""
    user_login: str = ""
    commit_id: str = ""
    state: str = ""  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | PENDING


class Comparison(BaseModel):
    """Two commits compared: `status` "ahead" means base is an ancestor of head."""

    status: str  # ahead | behind | diverged | identical
    ahead_by: int = 0
    behind_by: int = 0
    files: list[PullFile] = Field(default_factory=list)  # GitHub lists at most 300


class ReviewComment(BaseModel):
    path: str
    line: int
    body: str
    side: str = "RIGHT"


class Annotation(BaseModel):
    path: str
    start_line: int
    end_line: int
    annotation_level: str  # notice | warning | failure
    title: str
    message: str


class Artifact(BaseModel):
    id: int
    name: str
    size_in_bytes: int = 0


class WorkflowRun(BaseModel):
    """A run of a workflow as GitHub lists it: `display_title` is its `run-name` (the executor's carries `[mr:<id>]`)."""

    id: int
    display_title: str = ""
    event: str = ""
    actor: str = ""  # who started it (the login)
    html_url: str = ""
    created_at: datetime | None = None


class GitHubError(Exception):
    """A GitHub call failed for good (after the client's own retries)."""

    def __init__(self, status: int, message: str, retry_after: float | None = None):
        super().__init__(f"GitHub {status}: {message}")
        self.status = status
        self.message = message
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        return self.status >= 500 or self.status in (403, 429) and self.retry_after is not None


# The port in slices, one per kind of GitHub object: each service names the slices it uses (its package's
# `GitHub` protocol, held to its calls by tests/test_architecture.py), as Prow's plugins each declare theirs.


class Identity(Protocol):
    def bot_login(self) -> str: ...


class Repository(Protocol):
    def default_branch(self, repo: str) -> str: ...
    def get_file(self, repo: str, path: str, ref: str | None = None) -> str | None: ...


class Labels(Protocol):
    def list_repo_labels(self, repo: str) -> list[Label]: ...
    def create_label(self, repo: str, label: Label) -> None: ...
    def issue_labels(self, repo: str, number: int) -> list[str]: ...
    # rationale / confidence (low | medium | high): optional per-label fields of GitHub's add-labels API
    def add_labels(
        self, repo: str, number: int, names: list[str], *, rationale: str | None = None, confidence: str | None = None
    ) -> None: ...
    def remove_label(self, repo: str, number: int, name: str) -> None: ...


class Issues(Protocol):
    # title/body/labels when no webhook payload carries them: /route, the Action
    def get_issue(self, repo: str, number: int) -> IssueInfo: ...
    def create_issue(self, repo: str, title: str, body: str, labels: list[str] | None = None) -> IssueInfo: ...
    # issues (and PRs) this login opened that changed since an ISO 8601 time, all states, all pages
    def issues_created_by(self, repo: str, creator: str, since: str) -> list[IssueInfo]: ...
    # issues (never PRs) carrying this label, all states, most recently updated first, at most `limit`
    def recent_issues(self, repo: str, label: str, limit: int) -> list[IssueInfo]: ...


class SubIssues(Protocol):
    # sub-issues and dependencies (convoys); adding what is already there is not an error
    def add_sub_issue(self, repo: str, parent: int, sub_issue_id: int) -> None: ...
    def list_sub_issues(self, repo: str, parent: int) -> list[IssueInfo]: ...  # all pages
    def add_blocked_by(self, repo: str, number: int, blocker_id: int) -> None: ...
    def list_blocked_by(self, repo: str, number: int) -> list[IssueInfo]: ...  # all pages


class Comments(Protocol):
    # comments and reactions
    def list_comments(self, repo: str, number: int) -> Iterator[Comment]: ...  # oldest first, a page at a time
    # every issue's, page by page, oldest first; given `since`, only those updated at or after it, by update time
    def list_repo_comments(self, repo: str, since: datetime | None = None) -> Iterator[Comment]: ...
    def create_comment(self, repo: str, number: int, body: str) -> Comment: ...
    def edit_comment(self, repo: str, comment_id: int, body: str) -> None: ...
    def add_reaction(self, repo: str, comment_id: int, content: str) -> None: ...


class Permissions(Protocol):
    # "admin" | "maintain" | "write" | "triage" | "read" | "none"
    def permission(self, repo: str, username: str) -> str: ...


class Actions(Protocol):
    def dispatch_workflow(self, repo: str, workflow: str, ref: str, inputs: dict[str, str]) -> None: ...
    def repository_dispatch(self, repo: str, event_type: str, client_payload: dict) -> None: ...
    # the workflow's runs started by `event` since `since` (aware), all pages, newest first
    def list_workflow_runs(self, repo: str, workflow: str, event: str, since: datetime) -> list[WorkflowRun]: ...
    def list_run_artifacts(self, repo: str, run_id: int) -> list[Artifact]: ...
    def download_artifact(self, repo: str, artifact_id: int) -> bytes: ...  # the zip


class Pulls(Protocol):
    def get_pull(self, repo: str, number: int) -> PullInfo: ...
    def list_pulls(self, repo: str, state: str = "all") -> list[PullInfo]: ...  # all pages, newest first
    def pulls_for_commit(self, repo: str, sha: str) -> list[PullInfo]: ...  # open (head) and merged PRs
    def commit_statuses(self, repo: str, sha: str) -> list[CommitStatus]: ...  # newest first
    def check_runs(self, repo: str, sha: str) -> list[CheckRunInfo]: ...  # the latest run per name, all pages
    def check_annotations(self, repo: str, check_run_id: int) -> list[Annotation]: ...  # the first page
    # "Get an app" (any token, no permission): the id of the app with this slug; 404: GitHub shows none
    def app_id_of(self, slug: str) -> int | None: ...
    def required_checks(self, repo: str, branch: str) -> list[RequiredCheck]: ...  # the branch's rulesets' checks
    # its classic protection's required checks; 404: no such branch
    def classic_required_checks(self, repo: str, branch: str) -> list[RequiredCheck]: ...
    def find_pull(self, repo: str, head_branch: str) -> PullInfo | None: ...  # this repository's, newest
    def list_reviews(self, repo: str, number: int) -> list[PostedReview]: ...  # all pages
    def create_pull(self, repo: str, *, head: str, base: str, title: str, body: str) -> PullInfo: ...
    def list_pull_files(self, repo: str, number: int) -> list[PullFile]: ...  # all pages
    def compare(self, repo: str, base: str, head: str) -> Comparison: ...


class Statuses(Protocol):
    # commit statuses, check runs and pull request reviews
    def create_status(
        self, repo: str, sha: str, state: str, context: str, description: str, target_url: str | None = None
    ) -> None: ...
    def create_check_run(
        self,
        repo: str,
        sha: str,
        name: str,
        conclusion: str | None,
        title: str,
        summary: str,
        annotations: list[Annotation] | None = None,
    ) -> int: ...
    def create_review(
        self, repo: str, number: int, sha: str, body: str, event: str, comments: list[ReviewComment]
    ) -> int: ...


class GitHubPort(Identity, Repository, Labels, Issues, SubIssues, Comments, Permissions, Actions, Pulls, Statuses,
                 Protocol):
    """Every GitHub call the services make, and nothing else."""


def port_methods(port: type) -> frozenset[str]:
    """The methods a port protocol (or a slice of one) declares, its bases' included."""
    return frozenset(name for cls in port.__mro__ if Protocol in cls.__bases__ or cls is port
                     for name, value in vars(cls).items() if callable(value) and not name.startswith("_"))
