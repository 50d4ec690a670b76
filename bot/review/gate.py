"""Pure review-gate logic: is an Opus review required, and what the status context says."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Literal

from bot.config.loading import CONFIG_PATH
from bot.github.limits import STATUS_DESCRIPTION_MAX_CHARS
from bot.routing.paths import PathMatch, match_paths
from bot.routing.normalize import normalize
from bot.store.records import REVIEWED  # noqa: F401 - the verdicts the store counts as a review that happened

CONTEXT = "model-router/opus-review"  # the status context and the check run name
FILES_LISTED = 3000  # GitHub lists at most this many files of a pull request
MAX_DESCRIPTION = STATUS_DESCRIPTION_MAX_CHARS
SEVERITIES = ("critical", "high", "medium", "low")

NOT_REQUIRED = "not required"
REQUIRED = "Opus review required"
NOT_CONFIGURED = "Opus review not configured"

State = Literal["success", "pending", "failure", "error"]


@dataclass(frozen=True)
class Requirement:
    """Why a pull request needs (or does not need) the Opus review."""

    labels: tuple[str, ...] = ()  # security labels present on the PR
    paths: tuple[PathMatch, ...] = ()  # changed paths that match the security globs
    truncated: bool = False  # GitHub's file listing may have stopped early: unseen files could match

    @property
    def required(self) -> bool:
        return bool(self.labels or self.paths or self.truncated)

    def reason(self, limit: int = 5) -> str:
        parts: list[str] = []
        if self.truncated:
            parts.append(f"has more files than GitHub lists ({FILES_LISTED}), so unseen files may touch security paths")
        if self.labels:
            parts.append("labelled " + ", ".join(f"`{name}`" for name in self.labels))
        if self.paths:
            shown = ", ".join(f"`{m.path}` (matches `{m.pattern}`)" for m in self.paths[:limit])
            more = len(self.paths) - limit
            parts.append("touches security paths: " + shown + (f" and {more} more" if more > 0 else ""))
        return "; ".join(parts) or "no security label and no security path changed"


def requirement(labels: Iterable[str], paths: Iterable[str], security_labels: Iterable[str], globs: Iterable[str],
                *, truncated: bool = False) -> Requirement:
    wanted = {normalize(name).lower() for name in security_labels}
    present = tuple(name for name in labels if normalize(name).lower() in wanted)
    return Requirement(labels=present, paths=tuple(match_paths(paths, globs)), truncated=truncated)


def listing_truncated(listed: int, changed_files: int | None) -> bool:
    """GitHub's PR files listing stops at 3,000: at the cap, or short of the PR's own count, assume files are unseen."""
    return listed >= FILES_LISTED or (changed_files is not None and listed < changed_files)


def is_security_label(name: str, security_labels: Iterable[str]) -> bool:
    return normalize(name).lower() in {normalize(n).lower() for n in security_labels}


@dataclass(frozen=True)
class GateStatus:
    """One report of the gate: a commit status, mirrored as a check run in App mode."""

    state: State
    description: str
    title: str = ""  # check run title; defaults to the description
    summary: str = ""  # check run summary (markdown)

    def __post_init__(self) -> None:
        object.__setattr__(self, "description", clip(self.description, MAX_DESCRIPTION))

    @property
    def conclusion(self) -> str | None:
        """Check run conclusion; None keeps the check run in progress (pending)."""
        return {"success": "success", "failure": "failure", "error": "failure"}.get(self.state)


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def not_required() -> GateStatus:
    return GateStatus("success", NOT_REQUIRED, summary="Neither labelled as security work nor touching security paths.")


def disabled() -> GateStatus:
    return GateStatus("success", f"not required: disabled in {CONFIG_PATH}",
                      summary=f"`review.enabled` is false in the default branch's `{CONFIG_PATH}`.")


def pending_required(req: Requirement) -> GateStatus:
    return GateStatus("pending", REQUIRED, summary=f"Opus review required: {req.reason()}.")


def not_configured() -> GateStatus:
    return GateStatus(
        "pending",
        NOT_CONFIGURED,
        summary="No ANTHROPIC_API_KEY is configured, so no review can run and the gate cannot pass.",
    )


def unavailable(reason: str) -> GateStatus:
    return GateStatus("pending", f"Opus review unavailable, will retry: {reason}", summary=f"The review API failed: {reason}")


def review_error(reason: str) -> GateStatus:
    return GateStatus("failure", f"review error: {reason}", summary=f"The review could not be completed: {reason}")


def overridden(by: str, reason: str) -> GateStatus:
    return GateStatus("success", f"overridden by @{by}: {reason}", summary=f"Review gate overridden by @{by}: {reason}")


def severity_counts(severities: Iterable[str]) -> dict[str, int]:
    """Counts in severity order, zero counts left out."""
    counts = Counter(severities)
    return {s: counts[s] for s in SEVERITIES if counts[s]}


def counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {s}" for s, n in counts.items()) or "no findings"


BLOCKING = frozenset({"critical", "high"})  # any such finding fails the gate, whatever the verdict says
_INJECTION = re.compile(r"prompt[\s_-]*injection|injection\s+attempt", re.IGNORECASE)
HOW_TO_FIX = ("split the pull request, raise `review.max_chunks` / `review.max_diff_chars_per_chunk` in the default "
              "branch's `.github/model-router.yml` and run `/review`, or an admin comments `/override-review <sha> <reason>`")


def is_injection(title: str, explanation: str = "") -> bool:
    """A finding that reports an attempt to steer the reviewer (the prompt asks for exactly this title)."""
    return bool(_INJECTION.search(normalize(f"{title}\n{explanation}")))


@dataclass(frozen=True)
class Verdict:
    """The reviewed result, reduced to what the status needs."""

    verdict: Literal["pass", "pass_with_findings", "fail"]
    severities: tuple[str, ...] = ()
    partial: int = 0  # files (or parts) not reviewed: the gate cannot prove a full review, so it fails
    details: str = field(default="", compare=False)
    since: str = ""  # incremental review: the last passing review's SHA the range starts from
    injection: bool = False  # a finding reports a prompt-injection attempt
    unreviewed: str = field(default="", compare=False)  # what was not reviewed, for the summary


def result(v: Verdict) -> GateStatus:
    """`success` only for a (pass | pass_with_findings) verdict that covered every byte with no critical,
    high or injection finding; the model's verdict alone never opens the gate."""
    counts = counts_text(severity_counts(v.severities))
    words = {"pass": "passed", "pass_with_findings": "passed with findings", "fail": "failed"}[v.verdict]
    overruled = v.verdict != "fail" and (BLOCKING.intersection(v.severities) or v.injection)
    if overruled:
        words = "failed"
    desc = f"Opus review {words}: {counts}"
    if v.injection:
        desc += ", prompt injection reported"
    if v.since:
        desc += f" (changes since {v.since[:7]})"
    state: State = "failure" if v.verdict == "fail" or overruled else "success"
    summary = v.details or desc
    if overruled:
        summary = ("The gate fails on any critical or high finding and on any reported prompt-injection attempt, "
                   f"whatever the model's verdict (`{v.verdict}`).\n\n" + summary)
    if v.partial:
        state = "failure"
        desc = f"Opus review incomplete: {v.partial} files not fully reviewed ({counts}); an admin may /override-review"
        summary = (f"Not everything was reviewed, so the gate cannot pass. To fix: {HOW_TO_FIX}.\n\n"
                   + (f"Not reviewed:\n{v.unreviewed}\n\n" if v.unreviewed else "") + summary)
    return GateStatus(state, desc, title=desc, summary=summary)
