"""Turn a pull request's files into review chunks that fit the model, saying what was left out.

Each diff line is shown with its number in the new file, so findings can name lines that
GitHub accepts for inline review comments (only lines inside the diff's hunks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from bot.github.port import PullFile

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
from bot.review.gate import FILES_LISTED as FILES_API_LIMIT  # GitHub lists at most this many files of a pull request
HARMLESS_SKIP = "renamed without changes"


def commentable_lines(patch: str | None) -> set[int]:
    """New-file line numbers that appear in the patch (added or context): valid RIGHT-side review lines."""
    lines: set[int] = set()
    new = 0
    for raw in (patch or "").splitlines():
        m = HUNK.match(raw)
        if m:
            new = int(m.group(3))
            continue
        if not new and not raw.startswith("@@"):
            continue
        if raw.startswith("+") or raw.startswith(" ") or raw == "":
            lines.add(new)
            new += 1
        # "-" lines exist only on the LEFT side; "\ No newline at end of file" on neither
    return lines


def numbered(patch: str) -> list[str]:
    """The patch with new-file line numbers in front, split at hunk boundaries (one string per hunk)."""
    hunks: list[list[str]] = []
    new = 0
    for raw in patch.splitlines():
        m = HUNK.match(raw)
        if m:
            new = int(m.group(3))
            hunks.append([raw])
            continue
        if not hunks:
            hunks.append([])
        if raw.startswith("-"):
            hunks[-1].append(f"      {raw}")
        elif raw.startswith("\\"):
            hunks[-1].append(f"      {raw}")
        else:
            hunks[-1].append(f"{new:5d} {raw if raw else ' '}")
            new += 1
    return ["\n".join(h) + "\n" for h in hunks]


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class Chunk:
    parts: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    size: int = 0

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class DiffPlan:
    chunks: list[Chunk]
    skipped: list[Skipped]
    commentable: dict[str, set[int]]
    reviewed_files: int = 0
    truncated_listing: bool = False

    def skipped_text(self) -> str:
        lines = [f"- `{s.path}`: {s.reason}" for s in self.skipped]
        if self.truncated_listing:
            lines.append(f"- GitHub lists at most {FILES_API_LIMIT} files of a pull request; any beyond were not seen")
        return "\n".join(lines)

    @property
    def skipped_files(self) -> int:
        """Files of which some or all of the diff was not reviewed."""
        return len({s.path for s in self.skipped})

    @property
    def unreviewed(self) -> int:
        """Files (or an unseen rest of the listing) whose bytes no review saw: any makes the gate fail.

        Only a rename without content changes outside the security paths is harmless."""
        return len({s.path for s in self.skipped if s.reason != HARMLESS_SKIP}) + self.truncated_listing

    @property
    def complete(self) -> bool:
        return self.unreviewed == 0


def _header(f: PullFile, part: str = "") -> str:
    renamed = f" (renamed from {f.previous_filename})" if f.previous_filename else ""
    return f"### {f.filename}{renamed} [{f.status}, +{f.additions} -{f.deletions}]{part}\n"


class _Packer:
    """Chunks filled in order: a piece goes into the last chunk, or a new one while the budget of chunks lasts."""

    def __init__(self, max_chars: int, max_chunks: int) -> None:
        self.max_chars, self.max_chunks = max_chars, max_chunks
        self.chunks: list[Chunk] = [Chunk()]
        self.skipped: list[Skipped] = []
        self.reviewed = 0  # files with at least one piece sent

    def room(self, text: str) -> bool:
        if self.chunks[-1].size + len(text) <= self.max_chars:
            return True
        if len(self.chunks) >= self.max_chunks:
            return False
        if self.chunks[-1].size:
            self.chunks.append(Chunk())
        return True

    def put(self, path: str, piece: str) -> None:
        """Into the last chunk (after `room` said yes)."""
        chunk = self.chunks[-1]
        chunk.parts.append(piece)
        if path not in chunk.paths:
            chunk.paths.append(path)
        chunk.size += len(piece)

    def skip(self, path: str, reason: str) -> None:
        self.skipped.append(Skipped(path, reason))

    def no_patch(self, f: PullFile, priority: set[str]) -> None:
        """A file without a text diff: a security file's pure rename is still shown; the rest is listed."""
        pure_rename = f.status == "renamed" and not f.changes
        if pure_rename and priority & {f.filename, f.previous_filename}:
            # Moving a security file (say, to `….disabled`) can switch it off: the reviewer must see it.
            piece = _header(f) + "      (renamed without content changes)\n"
            if self.room(piece):
                self.put(f.filename, piece)
                self.reviewed += 1
            else:
                self.skip(f.filename, f"security-path rename not reviewed: the review budget of {self.max_chunks} chunks was used up")
            return
        self.skip(f.filename, HARMLESS_SKIP if pure_rename else "no text diff (binary or too large for the files API)")

    def whole(self, f: PullFile, text: str) -> None:
        if not self.room(text):
            self.skip(f.filename, f"not reviewed: the review budget of {self.max_chunks} chunks was used up")
            return
        self.put(f.filename, text)
        self.reviewed += 1

    def in_parts(self, f: PullFile, hunks: list[str]) -> None:
        """Too big for one chunk: hunks, each with the file header; a hunk bigger than a chunk is cut."""
        sent_any = False
        for i, hunk in enumerate(hunks):
            head = _header(f, f" (part {i + 1}/{len(hunks)})")
            budget = self.max_chars - len(head)
            if len(hunk) > budget:
                cut = hunk[: max(0, budget - 80)].rsplit("\n", 1)[0] + "\n"
                dropped = hunk.count("\n") - cut.count("\n")
                hunk = cut + f"      [{dropped} more lines of this hunk not shown]\n"
                self.skip(f.filename, f"part {i + 1}: {dropped} lines of one very large hunk not reviewed")
            piece = head + hunk
            if not self.room(piece):
                self.skip(f.filename, f"hunks {i + 1}-{len(hunks)} not reviewed: the review budget of {self.max_chunks} chunks was used up")
                break
            self.put(f.filename, piece)
            sent_any = True
        self.reviewed += sent_any


def plan(
    files: Iterable[PullFile],
    *,
    max_chars: int,
    max_chunks: int,
    first: Iterable[str] = (),
    truncated: bool | None = None,
) -> DiffPlan:
    """Pack files into chunks of at most `max_chars`; files in `first` (security paths) go first.

    A file larger than a chunk is split at hunk boundaries; a single hunk larger than a
    chunk is cut, and everything not sent to the model is listed in `skipped`.
    """
    files = list(files)
    priority = set(first)
    ordered = sorted(files, key=lambda f: f.filename not in priority)  # stable: API order otherwise
    packer = _Packer(max_chars, max_chunks)
    commentable: dict[str, set[int]] = {}
    for f in ordered:
        if f.patch is None:
            packer.no_patch(f, priority)
            continue
        commentable[f.filename] = commentable_lines(f.patch)
        hunks = numbered(f.patch)
        whole = _header(f) + "".join(hunks)
        if len(whole) <= max_chars:
            packer.whole(f, whole)
        else:
            packer.in_parts(f, hunks)
    chunks = [c for c in packer.chunks if c.parts]
    if truncated is None:
        truncated = len(files) >= FILES_API_LIMIT
    return DiffPlan(chunks, packer.skipped, commentable, packer.reviewed, truncated_listing=truncated)
