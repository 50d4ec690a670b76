"""What the next tier is told about a failed attempt (pure): failing checks' names and output tails, writers'
change requests, a PR closed unmerged — bounded and fenced, since check output and review text are untrusted."""

from __future__ import annotations

import re

from bot.untrusted import fenced

MAX_CONTEXT = 6_000  # characters in all: it travels as a workflow input beside the snapshot
MAX_TAIL = 1_500  # of one check's output: its end, where test runners print what failed
MAX_REVIEW = 1_000
MAX_NAME = 100
_UNSAFE = re.compile(r"[`\x00-\x1f\x7f]+")


def name(text: str) -> str:
    """A check's name or a login on one line, no backticks, bounded: it is shown outside the fences."""
    return _UNSAFE.sub(" ", text).strip()[:MAX_NAME] or "(unnamed)"


def tail(text: str, limit: int) -> str:
    return text if len(text) <= limit else "[…]" + text[-limit:]


def summary(*, pr: int, state: str, failing: tuple[tuple[str, str], ...] = (),
            changes: tuple[tuple[str, str], ...] = ()) -> str:
    """The failed attempt as the next tier's prompt carries it ("" when there is nothing GitHub said)."""
    parts = [f"Pull request #{pr} of the previous attempt: {state.replace('_', ' ')}."]
    for check, output in failing:
        parts.append(f"Check `{name(check)}` failed; the end of its output:\n{fenced(tail(output, MAX_TAIL) or '(none)')}")
    for login, body in changes:
        parts.append(f"`{name(login)}` (write access) asked for changes:\n{fenced(tail(body, MAX_REVIEW) or '(no text)')}")
    out = ""
    for part in parts:  # whole parts only, so no fence is ever cut open
        if len(out) + len(part) + 2 > MAX_CONTEXT:
            return out + "\n\n[more failures left out]"
        out = f"{out}\n\n{part}" if out else part
    return out
