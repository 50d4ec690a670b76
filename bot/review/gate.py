"""Pure review-gate logic: is an Opus review required, and what the status context says."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Literal

from bot.config.loading import CONFIG_PATH
from bot.github.limits import STATUS_DESCRIPTION_MAX_CHARS
from bot.review.security_paths import PathMatch, match_paths

CONTEXT = "model-router/opus-review"  # the status context and the check run name
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

    @property
    def required(self) -> bool:
        return bool(self.labels or self.paths)

    def reason(self, limit: int = 5) -> str:
        parts: list[str] = []
        if self.labels:
            parts.append("labelled " + ", ".join(f"`{name}`" for name in self.labels))
        if self.paths:
            shown = ", ".join(f"`{m.path}` (matches `{m.pattern}`)" for m in self.paths[:limit])
            more = len(self.paths) - limit
            parts.append("touches security paths: " + shown + (f" and {more} more" if more > 0 else ""))
        return "; ".join(parts) or "no security label and no security path changed"


def requirement(labels: Iterable[str], paths: Iterable[str], security_labels: Iterable[str], globs: Iterable[str]) -> Requirement:
    wanted = {name.lower() for name in security_labels}
    present = tuple(name for name in labels if name.lower() in wanted)
    return Requirement(labels=present, paths=tuple(match_paths(paths, globs)))


def is_security_label(name: str, security_labels: Iterable[str]) -> bool:
    return name.lower() in {n.lower() for n in security_labels}


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


@dataclass(frozen=True)
class Verdict:
    """The reviewed result, reduced to what the status needs."""

    verdict: Literal["pass", "pass_with_findings", "fail"]
    severities: tuple[str, ...] = ()
    partial: int = 0  # files not reviewed (skipped), stated in the description
    details: str = field(default="", compare=False)
    since: str = ""  # incremental review: the last passing review's SHA the range starts from


def result(v: Verdict) -> GateStatus:
    """`success` for pass / pass_with_findings, `failure` for fail, naming the counts by severity."""
    counts = counts_text(severity_counts(v.severities))
    words = {"pass": "passed", "pass_with_findings": "passed with findings", "fail": "failed"}[v.verdict]
    desc = f"Opus review {words}: {counts}"
    if v.since:
        desc += f" (changes since {v.since[:7]})"
    if v.partial:
        desc += f" ({v.partial} files not reviewed)"
    state: State = "failure" if v.verdict == "fail" else "success"
    return GateStatus(state, desc, title=desc, summary=v.details or desc)
