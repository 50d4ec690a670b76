"""Turn a review into one PR review (inline where GitHub allows), annotations and the gate report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.review.gate import CONTEXT, GateStatus, counts_text, severity_counts
from bot.github import limits
from bot.github.port import Annotation, ReviewComment
from bot.untrusted import defuse, quoted
from bot.review.diff import DiffPlan
from bot.review.schema import Finding, ReviewOutput

if TYPE_CHECKING:
    from bot.context import Context

MAX_BODY = limits.COMMENT_MAX_CHARS
MAX_INLINE = 50
MAX_ANNOTATIONS = limits.ANNOTATIONS_PER_REQUEST
MARKER = "<!-- model-router:opus-review sha={sha} -->"
LEVEL = {"critical": "failure", "high": "failure", "medium": "warning", "low": "notice"}


def _finding_md(f: Finding, *, where: bool) -> str:
    """Model-written: the title on one line, the prose quoted, so nothing in it starts a command line."""
    loc = f"`{f.file}`" + (f" line {f.line}" if f.line else "") + ": " if where else ""
    title = " ".join(f.title.split())
    out = f"**[{f.severity}] {loc}{title}**\n\n{quoted(f.explanation)}"
    if f.suggestion:
        out += f"\n\n**Suggestion:**\n\n{quoted(f.suggestion)}"
    return defuse(out)


@dataclass
class PublishedReview:
    body: str
    event: str  # REQUEST_CHANGES | COMMENT
    comments: list[ReviewComment]


def build_review(out: ReviewOutput, plan: DiffPlan, *, sha: str, model: str, scope: str = "") -> PublishedReview:
    """Inline comments only on lines inside the diff's hunks; every other finding goes in the body."""
    inline: list[ReviewComment] = []
    rest: list[Finding] = []
    for f in out.findings:
        if f.line and f.line in plan.commentable.get(f.file, ()) and len(inline) < MAX_INLINE:
            inline.append(ReviewComment(path=f.file, line=f.line, body=_finding_md(f, where=False)))
        else:
            rest.append(f)
    counts = counts_text(severity_counts(f.severity for f in out.findings))
    verdict = {"pass": "passed", "pass_with_findings": "passed with findings", "fail": "failed"}[out.verdict]
    head = f"## Opus security review: {verdict}\n\n{counts} · model `{model}` · commit `{sha[:12]}`\n\n"
    parts = [head] + ([defuse(scope) + "\n\n"] if scope else [])
    if out.summary:
        parts.append(quoted(out.summary) + "\n\n")
    skipped = plan.skipped_text()
    if skipped:
        parts.append("<details><summary>Not reviewed</summary>\n\n" + defuse(skipped) + "\n\n</details>\n\n")
    if rest:
        parts.append("### Findings outside the diff's lines\n\n")
        parts.extend(_finding_md(f, where=True) + "\n\n" for f in rest)
    marker = MARKER.format(sha=sha)
    body = fit("".join(parts), MAX_BODY - len(marker) - 1) + "\n" + marker
    return PublishedReview(body=body, event="REQUEST_CHANGES" if out.verdict == "fail" else "COMMENT", comments=inline)


def fit(text: str, limit: int) -> str:
    return limits.fit(text, limit, "\n\n…truncated: the full list is in the check run and the findings above.")


def annotations(out: ReviewOutput, paths: set[str] | None = None) -> list[Annotation]:
    """Check-run annotations for findings with a line in a file of the PR, most severe first, at most 50."""
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    found = sorted((f for f in out.findings if f.line and f.line > 0 and (paths is None or f.file in paths)),
                   key=lambda f: order[f.severity])
    return [
        Annotation(
            path=f.file, start_line=f.line, end_line=f.line, annotation_level=LEVEL[f.severity],
            title=defuse(f"[{f.severity}] {f.title}")[:255], message=defuse(f.explanation + (f"\n\nSuggestion: {f.suggestion}" if f.suggestion else ""))[:64_000],
        )
        for f in found[:MAX_ANNOTATIONS]
    ]


def report(ctx: "Context", sha: str, status: GateStatus, found: list[Annotation] | None = None) -> None:
    """The status context always; in App mode also the check run of the same name."""
    ctx.gh.create_status(ctx.repo, sha, status.state, CONTEXT, status.description)
    if ctx.mode == "app":
        ctx.gh.create_check_run(
            ctx.repo, sha, CONTEXT, status.conclusion, status.title or status.description,
            fit(status.summary or status.description, MAX_BODY - 1), found or None,
        )
