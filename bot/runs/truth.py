"""What a run achieved, as GitHub says it (pure): the run's pull request, its checks, its merge.

`claimed` is the agent's own report (what `bot.runs.finished.judge` records); the PR moves the run to
`checks_passed` while open and not failing, `checks_failed` / `review_failed` (a writer asked for changes) when it
is, then `merged` / `closed_unmerged`, and `reverted` when a later merged PR reverts it. A run that pushed no pull
request is `no_pr` (a failure) unless a person closes the issue as completed (`issue_completed`). Success for
learning and the measures is merged with its head's checks passing and not reverted; an open PR that is not
failing is pending (None), never a success. The state is recomputed from GitHub's current view of the PR on every
event, so redeliveries and out-of-order events (a merge before the checks complete, a re-run) converge on one
recorded outcome.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping

from bot.runs.outcome import RUN_FILE

STATES = ("claimed", "checks_passed", "checks_failed", "review_failed", "merged", "closed_unmerged", "reverted",
          "no_pr", "issue_completed")
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


def run_branch(name: object, default: str) -> str | None:
    """`name` when it can be a run's pull-request branch: a valid branch name other than the repository's `default`
    branch (an agent that pushed to it, or a record that names it, has no PR branch of its own) and `HEAD`."""
    return None if (branch := valid_branch(name)) is None or branch in (default, "HEAD") else branch


def run_file(texts: Mapping[str, str]) -> dict:
    """The executor's run file from its artifact ({} when absent or not a JSON object): its branch and agent step."""
    try:
        data = json.loads(texts.get(RUN_FILE) or "null")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def branch_of(texts: Mapping[str, str]) -> str | None:
    """The branch the executor pushed, from its artifact's run file (None when absent or not a branch name)."""
    return valid_branch(run_file(texts).get("branch_name"))


def checks(statuses: Iterable[tuple[str, str, int | None]], runs: Iterable[tuple[str, str, str | None, int | None]],
           required: Collection[tuple[str, int | None]] = ()) -> str:
    """`failed`, `pending` or `passed` for a commit: its statuses (context, state, the id of the app that posted it
    or None when not known; newest first, the newest per context counts) and its check runs (name, status,
    conclusion, the id of the app that reported it; the latest per name and app). Required checks (name, app id or
    None for any source) first: when the base branch requires some, they alone decide, each by the worst of what
    `counts` for it (none yet: pending), as GitHub's merge button does; otherwise every check counts. No checks at
    all: passed."""
    reported: list[tuple[str, int | None, str]] = []  # (name, app id: None when not known, verdict)
    seen: set[str] = set()
    for context, state, app in statuses:
        if context not in seen:
            seen.add(context)
            reported.append((context, app, "failed" if state in FAILED_STATUS else
                             "pending" if state == "pending" else "passed"))
    for name, status, conclusion, app in runs:
        reported.append((name, app, "failed" if conclusion in FAILED_RUN else
                         "passed" if status == "completed" else "pending"))
    if not required:
        return _worst(v for _, _, v in reported)
    return _worst(_worst((v for n, a, v in reported if counts(n, a, [need])), none="pending") for need in required)


def counts(name: str, app: int | None, required: Collection[tuple[str, int | None]]) -> bool:
    """Whether a check named `name` from `app` (None: not known) counts for the required checks: any check does
    when none are required; else one of its name required from any source (None), or from its very app — a
    same-named check run, or a commit status whose app is known (its creator `<slug>[bot]`, bot.runs.status_apps),
    from another app never meets a requirement GitHub pins to one app. A status whose app is not known (posted by a
    person or a machine user, or by an app whose slug GitHub would not show) does: GitHub ties a status to the app
    that posted it but its REST answer names only the creator, and GitHub pins a status-reporting CI's check to that
    CI by default, so refusing such statuses would leave a run's outcome pending for ever (the executor's token
    cannot post statuses; a writer who could may merge anyway)."""
    return not required or any(name == n and (pin is None or app is None or app == pin) for n, pin in required)


def _worst(verdicts: Iterable[str], none: str = "passed") -> str:
    found = set(verdicts)
    return "failed" if "failed" in found else "pending" if "pending" in found else "passed" if found else none


def outcome(*, state: str, merged: bool, checked: str, changes_requested: bool = False) -> tuple[str, bool | None]:
    """The run's outcome state and whether it succeeded (None: not settled yet) for its PR's `state`
    (open | closed), whether it was merged, its head's `checks` verdict and whether a writer's latest review asks
    for changes. An open PR whose checks fail, or that a writer sent back, is a failure now (the next tier starts);
    a re-run that passes moves it back to pending."""
    if merged:
        return "merged", {"passed": True, "failed": False}.get(checked)
    if state == "closed":
        return "closed_unmerged", False
    if checked == "failed":
        return "checks_failed", False
    if changes_requested:
        return "review_failed", False
    return ("checks_passed" if checked == "passed" else "claimed"), None
