"""RestGitHub: the GitHubPort adapter on PyGithub, with GitHub's retry and write-pacing rules.

Retry and pacing policy (PyGithub's own defaults are replaced on purpose):
- PyGithub throttles with `seconds_between_requests=0.25` / `seconds_between_writes=1.0` per `Github`
  object, not thread-safe and slowing every read. Both are OFF here; instead each RestGitHub (one per
  credential: an installation, or GITHUB_TOKEN) owns a `WritePacer`: at most `writes_per_minute`
  POST/PATCH/PUT/DELETE in any rolling 60 s (GitHub's secondary limit is 80 content-creating requests),
  `min_write_interval` between them (GitHub refuses bursts), and none while GitHub's Retry-After of a
  secondary limit runs (the retry rules pause the pacer). Waiting blocks only threads using that credential, so other
  installations proceed in parallel.
- Retries and errors: `bot/github/retry.py`.
- Tests pass `writes_per_minute=None, min_write_interval=0, backoff=0`, so nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

from github import Auth, Github, GithubException
from github.GithubObject import NotSet
from github.IssueComment import IssueComment

from bot.github.pacing import WritePacer
from bot.github.rest_actions import ActionsMixin
from bot.github.rest_pulls import PullsMixin
from bot.github.rest_tree import IssueTreeMixin
from bot.metrics import github_response
from bot.github.retry import GitHubRetry, translated
from bot.github.port import Comment, IssueInfo, Label

ROLES = ("admin", "maintain", "write", "triage", "read", "none")


def _observe(requester: Any, label: str) -> None:
    """Count every response and keep the rate limit left, per credential: PyGithub calls its (public)
    DEBUG_ON_RESPONSE hook once per HTTP response, whatever the endpoint."""
    original = requester.DEBUG_ON_RESPONSE

    def observed(status: int, headers: dict, output: Any) -> None:
        github_response(label, status, headers)
        original(status, headers, output)

    requester.DEBUG_ON_RESPONSE = observed


class RestGitHub(ActionsMixin, IssueTreeMixin, PullsMixin):
    """GitHubPort over PyGithub for one credential (installation token or GITHUB_TOKEN)."""

    def __init__(
        self,
        token: str | Auth.Auth,
        base_url: str = "https://api.github.com",
        *,
        bot_login: str | Callable[[], str] = "github-actions[bot]",
        writes_per_minute: int | None = 80,
        min_write_interval: float = 0.0,
        max_inline_wait: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        timeout: int = 15,
        per_page: int = 100,
        pool_size: int | None = 10,
        pacer: WritePacer | None = None,
        metrics_label: str = "token",
    ):
        auth = Auth.Token(token) if isinstance(token, str) else token
        # Shared across replicas (Redis) when given; else this process paces this credential alone.
        self.pacer = pacer if pacer is not None else WritePacer(writes_per_minute, min_write_interval)
        retry = GitHubRetry(total=retries, backoff_factor=backoff, max_inline_wait=max_inline_wait, pacer=self.pacer)
        self._gh = Github(
            base_url=base_url.rstrip("/"),
            auth=auth,
            timeout=timeout,
            per_page=per_page,
            retry=retry,
            pool_size=pool_size,
            seconds_between_requests=None,
            seconds_between_writes=None,
            lazy=True,  # objects are built from URLs; only attribute reads fetch
        )
        self._bot_login = bot_login
        _observe(self._gh.requester, metrics_label)

    def close(self) -> None:
        """Release pooled connections (a dropped pool leaks sockets)."""
        self._gh.close()

    # --- plumbing ----------------------------------------------------------------------------------
    def _repo(self, repo: str) -> Any:
        return self._gh.get_repo(repo)  # lazy: the Github object is lazy

    def _write(self) -> None:
        self.pacer.acquire()

    def _comment(self, repo: str, comment_id: int) -> IssueComment:
        return IssueComment(self._gh.requester, url=f"{self._repo(repo).url}/issues/comments/{comment_id}")

    def _request(self, verb: str, url: str, body: Any = None) -> tuple[dict, Any]:
        """For endpoints PyGithub lacks or where it hides errors (returns a bool)."""
        return self._gh.requester.requestJsonAndCheck(verb, url, input=body)

    # --- identity and repository -------------------------------------------------------------------
    def bot_login(self) -> str:
        """Whose comments are ours: `<slug>[bot]` for an App (resolved lazily), else the token's login."""
        return self._bot_login() if callable(self._bot_login) else self._bot_login

    def default_branch(self, repo: str) -> str:
        with translated():
            return self._repo(repo).default_branch

    def get_file(self, repo: str, path: str, ref: str | None = None) -> str | None:
        """Text of a file, or None when it (or the ref) does not exist or is a directory."""
        with translated():
            try:
                content = self._repo(repo).get_contents(path, ref=ref if ref else NotSet)
            except GithubException as e:
                if e.status == 404:
                    return None
                raise
            if isinstance(content, list):
                return None
            return content.decoded_content.decode("utf-8", "replace")

    # --- labels ------------------------------------------------------------------------------------
    def list_repo_labels(self, repo: str) -> list[Label]:
        with translated():
            return [Label(name=x.name, color=x.color, description=x.description) for x in self._repo(repo).get_labels()]

    def create_label(self, repo: str, label: Label) -> None:
        """Create a label; one that already exists (another worker won the race) is fine."""
        self._write()
        with translated():
            try:
                self._repo(repo).create_label(label.name, label.color, label.description or NotSet)
            except GithubException as e:
                errors = e.data.get("errors", []) if isinstance(e.data, dict) else []
                if e.status == 422 and any(x.get("code") == "already_exists" for x in errors):
                    return
                raise

    def issue_labels(self, repo: str, number: int) -> list[str]:
        with translated():
            return [x.name for x in self._repo(repo).get_issue(number).get_labels()]

    def add_labels(
        self,
        repo: str,
        number: int,
        names: list[str],
        *,
        rationale: str | None = None,
        confidence: str | None = None,
    ) -> None:
        """Add labels; GitHub's add-labels API also takes an optional `rationale` and a `confidence`
        (low | medium | high) per label, sent when given."""
        if not names:
            return
        extra = {k: v for k, v in (("rationale", rationale), ("confidence", confidence)) if v}
        items: list[Any] = [{"name": n, **extra} for n in names] if extra else list(names)
        self._write()
        with translated():
            # PyGithub's add_to_labels sends a bare array; the description wants {"labels": [...]}
            self._request("POST", f"{self._repo(repo).url}/issues/{number}/labels", {"labels": items})

    def remove_label(self, repo: str, number: int, name: str) -> None:
        """Remove a label from an issue; already absent is fine."""
        self._write()
        with translated():
            try:
                self._repo(repo).get_issue(number).remove_from_labels(name)
            except GithubException as e:
                if e.status != 404:
                    raise

    def get_issue(self, repo: str, number: int) -> IssueInfo:
        with translated():
            d = self._repo(repo).get_issue(number).raw_data
        return self._to_issue(d)

    @staticmethod
    def _to_issue(d: dict[str, Any]) -> IssueInfo:
        return IssueInfo(
            number=d["number"],
            id=d.get("id") or 0,
            title=d.get("title") or "",
            body=d.get("body") or "",
            labels=[x["name"] for x in d.get("labels") or []],
            state=d.get("state") or "open",
            user_login=(d.get("user") or {}).get("login", ""),
            author_association=d.get("author_association"),
            updated_at=d.get("updated_at"),
        )

    def create_issue(self, repo: str, title: str, body: str, labels: list[str] | None = None) -> IssueInfo:
        self._write()
        with translated():
            return self._to_issue(self._repo(repo).create_issue(title, body, labels=labels or NotSet).raw_data)

    # --- comments and reactions --------------------------------------------------------------------
    @staticmethod
    def _to_comment(c: IssueComment) -> Comment:
        user = c.user
        return Comment(
            id=c.id,
            body=c.body or "",
            user_login=user.login if user else "ghost",
            user_type=user.type if user else "User",
            updated_at=c.updated_at,
        )

    def list_comments(self, repo: str, number: int) -> Iterator[Comment]:
        """An issue's comments, oldest first, fetched a page at a time: a caller that stops early reads fewer pages."""
        with translated():
            for c in self._repo(repo).get_issue(number).get_comments():
                yield self._to_comment(c)

    def list_repo_comments(self, repo: str, since: datetime | None = None) -> Iterator[Comment]:
        """Every issue comment of the repository, oldest first, fetched a page at a time; given `since`, only the
        ones updated at or after it, in the order they were updated."""
        order = {"sort": "updated", "since": since} if since is not None else {"sort": "created"}
        with translated():
            for c in self._repo(repo).get_issues_comments(direction="asc", **order):
                number = c.issue_url.rstrip("/").rsplit("/", 1)[-1]
                yield self._to_comment(c).model_copy(update={"issue_number": int(number) if number.isdigit() else None,
                                                             "created_at": c.created_at})

    def create_comment(self, repo: str, number: int, body: str) -> Comment:
        self._write()
        with translated():
            return self._to_comment(self._repo(repo).get_issue(number).create_comment(body))

    def edit_comment(self, repo: str, comment_id: int, body: str) -> None:
        self._write()
        with translated():
            self._comment(repo, comment_id).edit(body)

    def add_reaction(self, repo: str, comment_id: int, content: str) -> None:
        self._write()
        with translated():
            self._comment(repo, comment_id).create_reaction(content)

    def permission(self, repo: str, username: str) -> str:
        """The user's role: admin | maintain | write | triage | read | none. PyGithub returns only the
        legacy `permission` (maintain shows as write, triage as read), so read `role_name` ourselves."""
        with translated():
            try:
                _, d = self._request("GET", f"{self._repo(repo).url}/collaborators/{quote(username, safe='')}/permission")
            except GithubException as e:
                if e.status == 404:
                    return "none"
                raise
        role = d.get("role_name")
        return role if role in ROLES else d.get("permission") or "none"
