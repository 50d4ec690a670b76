"""Glob matching for security-sensitive paths, with gitignore-style `**` semantics (the router's and the gate's).

`fnmatch` lets `*` cross `/` and cannot express "zero or more directories", and
`PurePath.match` (Python 3.11) treats `**` like `*`, so neither implements the
documented globs. Rules, matched against the whole repository-relative path:

- `*` matches within one path segment, `?` one character other than `/`,
  `[abc]`/`[!abc]` one character of a set;
- `**/` matches zero or more leading directories, `/**` at the end everything below,
  `/**/` zero or more directories in between, a lone `**` everything;
- a pattern without `/` matches the file name in any directory (`*.pem`);
- a leading `/` anchors at the repository root (it is dropped);
- matching ignores case: over-gating a `Secrets.py` is safer than missing it;
- a path also matches when its normalised form does (`normalize`: NFKC, no invisible characters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from bot.routing.normalize import normalize


@dataclass(frozen=True)
class PathMatch:
    path: str
    pattern: str


def _translate(pattern: str) -> str:
    pat = pattern.strip()
    if pat.startswith("/"):
        pat = pat[1:]
    elif "/" not in pat.rstrip("/"):
        pat = "**/" + pat
    if pat.endswith("/"):
        pat += "**"  # "dir/" means everything under dir
    out: list[str] = []
    i, n = 0, len(pat)
    while i < n:
        c = pat[i]
        if pat.startswith("**", i):
            at_start = i == 0 or pat[i - 1] == "/"
            j = i + 2
            if at_start and j < n and pat[j] == "/":
                out.append("(?:.*/)?")  # zero or more whole directories
                i = j + 1
            elif at_start and j == n:
                out.append(".*")
                i = j
            else:  # "a**b" is not a globstar: behave like "*"
                out.append("[^/]*")
                i = j
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = pat.find("]", i + 2)
            if j == -1:
                out.append(re.escape(c))
                i += 1
                continue
            body = pat[i + 1 : j]
            negate = body[:1] in ("!", "^")
            if negate:
                body = body[1:]
            body = body.replace("\\", "\\\\")
            out.append(f"[^/{body}]" if negate else f"[{body}]")
            i = j + 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


@lru_cache(maxsize=512)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """The regular expression that matches exactly the paths `pattern` selects."""
    return re.compile(rf"(?s:{_translate(pattern)})\Z", re.IGNORECASE)


def matches(path: str, pattern: str) -> bool:
    return compile_glob(pattern).match(path.lstrip("/")) is not None


def match_paths(paths: Iterable[str], patterns: Iterable[str]) -> list[PathMatch]:
    """Each path that matches, with the first pattern that selected it (in path order).

    A path also matches through its normalised form: `se\u200bcret.py` or full-width letters cannot dodge a glob."""
    pats = [p for p in patterns if p and p.strip()]
    found: list[PathMatch] = []
    for path in paths:
        variants = (path, normalize(path)) if not path.isascii() else (path,)
        for pat in pats:
            if any(matches(v, pat) for v in variants):
                found.append(PathMatch(path, pat))
                break
    return found
