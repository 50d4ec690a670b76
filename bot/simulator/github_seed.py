"""FakeGitHub's seeding: the repositories, files, labels, issues and pull requests a test or demo starts from."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone
from typing import Any


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _zip(files: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()


class Seeding:
    """Mixed into FakeGitHub: state is created here directly, never through the (validated) API."""

    def add_repo(
        self,
        full_name: str,
        *,
        default_branch: str = "main",
        files: dict[str, str | bytes] | None = None,
        labels: list[dict[str, Any]] | None = None,
        permissions: dict[str, str] | None = None,
        installation_id: int | None = 1,
        private: bool = False,
        repo_id: int | None = None,
    ) -> dict[str, Any]:
        """Create (or return) a repository; `files` go on the default branch."""
        with self._lock:
            key = full_name.lower()
            if key not in self.repos:
                owner, name = full_name.split("/", 1)
                self.repos[key] = {
                    "id": repo_id or self.next_id(),
                    "full_name": full_name,
                    "owner": owner,
                    "name": name,
                    "default_branch": default_branch,
                    "private": private,
                    "installation_id": installation_id,
                    "files": {},
                    "labels": {},
                    "permissions": {},
                    "issues": {},
                    "comments": {},
                    "compare": {},
                    "statuses": [],
                    "check_runs": {},
                    "reviews": [],
                    "workflow_dispatches": [],
                    "repository_dispatches": [],
                    "workflow_runs": [],  # the runs dispatches started
                    "artifacts": {},
                    "next_number": 1,
                }
                if installation_id is not None:
                    self.installations.setdefault(installation_id, {"id": installation_id, "repos": []})
                    self.installations[installation_id]["repos"].append(key)
            repo = self.repos[key]
            for path, content in (files or {}).items():
                self.set_file(full_name, path, content)
            for lab in labels or []:
                self.add_label(full_name, **lab)
            for user, role in (permissions or {}).items():
                self.set_permission(full_name, user, role)
            return repo

    def repo(self, full_name: str) -> dict[str, Any]:
        try:
            return self.repos[full_name.lower()]
        except KeyError:
            raise KeyError(f"FakeGitHub has no repository {full_name!r}; seed it with add_repo()") from None

    def set_file(self, repo: str, path: str, content: str | bytes | None, ref: str | None = None) -> None:
        """Put (or with None delete) a file at `ref` (default branch when omitted)."""
        with self._lock:
            r = self.repo(repo)
            files = r["files"].setdefault(ref or r["default_branch"], {})
            if content is None:
                files.pop(path.strip("/"), None)
            else:
                files[path.strip("/")] = content.encode() if isinstance(content, str) else content

    def protect_branch(self, repo: str, branch: str, checks: list[str] | None, app_id: int | None = None) -> None:
        """Classic branch protection on `branch` requiring `checks` (None: unprotected; the branch stays)."""
        with self._lock:
            r = self.repo(repo)
            if branch != r["default_branch"]:
                r.setdefault("branches", {}).setdefault(branch, "0" * 40)  # a protected branch exists
            protection = r.setdefault("protection", {})
            if checks is None:
                protection.pop(branch, None)
            else:
                protection[branch] = {"contexts": list(checks),
                                      "checks": [{"context": c, "app_id": app_id} for c in checks]}

    def add_label(self, repo: str, name: str, color: str = "ededed", description: str | None = None) -> dict:
        with self._lock:
            lab = {"id": self.next_id(), "name": name, "color": color, "description": description, "default": False}
            return self.repo(repo)["labels"].setdefault(name.lower(), lab)

    def set_permission(self, repo: str, user: str, role: str) -> None:
        """role: admin | maintain | write | triage | read | none."""
        with self._lock:
            self.repo(repo)["permissions"][user.lower()] = role

    def add_issue(
        self,
        repo: str,
        number: int | None = None,
        title: str = "An issue",
        body: str | None = "",
        labels: list[str] | None = None,
        user: str = "octocat",
        state: str = "open",
    ) -> int:
        with self._lock:
            r = self.repo(repo)
            number = number or r["next_number"]
            r["next_number"] = max(r["next_number"], number + 1)
            for name in labels or []:
                if name.lower() not in r["labels"]:
                    self.add_label(repo, name)
            r["issues"][number] = {
                "id": self.next_id(),
                "number": number,
                "title": title,
                "body": body,
                "labels": [r["labels"][n.lower()]["name"] for n in labels or []],
                "user": user,
                "state": state,
                "reactions": [],
                "pull": None,
                "created_at": _now(),
            }
            return number

    def add_pull(
        self,
        repo: str,
        number: int | None = None,
        title: str = "A pull request",
        body: str | None = "",
        head_sha: str = "0" * 40,
        head_ref: str = "feature",
        base: str = "main",
        labels: list[str] | None = None,
        user: str = "octocat",
        files: list[dict[str, Any]] | None = None,
    ) -> int:
        """A pull request is also an issue (labels and comments go through the issues API, like GitHub)."""
        with self._lock:
            number = self.add_issue(repo, number, title, body, labels, user)
            self.repo(repo)["issues"][number]["pull"] = {
                "head_sha": head_sha,
                "head_ref": head_ref,
                "base": base,
                "files": [self._pull_file(f) for f in files or []],
            }
            return number

    @staticmethod
    def _pull_file(f: dict[str, Any]) -> dict[str, Any]:
        f = dict(f)
        f.setdefault("status", "modified")
        f.setdefault("additions", 0)
        f.setdefault("deletions", 0)
        f.setdefault("changes", f["additions"] + f["deletions"])
        return f

    def set_compare(
        self, repo: str, base: str, head: str, files: list[dict[str, Any]], status: str = "ahead",
        ahead_by: int = 1, behind_by: int = 0,
    ) -> None:
        """status "ahead": base is an ancestor of head; "diverged" after a force-push."""
        with self._lock:
            r = self.repo(repo)
            r["compare"][f"{base}...{head}"] = [self._pull_file(f) for f in files]
            r.setdefault("compare_status", {})[f"{base}...{head}"] = (status, ahead_by, behind_by)

    def add_comment(self, repo: str, number: int, body: str, user: str = "octocat", user_type: str = "User") -> int:
        with self._lock:
            r = self.repo(repo)
            cid = self.next_id()
            r["comments"][cid] = {
                "id": cid,
                "issue_number": number,
                "body": body,
                "user": user,
                "user_type": user_type,
                "reactions": [],
                "created_at": _now(),
                "updated_at": _now(),
            }
            if number in r["issues"]:  # a new comment updates its issue (an edit does not)
                r["issues"][number]["updated_at"] = r["comments"][cid]["updated_at"]
            return cid

    def add_artifact(
        self, repo: str, run_id: int, name: str, data: bytes | None = None, files: dict[str, str | bytes] | None = None
    ) -> int:
        """An artifact of workflow run `run_id`: raw zip `data`, or `files` zipped for you."""
        with self._lock:
            aid = self.next_id()
            blob = data if data is not None else _zip(files or {})
            self.repo(repo)["artifacts"][aid] = {"id": aid, "name": name, "run_id": run_id, "data": blob}
            return aid

    def seed(self, data: dict[str, Any]) -> None:
        """Seed from JSON: {"repos": [{"full_name", "default_branch", "installation_id", "files": {path: text},
        "labels": [...], "permissions": {user: role}, "issues": [{..., "comments": [{"body", "user"}]}],
        "pulls": [{..., "files": [...]}], "artifacts": [{"run_id", "name", "files": {...}}]}], "token_logins": {}, "oauth_login": "..."}"""
        with self._lock:
            self.token_logins.update(data.get("token_logins", {}))
            self.oauth_login = data.get("oauth_login", self.oauth_login)  # who is signed in on github.com
            for spec in data.get("repos", []):
                spec = dict(spec)
                name = spec.pop("full_name")
                issues, pulls = spec.pop("issues", []), spec.pop("pulls", [])
                artifacts = spec.pop("artifacts", [])
                self.add_repo(name, **spec)
                for issue in issues:
                    issue = dict(issue)
                    comments = issue.pop("comments", [])
                    n = self.add_issue(name, **issue)
                    for c in comments:
                        self.add_comment(name, n, **c)
                for pull in pulls:
                    self.add_pull(name, **pull)
                for art in artifacts:
                    self.add_artifact(name, **art)

    def seed_payload(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Create the repository (and issue / pull request) a webhook payload talks about."""
        r = payload["repository"]
        inst = (payload.get("installation") or {}).get("id", 1)
        repo = self.add_repo(r["full_name"], default_branch=r.get("default_branch") or "main", installation_id=inst)
        for key in ("issue", "pull_request"):
            item = payload.get(key)
            if item and item["number"] not in repo["issues"]:
                labels = [lab["name"] for lab in item.get("labels") or []]
                user = (item.get("user") or {}).get("login", "octocat")
                if key == "issue":
                    self.add_issue(r["full_name"], item["number"], item["title"], item.get("body"), labels, user)
                else:
                    head = item.get("head") or {}
                    self.add_pull(
                        r["full_name"],
                        item["number"],
                        item["title"],
                        item.get("body"),
                        head_sha=head.get("sha", "0" * 40),
                        head_ref=head.get("ref", "feature"),
                        base=(item.get("base") or {}).get("ref", "main"),
                        labels=labels,
                        user=user,
                    )
        return repo
