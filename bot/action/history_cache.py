"""The routing history kept between Action jobs in a file (actions/cache carries it), so a warm job re-reads only the
sticky comments updated since: what it holds is re-verified when read, and a file that is not ours is ignored."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from bot.issues.state import MAX_STATE
from bot.routing.kinds import MAX_FEATURES

FORMAT = "model-router/action-history"
VERSION = 3  # 2: each entry names its comment's author; 3: and its issue's hashed words (older files are read cold)
MAX_TEXT = MAX_STATE + 200  # the marker and a state line with its signature
MAX_WORDS = 6 * MAX_FEATURES  # a packing of the most features an issue hashes to
MAX_BYTES = 64 * 1024 * 1024  # 1,000 issues of full state lines and words; a bigger file is not ours


@dataclass(frozen=True)
class Entry:
    """One routed issue's sticky comment as cached: when GitHub last updated it, its marker + state line, and who
    wrote it (checked against the bot's login when read, as a fresh read checks the comment)."""

    number: int
    updated_at: str  # ISO 8601, GitHub's
    text: str
    author: str  # the comment's author login, as GitHub said
    words: str = ""  # the issue's hashed words as listed (bot.routing.kinds.pack; "": unknown), for the text model


@dataclass(frozen=True)
class Owner:
    """Whose history a cache file is: a file written for another repository, bot, key or bound is not read."""

    repo: str
    login: str
    key: str  # a fingerprint of the state-key ("" without one), never the key
    limit: int


def fingerprint(key: bytes | None, repo: str) -> str:
    return "" if key is None else hmac.new(key, f"history-cache:{repo.lower()}".encode(), "sha256").hexdigest()[:16]


def newest(entries: list[Entry]) -> str | None:
    return max((e.updated_at for e in entries), default=None)


def read(path: Path, owner: Owner) -> tuple[list[Entry] | None, str]:
    """The cached entries, or None and why the file was not used (missing, unreadable, foreign, damaged)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return None, f"larger than {MAX_BYTES} bytes"
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, "no cache yet"
    except (OSError, ValueError) as exc:
        return None, f"unreadable ({type(exc).__name__})"
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("v") != VERSION:
        return None, "not a model-router history file of this version"
    mine = asdict(owner) | {"repo": owner.repo.lower(), "login": owner.login.lower()}
    if any(data.get(k) != v for k, v in mine.items()):
        return None, "written for another repository, bot, state-key or bound"
    entries = _entries(data.get("issues"))
    return (entries, "") if entries is not None else (None, "damaged entries")


def _entries(raw: object) -> list[Entry] | None:
    if not isinstance(raw, list):
        return None
    out = []
    for item in raw:
        if not isinstance(item, dict):
            return None
        number, when, text, author = item.get("number"), item.get("updated_at"), item.get("text"), item.get("author")
        words = item.get("words", "")
        if not (isinstance(number, int) and not isinstance(number, bool) and number > 0 and isinstance(text, str)
                and len(text) <= MAX_TEXT and isinstance(when, str) and _iso(when) and isinstance(author, str)
                and len(author) <= 100 and isinstance(words, str) and len(words) <= MAX_WORDS):
            return None
        out.append(Entry(number, when, text, author, words))
    return out


def _iso(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def write(path: Path, owner: Owner, entries: list[Entry]) -> None:
    """Atomically: a job killed mid-write leaves the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"format": FORMAT, "v": VERSION, **asdict(owner), "repo": owner.repo.lower(), "login": owner.login.lower(),
            "issues": [asdict(e) for e in entries]}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)
