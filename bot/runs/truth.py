"""What a run achieved, as GitHub says it (pure): the run's pull request, its checks, its merge.

`claimed` is the agent's own report (what `bot.runs.finished.judge` records); the PR moves the run to
`checks_passed` / `checks_failed` while open, then `merged` / `closed_unmerged`. Success for learning and the
measures is merged with its head's checks passing; an open PR is pending (None), never a success. The state is
recomputed from GitHub's current view of the PR on every event, so redeliveries and out-of-order events
(a merge before the checks complete, a re-run) converge on one recorded outcome.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

from bot.runs.outcome import RUN_FILE

STATES = ("claimed", "checks_passed", "checks_failed", "merged", "closed_unmerged")
MAX_BRANCH = 255
FAILED_RUN = ("failure", "timed_out", "cancelled", "action_required", "startup_failure")
FAILED_STATUS = ("failure", "error")
_REF = re.compile(r"[A-Za-z0-9._/-]+")


def valid_branch(name: object) -> str | None:
    """`name` when it is a plausible git branch name (bounded, `git check-ref-format` rules), else None."""
    if not isinstance(name, str) or not 0 < len(name) <= MAX_BRANCH or not _REF.fullmatch(name):
        return None
    parts = name.split("/")
    if any(not p or p.startswith(".") or p.endswith(".lock") for p in parts) or ".." in name:
        return None
    return None if name.startswith("-") or name.endswith(".") else name


def branch_of(texts: Mapping[str, str]) -> str | None:
    """The branch the executor pushed, from its artifact's run file (None when absent or not a branch name)."""
    try:
        data = json.loads(texts.get(RUN_FILE) or "null")
    except ValueError:
        return None
    return valid_branch(data.get("branch_name")) if isinstance(data, dict) else None


def checks(statuses: Iterable[tuple[str, str]], runs: Iterable[tuple[str, str, str | None]]) -> str:
    """`failed`, `pending` or `passed` for a commit: its statuses (context, state; newest first, the newest per
    context counts) and its check runs (name, status, conclusion; the latest per name). No checks at all: passed."""
    latest: dict[str, str] = {}
    for context, state in statuses:
        latest.setdefault(context, state)
    states = list(latest.values())
    results = [(status, conclusion) for _name, status, conclusion in runs]
    if any(s in FAILED_STATUS for s in states) or any(c in FAILED_RUN for _s, c in results):
        return "failed"
    if any(s == "pending" for s in states) or any(s != "completed" for s, _c in results):
        return "pending"
    return "passed"


def outcome(*, state: str, merged: bool, checked: str) -> tuple[str, bool | None]:
    """The run's outcome state and whether it succeeded (None: not settled yet) for its PR's `state`
    (open | closed), whether it was merged, and its head's `checks` verdict."""
    if merged:
        return "merged", {"passed": True, "failed": False}.get(checked)
    if state == "closed":
        return "closed_unmerged", False
    return {"passed": "checks_passed", "failed": "checks_failed"}.get(checked, "claimed"), None
