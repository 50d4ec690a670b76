"""RestGitHub's pull request calls: the PR and its files, comparisons, commit statuses, check runs, reviews."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from github.Commit import Commit
from github.CommitStatus import CommitStatus as GhCommitStatus
from github.GithubObject import NotSet
from github.PaginatedList import PaginatedList

from bot.github.limits import ANNOTATIONS_PER_REQUEST as MAX_ANNOTATIONS, CHECK_SUMMARY_MAX_CHARS, STATUS_DESCRIPTION_MAX_CHARS
from bot.github.port import (
    Annotation, CheckRunInfo, CommitStatus, Comparison, PostedReview, PullFile, PullInfo, RequiredCheck, ReviewComment,
)
from bot.github.retry import translated

def listed(obj: Any) -> dict[str, Any]:
    """A listed object's JSON as GitHub sent it: PyGithub's `raw_data` fetches each listed object again first."""
    return obj._rawData


def _app(value: Any) -> int | None:
    """The app a required check must come from, or a check run came from; None for any (GitHub's null, its "-1 to
    explicitly allow any app", an absent id)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


MAX_RULE_PAGES = 10  # of 100 rules: a branch's rules from every ruleset that applies to it


class PullsMixin:
    """Mixed into RestGitHub, whose `_repo`, `_write` and `_gh` it uses."""

    _gh: Any

    def get_pull(self, repo: str, number: int) -> PullInfo:
        with translated():
            d = self._repo(repo).get_pull(number).raw_data
        return self._to_pull(d)

    def list_pulls(self, repo: str, state: str = "all") -> list[PullInfo]:
        with translated():
            return [self._to_pull(listed(p)) for p in self._repo(repo).get_pulls(state=state)]

    @staticmethod
    def _to_pull(d: dict[str, Any]) -> PullInfo:
        return PullInfo(
            number=d["number"],
            title=d.get("title") or "",
            body=d.get("body") or "",
            head_sha=d["head"]["sha"],
            base_ref=d["base"]["ref"],
            labels=[x["name"] for x in d.get("labels") or []],
            user_login=(d.get("user") or {}).get("login", ""),
            changed_files=d.get("changed_files"),
            state=d.get("state") or "open",
            head_repo=((d["head"].get("repo") or {}).get("full_name")),
            head_ref=d["head"].get("ref") or "",
            merged=bool(d.get("merged_at") or d.get("merged")),
            merged_at=d.get("merged_at"),
            created_at=d.get("created_at"),
        )

    def pulls_for_commit(self, repo: str, sha: str) -> list[PullInfo]:
        """Pull requests associated with a commit (open ones whose head it is, merged ones holding it)."""
        with translated():
            return [self._to_pull(listed(p)) for p in self._commit(repo, sha).get_pulls()]

    def commit_statuses(self, repo: str, sha: str) -> list[CommitStatus]:
        """Every status reported on a commit, newest first (all pages)."""
        with translated():
            # Commit.get_statuses() uses the legacy /statuses/{sha} URL; this is the documented one
            url = f"{self._repo(repo).url}/commits/{sha}/statuses"
            return [CommitStatus(context=st.context or "", state=st.state, description=st.description or "",
                                 creator=st.creator.login if st.creator else "")
                    for st in PaginatedList(GhCommitStatus, self._gh.requester, url, None)]

    def check_runs(self, repo: str, sha: str) -> list[CheckRunInfo]:
        """The latest check run per name on a commit (GitHub's default `filter=latest`), all pages."""
        with translated():
            runs = list(self._commit(repo, sha).get_check_runs())
        # the listed JSON as GitHub sent it: PyGithub's `output` would fetch each run again when the list omits it
        outputs = [listed(r).get("output") or {} for r in runs]
        apps = [_app((listed(r).get("app") or {}).get("id")) for r in runs]
        return [CheckRunInfo(name=r.name or "", status=r.status or "completed", conclusion=r.conclusion, id=r.id,
                             app_id=app, title=out.get("title") or "", summary=out.get("summary") or "",
                             text=out.get("text") or "")
                for r, out, app in zip(runs, outputs, apps)]

    def check_annotations(self, repo: str, check_run_id: int) -> list[Annotation]:
        """The first page of a check run's annotations (what a failure summary can use)."""
        with translated():
            url = f"{self._repo(repo).url}/check-runs/{check_run_id}/annotations"
            _, data = self._gh.requester.requestJsonAndCheck("GET", url, parameters={"per_page": MAX_ANNOTATIONS})
        keys = ("path", "start_line", "end_line", "annotation_level", "title", "message")
        return [Annotation(**{k: a.get(k) or ("" if k not in ("start_line", "end_line") else 0) for k in keys})
                for a in data or []]

    def app_id_of(self, slug: str) -> int | None:
        """The id of the app whose slug this is (a status creator `<slug>[bot]`'s app), None when not an id."""
        with translated():
            _, data = self._gh.requester.requestJsonAndCheck("GET", f"/apps/{quote(slug, safe='')}")
        return _app((data or {}).get("id"))

    def required_checks(self, repo: str, branch: str) -> list[RequiredCheck]:
        """The checks the rulesets on `branch` require before a merge (which read access can see), each with the
        app it must come from (`integration_id`; absent: any source): every page of them, since a partial list
        would let fewer checks decide than the rules require."""
        rules: list[dict] = []
        with translated():
            url = f"{self._repo(repo).url}/rules/branches/{quote(branch, safe='')}"
            for page in range(1, MAX_RULE_PAGES + 1):
                headers, data = self._gh.requester.requestJsonAndCheck("GET", url, parameters={"per_page": 100,
                                                                                               "page": page})
                rules += data or []
                if 'rel="next"' not in (headers or {}).get("link", ""):
                    break
        return [RequiredCheck(c["context"], _app(c.get("integration_id"))) for rule in rules
                if rule.get("type") == "required_status_checks"
                for c in (rule.get("parameters") or {}).get("required_status_checks") or [] if c.get("context")]

    def classic_required_checks(self, repo: str, branch: str) -> list[RequiredCheck]:
        """The checks classic branch protection on `branch` requires, from "Get a branch" (Contents: read; the
        protection endpoints need Administration): its `checks` with the app each must come from, and the names of
        its deprecated `contexts` that `checks` does not list (from any source), each once."""
        with translated():
            url = f"{self._repo(repo).url}/branches/{quote(branch, safe='')}"
            _, data = self._gh.requester.requestJsonAndCheck("GET", url)
        status = ((data or {}).get("protection") or {}).get("required_status_checks") or {}
        if status.get("enforcement_level") == "off":  # GitHub's word for "not required" (an unprotected branch's)
            return []
        # `contexts` repeats the names `checks` lists: a pinned check must not also be met from any source
        checks = [RequiredCheck(c["context"], _app(c.get("app_id"))) for c in status.get("checks") or []
                  if isinstance(c, dict) and isinstance(c.get("context"), str) and c["context"]]
        pinned: dict[str, list[RequiredCheck]] = {}
        for check in checks:
            pinned.setdefault(check.context, []).append(check)
        names = [n for n in status.get("contexts") or [] if isinstance(n, str) and n] + [c.context for c in checks]
        return list(dict.fromkeys(c for n in dict.fromkeys(names) for c in pinned.get(n, [RequiredCheck(n)])))

    def create_pull(self, repo: str, *, head: str, base: str, title: str, body: str) -> PullInfo:
        self._write()
        with translated():
            return self._to_pull(self._repo(repo).create_pull(base=base, head=head, title=title, body=body).raw_data)

    def find_pull(self, repo: str, head_branch: str) -> PullInfo | None:
        """The newest pull request from `head_branch` of this repository (not a fork's), any state."""
        with translated():
            owner = repo.split("/")[0]
            for p in self._repo(repo).get_pulls(state="all", head=f"{owner}:{head_branch}"):
                return self._to_pull(listed(p))
        return None

    @staticmethod
    def _to_file(d: dict[str, Any]) -> PullFile:
        keys = ("filename", "status", "additions", "deletions", "changes", "patch", "previous_filename")
        return PullFile(**{k: d[k] for k in keys if d.get(k) is not None})

    def list_pull_files(self, repo: str, number: int) -> list[PullFile]:
        with translated():
            return [self._to_file(f.raw_data) for f in self._repo(repo).get_pull(number).get_files()]

    def compare(self, repo: str, base: str, head: str) -> Comparison:
        """Ancestry (status, ahead/behind counts) and the changed files between two commits."""
        with translated():
            c = self._repo(repo).compare(base, head)
            return Comparison(status=c.status, ahead_by=c.ahead_by, behind_by=c.behind_by,
                              files=[self._to_file(f.raw_data) for f in c.files])

    def _commit(self, repo: str, sha: str) -> Commit:
        # a Commit that knows its sha without fetching it
        url = f"{self._repo(repo).url}/commits/{sha}"
        return Commit(self._gh.requester, {}, {"sha": sha, "url": url}, completed=True)

    def create_status(
        self, repo: str, sha: str, state: str, context: str, description: str, target_url: str | None = None
    ) -> None:
        self._write()
        with translated():
            self._repo(repo).get_commit(sha).create_status(
                state, target_url or NotSet, description[:STATUS_DESCRIPTION_MAX_CHARS], context
            )

    def create_check_run(
        self,
        repo: str,
        sha: str,
        name: str,
        conclusion: str | None,
        title: str,
        summary: str,
        annotations: list[Annotation] | None = None,
    ) -> int:
        """Create a check run; annotations beyond GitHub's 50 per request are appended by updates."""
        items = [a.model_dump() for a in annotations or []]
        chunks = [items[i : i + MAX_ANNOTATIONS] for i in range(0, len(items), MAX_ANNOTATIONS)] or [[]]
        output = {"title": title, "summary": summary[:CHECK_SUMMARY_MAX_CHARS]}
        self._write()
        with translated():
            run = self._repo(repo).create_check_run(
                name,
                sha,
                status="completed" if conclusion else "in_progress",
                conclusion=conclusion or NotSet,
                output={**output, "annotations": chunks[0]} if chunks[0] else output,
            )
            for chunk in chunks[1:]:
                self._write()
                run.edit(output={**output, "annotations": chunk})
            return run.id

    def create_review(
        self, repo: str, number: int, sha: str, body: str, event: str, comments: list[ReviewComment]
    ) -> int:
        self._write()
        with translated():
            review = self._repo(repo).get_pull(number).create_review(
                commit=self._commit(repo, sha),
                body=body,
                event=event,
                comments=[c.model_dump() for c in comments],
            )
            return review.id

    def list_reviews(self, repo: str, number: int) -> list[PostedReview]:
        with translated():
            return [PostedReview(id=r.id, body=r.body or "", user_login=r.user.login if r.user else "",
                                 commit_id=r.commit_id or "", state=r.state or "")
                    for r in self._repo(repo).get_pull(number).get_reviews()]
