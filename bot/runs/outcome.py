"""Read claude-code-action's execution_file: the final `result` message's cost, turns and duration.

The file is the Claude Code SDK's message stream, written as one JSON list (what the Action
writes today) or as JSON lines (what `claude -p --output-format stream-json` prints). Runs that
crash leave partial or junk files; anything unreadable yields an Outcome with `found=False`
instead of an exception, so a run's outcome is always recorded.
"""

from __future__ import annotations

import io
import math
import json
import zipfile
from typing import Any, Iterable

from pydantic import BaseModel

PLAN_FILE = "model-router-plan.json"  # bot.convoy.plan reads it
RUN_FILE = "model-router-run.json"  # the executor's {"branch_name": ..., "agent": ...} (bot.runs.truth.run_file)
MAX_BYTES = 50 * 1024 * 1024  # an execution file is a few MB at most; refuse to parse a bomb
RESULT_TEXT_CHARS = 4_000


class Outcome(BaseModel):
    found: bool = False  # a `result` message was present
    file: bool = False  # an execution file was there to read (it may hold junk and no result message)
    is_error: bool | None = None
    subtype: str | None = None  # success | error_max_turns | error_during_execution ...
    total_cost_usd: float | None = None
    num_turns: int | None = None
    duration_ms: int | None = None
    result: str | None = None  # the final text (truncated): the plan, in a planning run
    session_id: str | None = None
    messages: int = 0  # how many messages were readable

    @property
    def succeeded(self) -> bool:
        return self.found and not self.is_error and (self.subtype in (None, "success"))


def _messages(text: str) -> Iterable[Any]:
    stripped = text.strip()
    if not stripped:
        return []
    try:
        data = json.loads(stripped)
    except ValueError:
        data = None
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        return data.get("messages") if isinstance(data.get("messages"), list) else [data]
    out = []
    for line in stripped.splitlines():  # JSON lines, skipping junk (log noise, a truncated last line)
        line = line.strip().rstrip(",")
        if not line.startswith("{"):
            continue
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def _num(value: Any, kind: type) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return kind(value)


def parse_execution(data: bytes | str) -> Outcome:
    """The outcome in an execution file; the LAST result message wins (resumed sessions append)."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            return Outcome(file=True)
        data = data.decode("utf-8", errors="replace")
    msgs = [m for m in _messages(data) if isinstance(m, dict)]
    results = [m for m in msgs if m.get("type") == "result"]
    if not results:
        return Outcome(file=True, messages=len(msgs))
    r = results[-1]
    cost = _num(r.get("total_cost_usd", r.get("cost_usd")), float)
    text = r.get("result")
    return Outcome(
        found=True,
        file=True,
        is_error=bool(r.get("is_error")) if "is_error" in r else None,
        subtype=r.get("subtype") if isinstance(r.get("subtype"), str) else None,
        total_cost_usd=cost,
        num_turns=_num(r.get("num_turns"), int),
        duration_ms=_num(r.get("duration_ms"), int),
        result=text[:RESULT_TEXT_CHARS] if isinstance(text, str) else None,
        session_id=r.get("session_id") if isinstance(r.get("session_id"), str) else None,
        messages=len(msgs),
    )


def parse_artifact_zip(blob: bytes) -> tuple[Outcome, dict[str, str]]:
    """An uploaded artifact (a zip): the execution file's outcome, plus any small text files (plan.md, model-router-plan.json)."""
    texts: dict[str, str] = {}
    outcome = Outcome()
    try:
        zf = zipfile.ZipFile(io.BytesIO(blob))
    except (zipfile.BadZipFile, ValueError):
        return outcome, texts
    with zf:
        for info in zf.infolist():
            if info.is_dir() or info.file_size > MAX_BYTES:
                continue
            raw = zf.read(info)
            name = info.filename.rsplit("/", 1)[-1]
            if name == RUN_FILE and info.file_size <= 4096:  # small by construction; not an execution file
                texts[name] = raw.decode("utf-8", errors="replace")
            elif name == PLAN_FILE and info.file_size <= 256 * 1024:  # a planning run's structured plan
                texts[name] = raw.decode("utf-8", errors="replace")
            elif name.endswith(".json") or name.endswith(".jsonl"):
                parsed = parse_execution(raw)
                if parsed.found or not outcome.found:
                    outcome = parsed if parsed.messages or parsed.found or not outcome.file else outcome
            elif name.endswith((".md", ".txt")) and info.file_size <= 256 * 1024:
                texts[name] = raw.decode("utf-8", errors="replace")
    return outcome, texts
