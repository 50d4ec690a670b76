"""Dry run: a GitHubPort that reads through the real one and only records the writes it would make."""

from __future__ import annotations

from typing import Any

from bot.github.port import Comment, GitHubPort

# Every GitHubPort method that changes something on GitHub.
WRITES = frozenset(
    {
        "create_label",
        "add_labels",
        "remove_label",
        "create_comment",
        "edit_comment",
        "add_reaction",
        "dispatch_workflow",
        "repository_dispatch",
        "create_status",
        "create_check_run",
        "create_review",
        "create_issue",
        "create_pull",
        "add_sub_issue",
        "add_blocked_by",
    }
)


class DryRunGitHub:
    """Reads go to GitHub; writes are printed and remembered in `.planned`, never sent."""

    def __init__(self, inner: GitHubPort):
        self._inner = inner
        self.planned: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name in WRITES:
            return lambda *args, **kwargs: self._plan(name, args, kwargs)
        return getattr(self._inner, name)

    def _plan(self, name: str, args: tuple, kwargs: dict) -> Any:
        shown = [repr(a)[:120] for a in args[1:]] + [f"{k}={v!r}"[:120] for k, v in kwargs.items()]
        self.planned.append(f"would {name}({', '.join(shown)})")
        if name == "create_comment":
            return Comment(id=0, body=str(args[2] if len(args) > 2 else kwargs.get("body", "")), user_login=self.bot_login())
        if name in ("create_check_run", "create_review"):
            return 0
        return None
