"""GitHub's size limit for text we write, counted as GitHub counts it (characters), and the one way we fit to it."""

from __future__ import annotations

COMMENT_MAX_CHARS = 65_536  # issue comments, review bodies and check-run summaries: longer ones get 422
CHECK_SUMMARY_MAX_CHARS = 65_535  # a check run's output.summary
ANNOTATIONS_PER_REQUEST = 50  # a check run takes at most 50 annotations per request
STATUS_DESCRIPTION_MAX_CHARS = 140  # a commit status's description (GitHub truncates beyond)
NOTE = "\n\n_…truncated: the full text did not fit in one GitHub comment._\n"


def fit(body: str, limit: int = COMMENT_MAX_CHARS, note: str = NOTE) -> str:
    """`body` if it fits in `limit` characters; else cut at a line break, an open code fence closed, `note` added."""
    if len(body) <= limit:
        return body
    cut = body[: max(0, limit - len(note) - 4)]
    if "\n" in cut:
        cut = cut[: cut.rindex("\n")]
    if sum(1 for line in cut.splitlines() if line.lstrip().startswith("```")) % 2:
        cut += "\n```"
    return cut + note
