"""An issue's state as the router keeps it (decision, people's choices, executor runs): one model, one codec.

The sticky comment carries it on a hidden line right after its marker (`encode`, `decode`). The Action
keeps no store between jobs, so it recovers the state from there (bot.action.memory) into its scratch
store (`IssueStore.restore_run`). A new run field is one field on `RunState` (bot.store.records) and its column.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from bot.models import MAX_KIND, RoutingDecision
from bot.store.records import RunState  # noqa: F401 - re-exported: the state line carries the store's runs

MARKER = "<!-- model-router:routing -->"  # opens the sticky comment; the state line follows it
STATE_PREFIX = "<!-- model-router:state "
STATE_VERSION = 1
MAX_STATE = 16_000  # characters of the encoded state; older runs are dropped first
MAX_STATE_RUNS = 20
MAX_RUN_TEXT = 300  # characters of any one text field of a run

_STATE_LINE = re.compile(
    re.escape(MARKER) + r"\r?\n" + re.escape(STATE_PREFIX) + r"(\{[^\n]*\})(?: sig=([0-9a-f]{64}))? -->"
)


def issue_key(key: bytes | None, repo: str, number: int) -> bytes | None:
    """The `state-key` bound to one issue of one repository: a signed state line copied to another issue (or
    another repository sharing the secret) does not verify there."""
    return None if key is None else hmac.new(key, f"{repo.lower()}#{number}".encode("utf-8"), "sha256").digest()


def signature(encoded: str, key: bytes) -> str:
    """HMAC-SHA256 of the encoded state under the Action's `state-key` (a repository secret): a writer can edit
    the bot's comment, but cannot re-sign an edited state line without the secret."""
    return hmac.new(hashlib.sha256(b"model-router:state:" + key).digest(), encoded.encode("utf-8"), "sha256").hexdigest()
_DASHES = re.compile(r"-(?=-)|(?<=-)-")  # every dash of a run of two or more


RUN_FIELDS = tuple(RunState.model_fields)


class IssueState(BaseModel):
    """What a state line says; every part is optional, and an unreadable part is left out, never guessed."""

    tier: str | None = None
    complexity: str | None = None
    strategy: str | None = None
    model: str | None = None
    overrides: dict[str, str] = Field(default_factory=dict)  # field → what a person chose ("none": removed)
    decision: RoutingDecision | None = None
    runs: list[RunState] = Field(default_factory=list)


def _json(value: Any) -> str:
    """Compact JSON in which no string holds `--`, `<`, `>` or `@`: nothing can close the HTML comment early."""
    if isinstance(value, str):
        text = _DASHES.sub(r"\\u002d", json.dumps(value, ensure_ascii=True))
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("@", "\\u0040")  # no mention, even hidden
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{_json(str(k))}:{_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_json(v) for v in value) + "]"
    if isinstance(value, (datetime, date)):
        return _json(value.isoformat())
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value)  # a number's own `-` never follows another `-`
    return _json(str(value))


comment_json = _json  # the public name: other hidden state lines (bot.convoy.render) are encoded the same way


def run_field(run: Any, key: str, default: Any = None) -> Any:
    """A field of a run that is a store row (a mapping) or a `RunState`."""
    return run.get(key, default) if isinstance(run, Mapping) else getattr(run, key, default)


def _clip(value: Any) -> Any:
    return value[:MAX_RUN_TEXT] if isinstance(value, str) else value


def _trimmed(d: RoutingDecision) -> dict:
    """The decision, trimmed: enough to restore the routing record in a later Action job."""
    out = d.model_dump(mode="json")
    out["rationale"] = d.rationale[:500]
    out["kind"] = d.kind[:MAX_KIND]
    out["notes"] = [n[:200] for n in d.notes[:5]]
    out["matched_rules"] = [
        {**r, "rule": r["rule"][:100], "detail": r.get("detail", "")[:200]} for r in out["matched_rules"][:10]
    ]
    return out


def encode(decision: RoutingDecision, *, overrides: Mapping[str, str] | None = None, runs: Iterable[Any] = (),
           key: bytes | None = None) -> str:
    """The hidden state line (runs may be store rows or RunStates), bounded to MAX_STATE characters.

    No routing id: it belongs to one store, and each Action job has its own, so it would churn the comment."""
    state: dict[str, Any] = {
        "v": STATE_VERSION,
        "tier": decision.tier.value,
        "complexity": decision.complexity.value,
        "strategy": decision.strategy.value,
        "model": decision.model[:100],
        "overrides": {str(k)[:16]: str(v)[:32] for k, v in (overrides or {}).items()},
        "decision": _trimmed(decision),
        "runs": [{k: _clip(run_field(r, k)) for k in RUN_FIELDS if run_field(r, k) is not None} for r in runs][-MAX_STATE_RUNS:],
    }
    encoded = _json(state)
    while len(encoded) > MAX_STATE and state["runs"]:
        state["runs"] = state["runs"][1:]
        encoded = _json(state)
    if len(encoded) > MAX_STATE:  # cannot happen with the clips above; never emit an unbounded line
        state.pop("decision")
        encoded = _json(state)
    sig = f" sig={signature(encoded, key)}" if key else ""
    return f"{STATE_PREFIX}{encoded}{sig} -->"


def json_object(text: str) -> dict | None:
    """The JSON object a hidden state line carries, or None when it is not one."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def state_text(body: str) -> str | None:
    """The marker and the state line a sticky comment opens with (signature included), or None: what the Action's
    history cache keeps of it, `decode`d (and verified) again when read back."""
    m = _STATE_LINE.match(body.lstrip("\ufeff"))
    return m.group(0) if m else None


def decode(body: str, key: bytes | None = None) -> IssueState | None:
    """The state line of a sticky comment, only where the router puts it (right after the marker that
    opens the body), so text quoted further down can never pass for it. None when absent or unreadable,
    and, given a `key`, when its signature is missing or wrong (someone edited it)."""
    m = _STATE_LINE.match(body.lstrip("\ufeff"))
    if m and key is not None and not (m.group(2) and hmac.compare_digest(m.group(2), signature(m.group(1), key))):
        return None
    data = json_object(m.group(1)) if m else None
    if data is None or data.get("v") != STATE_VERSION:
        return None
    text = {k: v for k in ("tier", "complexity", "strategy", "model") if isinstance(v := data.get(k), str) and v}
    people = data.get("overrides") if isinstance(data.get("overrides"), dict) else {}
    return IssueState(
        **text,
        overrides={k: v for k, v in people.items() if isinstance(v, str)},
        decision=_valid(RoutingDecision, data.get("decision")),
        runs=[r for r in map(lambda d: _valid(RunState, d), data.get("runs") or []) if r is not None]
        if isinstance(data.get("runs"), list) else [],
    )


def _valid(model: type[BaseModel], data: Any) -> Any:
    try:
        return model.model_validate(data) if data is not None else None
    except ValidationError:
        return None
