"""Pull requests opened by dependency bots: when no review can run, the gate fails with the one command that
unblocks it, instead of staying pending for good.

Dependabot's own workflow runs get no Actions secrets (so no ANTHROPIC_API_KEY) and, unless the workflow grants
more, a read-only token. Its pull requests often touch `.github/workflows/**` (a default security path), so the
review is required but cannot run there. A person then decides: `/review` runs the Opus review with the
repository's key, and for a bump of pinned actions an admin may `/override-review` with a reason (audited).
With a key (the App, or an ANTHROPIC_API_KEY Dependabot secret) bot pull requests are reviewed like any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.github.port import PullFile
from bot.review.gate import GateStatus

DEPENDENCY_BOTS = frozenset({"dependabot[bot]", "renovate[bot]"})
_ACTION_FILE = re.compile(r"^(\.github/workflows/[^/]+|(.+/)?action)\.ya?ml$")
# `uses: owner/repo@ref`, optionally a list item and a trailing `# vX.Y.Z` comment: the lines a pin bump changes
_USES_LINE = re.compile(r"^\s*(-\s+)?uses:\s*[\w.-]+/[\w./-]+@[\w.-]+\s*(#.*)?$")
OVERRIDE = "/override-review <head sha> pinned action bump"  # the full 40-hex head SHA
REVIEW = "/review"


def is_dependency_bot(login: str | None) -> bool:
    return (login or "").lower() in DEPENDENCY_BOTS


def bumps_pinned_actions_only(files: Iterable[PullFile]) -> bool:
    """Every changed file is a workflow or action file and every changed line is a `uses: …@ref` line."""
    files = list(files)
    if not files:
        return False
    for f in files:
        if not _ACTION_FILE.match(f.filename) or f.patch is None or f.status not in ("modified", "changed"):
            return False
        changed = [ln[1:] for ln in f.patch.splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
        if not changed or not all(_USES_LINE.match(ln) for ln in changed):
            return False
    return True


def unreviewable(author: str | None, files: Iterable[PullFile], sha: str = "") -> GateStatus | None:
    """The gate's answer for a dependency bot's pull request that no review can run on; None for anyone else."""
    if not is_dependency_bot(author):
        return None
    if bumps_pinned_actions_only(files):
        return GateStatus(
            "failure",
            f"{author} bumps pinned actions only; no review in its run: an admin comments `{OVERRIDE}`",
            title="Pinned action bump: approve with one comment",
            summary=f"{author} runs get no secrets, so the Opus review cannot run here. The change only moves "
            f"`uses:` pins. An admin approves it with `{OVERRIDE.replace('<head sha>', sha or '<head sha>')}` "
            "(audited; the full SHA of this head commit), or anyone with write access runs "
            f"the review with `{REVIEW}`.",
        )
    return GateStatus(
        "failure",
        f"{author}: no Opus review in its run (no key): a maintainer comments `{REVIEW}`",
        title="Dependency bot pull request: run the review with one comment",
        summary=f"{author} runs get no secrets, so the Opus review cannot run here. A maintainer comments "
        f"`{REVIEW}` to run it with the repository's key.",
    )


def read_only(author: str) -> str:
    """Why a dependency bot's Action run could not even report, and the one command that unblocks the gate."""
    return (f"{author} runs get a read-only token and no secrets, so the gate cannot report here: "
            f"a maintainer comments `{REVIEW}` on the pull request")
